"""Surge load test: callers, operators, team leaders and board viewers, baseline → 10× surge → recovery.

    locust -f loadtests/locustfile.py --headless --host http://127.0.0.1:8000

Credentials: ERCP_USER / ERCP_PASSWORD (an operator). Rates and phases
(environment, all optional):

    LOADTEST_BASELINE_RPS   incident reports per second at baseline (default 2)
    LOADTEST_SURGE_FACTOR   surge rate ÷ baseline rate (default 10)
    LOADTEST_PHASES         seconds of baseline, surge, recovery (default 60,120,60)
    LOADTEST_VIEWERS        websocket board viewers (default 4)
    LOADTEST_SUMMARY        write the run's tallies here as JSON at the end, with merged
                            percentiles (all HTTP requests, POST /incidents, viewer events)

Callers report incidents with an Idempotency-Key and retry 503 (and
transport errors) with the same key, honouring Retry-After; a retry that
comes back with another incident is a duplicate. Each request is named with
the phase it was sent in (`POST /incidents [surge]`), so Locust's table is
per route and per phase. Viewers follow the websocket feed on the sync
`websocket-client`; each event is reported as a request of type WS whose
time is commit → receipt (from the envelope's `at`). An incident report
whose `incident.created` a viewer never receives is a lost event: the run
then fails (exit code 1).
"""

import json
import math
import os
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import gevent  # type: ignore[import-untyped]  # no stubs
import gevent.lock  # type: ignore[import-untyped]
import websocket  # websocket-client
from locust import FastHttpUser, LoadTestShape, constant, constant_pacing, events, task
from locust.env import Environment
from locust.stats import StatsEntry

API = "/api/v1"
RUN = uuid.uuid4().hex[:8]
BASELINE_RPS = float(os.environ.get("LOADTEST_BASELINE_RPS", "2"))
SURGE_FACTOR = float(os.environ.get("LOADTEST_SURGE_FACTOR", "10"))
PHASES = [float(x) for x in os.environ.get("LOADTEST_PHASES", "60,120,60").split(",")]
VIEWERS = int(os.environ.get("LOADTEST_VIEWERS", "4"))
PER_CALLER_RPS = 1.0
GRACE_S = 10.0  # how long a viewer waits at the end for events still on their way

phase = "baseline"
tally: dict[str, int] = {"created": 0, "replays": 0, "duplicates": 0, "retries": 0, "lost": 0, "events": 0}
created: dict[int, float] = {}  # incident id → monotonic time its report was sent
keys: dict[str, int] = {}  # idempotency key → incident id first answered
_token: str | None = None
_signing_in = gevent.lock.Semaphore()


def report(request_type: str, name: str, ms: float, length: int, exception: Exception | None = None) -> None:
    """Tell Locust about something that was not an HTTP request (a websocket event, a check)."""
    events.request.fire(  # type: ignore[no-untyped-call]  # locust's EventHook is untyped
        request_type=request_type, name=name, response_time=ms, response_length=length, exception=exception
    )


def token(client: Any) -> str:
    """One sign-in per Locust process (argon2 is slow on purpose); every user shares the bearer token."""
    global _token
    with _signing_in:  # the first user signs in; the others wait for its token instead of hashing too
        if _token is None:
            _token = _sign_in(client)
    return _token


def _credentials() -> dict[str, str]:
    return {"username": os.environ.get("ERCP_USER", "operator"), "password": os.environ.get("ERCP_PASSWORD", "")}


def _sign_in(client: Any) -> str:
    with client.post(f"{API}/auth/token", data=_credentials(), name="POST /auth/token", catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"sign-in refused: {r.status_code}")
            raise RuntimeError("set ERCP_USER / ERCP_PASSWORD to an operator's credentials")
        return str(r.json()["access_token"])


