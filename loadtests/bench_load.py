"""Load the synthetic library into a running API over HTTP, as an administrator would.

Only the public API is used (a client of the deployed stack, DESIGN §2), so the
load step also checks that the import paths cope with a city-sized roster.
"""

import csv
import io
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from loadtests import bench_data

API = "/api/v1"
LOAD_THREADS = 8  # enough to keep one API worker busy without a load generator of its own
IMPORT_TIMEOUT_S = 300.0  # one request creates 10,000 teams with their audit rows


def say(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def login(client: httpx.Client, username: str, password: str, attempts: int = 10) -> str:
    """A token; the server checks few passwords at a time and answers 503 + Retry-After beyond that."""
    for _ in range(attempts - 1):
        r = client.post(f"{API}/auth/token", data={"username": username, "password": password})
        if r.status_code != 503:
            break
        time.sleep(float(r.headers.get("retry-after", "1")))  # the server's own back-off
    else:
        r = client.post(f"{API}/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


def _check(r: httpx.Response, what: str) -> dict[str, Any]:
    if r.status_code >= 300:
        raise RuntimeError(f"{what}: HTTP {r.status_code}: {r.text[:1000]}")
    body: dict[str, Any] = r.json()
    return body


@dataclass
class Loader:
    client: httpx.Client
    admin_token: str
    operator_token: str
    rng: random.Random

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _post_all(self, path: str, bodies: list[dict[str, Any]], token: str, what: str) -> list[dict[str, Any]]:
        """POST each body concurrently (order of results = order of bodies); progress every 10 %."""
        step = max(1, len(bodies) // 10)
        done = 0

        def one(body: dict[str, Any]) -> dict[str, Any]:
            return _check(self.client.post(API + path, json=body, headers=self._auth(token)), what)

        out = []
        with ThreadPoolExecutor(LOAD_THREADS) as pool:
            for result in pool.map(one, bodies):
                out.append(result)
                done += 1
                if done % step == 0 or done == len(bodies):
                    say(f"{what}: {done}/{len(bodies)}")
        return out

    def jurisdictions(self) -> None:
        bodies = bench_data.jurisdiction_payloads(self.rng)
        self._post_all("/jurisdictions", bodies, self.admin_token, "jurisdictions")

    def depots(self, n: int) -> list[int]:
        created = self._post_all("/depots", bench_data.depot_payloads(n, self.rng), self.operator_token, "depots")
        return [int(d["id"]) for d in created]

    def supplies(self, depot_ids: list[int], per_depot: int) -> None:
        data = bench_data.supply_csv(depot_ids, per_depot, self.rng)
        self._import("/supply-items/import", "supplies.csv", data, "supply items")

    def teams(self, n: int) -> dict[str, int]:
        return self._import("/teams/import", "teams.csv", bench_data.team_csv(n, self.rng), "teams")

    def _import(self, path: str, filename: str, data: bytes, what: str) -> dict[str, int]:
        """One CSV import request (the library's bulk path), with what it created."""
        rows = data.count(b"\n") - 1  # a header line, then one line per row
        say(f"{what}: importing {rows} rows in one CSV ({len(data) / 1024:.0f} KiB) ...")
        started = time.monotonic()
        r = self.client.post(
            API + path,
            files={"file": (filename, data, "text/csv")},
            headers=self._auth(self.operator_token),
            timeout=IMPORT_TIMEOUT_S,
        )
        counts = _check(r, f"{what} import")
        say(f"{what}: {counts} in {time.monotonic() - started:.1f} s")
        return {k: int(v) for k, v in counts.items()}

    def dispatchable_team_ids(self) -> list[int]:
        """Available teams of Leizhou itself (a neighbour's team needs an approved mutual-aid request)."""
        r = self.client.get(
            f"{API}/teams/export.csv", params={"status": "available"}, headers=self._auth(self.operator_token)
        )
        r.raise_for_status()
        rows = csv.DictReader(io.StringIO(r.text.removeprefix("\ufeff"), newline=""))
        ids = [int(row["id"]) for row in rows if row["home_jurisdiction"] not in bench_data.NEIGHBOURS]
        self.rng.shuffle(ids)
        return ids

    def incidents(self, n: int) -> list[int]:
        bodies = [bench_data.incident_payload(self.rng, i) for i in range(1, n + 1)]
        created = self._post_all("/incidents", bodies, self.operator_token, "incidents")
        return [int(i["id"]) for i in created]

    def tokens(self, username: str, password: str, n: int) -> list[str]:
        """One token per simulated user, issued before any timed window (password hashing is slow on purpose)."""
        with ThreadPoolExecutor(min(n, LOAD_THREADS)) as pool:
            return list(pool.map(lambda _: login(self.client, username, password), range(n)))


def timed(what: str, fn: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = fn()
    say(f"{what} done in {time.monotonic() - started:.1f} s")
    return result
