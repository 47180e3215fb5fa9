"""Locust users of the workflow benchmark, one class per scenario (`locust -f this_file ClassName`).

Run by `loadtests.bench_workflows`, which writes the ids and tokens this needs
to a JSON file named by `BENCH_DATA`. Users wait for nothing between requests:
the scenario measures what one API worker sustains, so the closed loop keeps
it saturated (latency ≈ users ÷ throughput, by Little's law).
"""

import itertools
import json
import os
import random
import sys
from collections import deque
from typing import Any

import gevent  # type: ignore[import-untyped]  # no stubs; only `spawn` is used
from locust import FastHttpUser, task
from locust.exception import StopUser

from loadtests import bench_data
from loadtests.bench_locust import PACED_PER_USER, RECOMMEND_SUPPLIES_NAME

API = "/api/v1"


def _load() -> dict[str, Any]:
    path = os.environ.get("BENCH_DATA")
    if not path:
        return {"tokens": ["missing"], "incident_ids": [1], "team_ids": [], "seed": 0}
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


DATA = _load()
_user_numbers = itertools.count()
# Every dispatch takes a team nobody else has taken: a 409 then means a real conflict, not our reuse.
# One Locust process runs its users as greenlets on one thread, so a plain deque is safe here.
_free_teams: deque[int] = deque(DATA["team_ids"])


class BenchUser(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        number = next(_user_numbers)
        tokens: list[str] = DATA["tokens"]
        self.auth = {"Authorization": f"Bearer {tokens[number % len(tokens)]}"}
        self.rng = random.Random(int(DATA["seed"]) * 1000 + number)
        self.incident_ids: list[int] = DATA["incident_ids"]


class Healthz(BenchUser):
    """Baseline: the cheapest route of the real API (no auth, no database)."""

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="GET /healthz")


class BareInsert(BenchUser):
    """Baseline: the one-row insert of `loadtests.baseline_app` (the write ceiling)."""

    @task
    def bare(self) -> None:
        self.client.post("/bare", name="POST /bare")


class Recommendations(BenchUser):
    @task
    def recommend(self) -> None:
        incident_id = self.rng.choice(self.incident_ids)
        self.client.get(
            f"{API}/incidents/{incident_id}/recommendations",
            headers=self.auth,
            name="GET /incidents/{id}/recommendations",
        )


class RecommendationsWithSupplies(BenchUser):
    """Recommendations that rank supplies too, as for a chemical leak: three categories of the depot library."""

    @task
    def recommend(self) -> None:
        incident_id = self.rng.choice(self.incident_ids)
        self.client.get(
            f"{API}/incidents/{incident_id}/recommendations",
            params={"supplies": ",".join(f"{c}:{q}" for c, q in bench_data.LEAK_SUPPLIES.items())},
            headers=self.auth,
            name=RECOMMEND_SUPPLIES_NAME,
        )


class RecommendationsPaced(Recommendations):
    """The same requests offered at PACED_PER_USER per user on average: latency with the worker busy, not saturated.

    Gaps are random (exponential: operators act independently, so arrivals are
    Poisson). A fixed 0.5 s rhythm would make users started together fire
    together for the whole run, every request queueing behind nine others.
    """

    def on_start(self) -> None:
        super().on_start()
        # Arrivals are Poisson from the start too: Locust runs a user's first task as soon as it has
        # spawned, and users spawned together would send one burst, queueing each behind all the others.
        gevent.sleep(self.rng.expovariate(PACED_PER_USER))

    def wait_time(self) -> float:
        return self.rng.expovariate(PACED_PER_USER)


class ReportIncident(BenchUser):
    """The intake desk: a new report, with an Idempotency-Key as a retrying client sends it."""

    @task
    def report(self) -> None:
        body = bench_data.incident_payload(self.rng, self.rng.randrange(10**9))
        headers = {**self.auth, "Idempotency-Key": bench_data.idempotency_key()}
        self.client.post(f"{API}/incidents", json=body, headers=headers, name="POST /incidents")


class Dispatch(BenchUser):
    """Each request sends a distinct available team, so any 409 is a failure worth seeing."""

    @task
    def dispatch(self) -> None:
        if not _free_teams:
            # Out of teams before the time is up: end the run rather than measure 409s.
            print("BENCH: team pool exhausted", file=sys.stderr, flush=True)
            gevent.spawn(self.environment.runner.quit)
            raise StopUser()
        body = {"incident_id": self.rng.choice(self.incident_ids), "team_id": _free_teams.popleft()}
        headers = {**self.auth, "Idempotency-Key": bench_data.idempotency_key()}
        self.client.post(f"{API}/dispatches", json=body, headers=headers, name="POST /dispatches")