class Caller(FastHttpUser):
    """Reports incidents, one a second, with idempotency keys; 503 is retried with the same key."""

    wait_time = constant_pacing(1 / PER_CALLER_RPS)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {token(self.client)}"}

    @task
    def report(self) -> None:
        key = f"load-{RUN}-{uuid.uuid4().hex}"
        body = {
            "title": f"loadtest {RUN} report",
            "type": random.choice(["fire", "road_traffic", "typhoon_flood", "water_rescue"]),
            "lat": round(random.uniform(20.5, 21.1), 5),
            "lon": round(random.uniform(109.75, 110.3), 5),
        }
        sent = time.monotonic()
        for attempt in range(6):
            name = f"POST /incidents [{phase}]" + (" retry" if attempt else "")
            headers = {**self.auth, "Idempotency-Key": key}
            with self.client.post(f"{API}/incidents", json=body, headers=headers, name=name, catch_response=True) as r:
                if r.status_code in (200, 201):
                    self._answered(key, int(r.json()["id"]), sent, replay=attempt > 0)
                    return
                if r.status_code in (0, 503) and attempt < 5:  # 0: transport error
                    tally["retries"] += 1
                    r.success()  # the retry below is what counts
                    retry_after = (r.headers or {}).get("Retry-After")
                    gevent.sleep(float(retry_after) if retry_after else 0.2 * 2**attempt)
                    continue
                r.failure(f"{r.status_code}: {r.text[:200] if r.text else ''}")
                return

    @staticmethod
    def _answered(key: str, incident_id: int, sent: float, *, replay: bool) -> None:
        first = keys.setdefault(key, incident_id)
        if first != incident_id:
            tally["duplicates"] += 1
            report(
                "CHECK", "duplicate incident from a retried key", 0, 0, AssertionError(f"{key}: {first}, {incident_id}")
            )
            return
        tally["replays" if replay else "created"] += 1
        created.setdefault(incident_id, sent)


class Operator(FastHttpUser):
    """Lists, recommendations, dispatches and allocations, as the duty desk works."""

    fixed_count = 2
    wait_time = constant(0.5)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {token(self.client)}"}

    def _incident(self) -> int | None:
        return random.choice(list(created)) if created else None

    @task(3)
    def list_incidents(self) -> None:
        self.client.get(f"{API}/incidents?limit=50", headers=self.auth, name=f"GET /incidents [{phase}]")

    @task(2)
    def recommend_and_dispatch(self) -> None:
        incident_id = self._incident()
        if incident_id is None:
            return
        name = f"GET /incidents/{{id}}/recommendations [{phase}]"
        rec = self.client.get(f"{API}/incidents/{incident_id}/recommendations", headers=self.auth, name=name)
        if rec.status_code != 200:
            return
        body = rec.json()
        own = [t["team_id"] for t in body["teams"] if not t["mutual_aid"]][:1]
        for team_id in own:
            headers = {**self.auth, "Idempotency-Key": f"load-{RUN}-d-{uuid.uuid4().hex}"}
            payload = {"incident_id": incident_id, "team_id": team_id}
            url, name = f"{API}/dispatches", f"POST /dispatches [{phase}]"
            with self.client.post(url, json=payload, headers=headers, name=name, catch_response=True) as r:
                if r.status_code == 409:  # another operator took the team first: contention, not an error
                    r.success()
        for item in [s for s in body["supplies"] if s["suggested_quantity"] > 0][:1]:
            headers = {**self.auth, "Idempotency-Key": f"load-{RUN}-a-{uuid.uuid4().hex}"}
            payload = {"incident_id": incident_id, "supply_item_id": item["supply_item_id"], "quantity": 1}
            url, name = f"{API}/allocations", f"POST /allocations [{phase}]"
            with self.client.post(url, json=payload, headers=headers, name=name, catch_response=True) as r:
                if r.status_code == 409:  # the depot is short: an answer, not an error
                    r.success()


NEXT_STATUS = {"dispatched": "acknowledged", "acknowledged": "en_route", "en_route": "on_scene", "on_scene": "released"}


class TeamLeader(FastHttpUser):
    """Moves active dispatches along (acknowledge, en route, on scene, released), so teams come free again."""

    fixed_count = 2
    wait_time = constant(0.5)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {token(self.client)}"}

    @task
    def advance(self) -> None:
        page = self.client.get(
            f"{API}/dispatches?active=true&limit=50", headers=self.auth, name=f"GET /dispatches [{phase}]"
        )
        if page.status_code != 200 or not page.json()["items"]:
            return
        d = random.choice(page.json()["items"])
        url, name = f"{API}/dispatches/{d['id']}/status", f"POST /dispatches/{{id}}/status [{phase}]"
        body = {"status": NEXT_STATUS[d["status"]]}
        with self.client.post(url, json=body, headers=self.auth, name=name, catch_response=True) as r:
            if r.status_code in (409, 412):  # another leader moved it first (state, or version, changed under us)
                r.success()


class BoardViewer(FastHttpUser):
    """A board on the websocket feed: every event is a WS request timed commit → receipt."""

    fixed_count = VIEWERS
    wait_time = constant(1)

    def on_start(self) -> None:
        base = self.host or ""
        bearer = token(self.client)
        url = base.replace("http", "ws", 1) + f"{API}/ws?topics=incidents"
        # A server-side client: no Origin header (browsers send one, and it is checked against the allow-list).
        headers = [f"Authorization: Bearer {bearer}"]
        self.ws = websocket.create_connection(url, header=headers, timeout=30, suppress_origin=True)
        self.connected_at = time.monotonic()
        self.seen: set[int] = set()
        self.reader = gevent.spawn(self._read)

    def _read(self) -> None:
        while True:
            try:
                raw = self.ws.recv()
            except Exception:  # closed on stop, or the server went away: the end-of-run check counts the gap
                return
            if not raw:  # websocket-client answers a close frame with an empty string rather than raising
                return
            received = datetime.now(UTC)
            frame = json.loads(raw)
            if not isinstance(frame.get("seq"), int) or "at" not in frame:
                continue
            at = datetime.fromisoformat(frame["at"].replace("Z", "+00:00"))
            if frame["type"] == "incident.created":
                self.seen.add(int(frame["data"]["id"]))
            tally["events"] += 1
            report("WS", f"{frame['type']} [{phase}]", max(0.0, (received - at).total_seconds() * 1000), len(raw))

    @task
    def idle(self) -> None:
        """The reader greenlet does the work; the task only keeps the user alive."""

    def on_stop(self) -> None:
        expected = {i for i, sent in created.items() if sent > self.connected_at}
        deadline = time.monotonic() + GRACE_S
        while expected - self.seen and time.monotonic() < deadline:
            gevent.sleep(0.1)
        lost = expected - self.seen
        if lost:
            tally["lost"] += len(lost)
            report("CHECK", "lost incident.created events", 0, 0, AssertionError(f"{len(lost)} never arrived"))
        self.ws.close()
        self.reader.kill()


class SurgeShape(LoadTestShape):
    """Baseline → SURGE_FACTOR × baseline → baseline again; the callers' count sets the offered rate."""

    def tick(self) -> tuple[int, float] | None:
        global phase
        t = self.get_run_time()  # type: ignore[no-untyped-call]
        baseline, surge, recovery = PHASES
        if t < baseline:
            phase, rate = "baseline", BASELINE_RPS
        elif t < baseline + surge:
            phase, rate = "surge", BASELINE_RPS * SURGE_FACTOR
        elif t < baseline + surge + recovery:
            phase, rate = "recovery", BASELINE_RPS
        else:
            return None
        callers = math.ceil(rate / PER_CALLER_RPS)
        fixed = Operator.fixed_count + TeamLeader.fixed_count + BoardViewer.fixed_count
        return fixed + callers, max(10.0, float(callers))


def _merged(environment: Environment, keep: Any) -> dict[str, float | int | None]:
    """One entry over every stats row `keep` selects: Locust's per-row percentiles cannot be combined afterwards."""
    total = StatsEntry(environment.stats, "merged", "")
    for entry in environment.stats.entries.values():
        if keep(entry):
            total.extend(entry)
    some = total.num_requests > 0
    return {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p50_ms": total.get_response_time_percentile(0.5) if some else None,
        "p99_ms": total.get_response_time_percentile(0.99) if some else None,
    }


def _verdict(environment: Environment, **_: Any) -> None:
    path = os.environ.get("LOADTEST_SUMMARY")
    if path:
        merged = {
            "http": _merged(environment, lambda e: e.method not in ("WS", "CHECK")),
            "writes": _merged(environment, lambda e: e.name.startswith("POST /incidents")),
            "events": _merged(environment, lambda e: e.method == "WS"),
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"run": RUN, **tally, "incidents": len(created), "merged": merged}, f)
    if tally["lost"] or tally["duplicates"]:
        environment.process_exit_code = 1


events.quitting.add_listener(_verdict)  # type: ignore[no-untyped-call]
