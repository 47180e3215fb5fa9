"""Run one scenario in a Locust process of its own and read back its statistics.

The generator must not share a process (or a GIL) with the server it measures,
and FastHttpUser drives about 4× what HttpUser does on this kind of machine
(DESIGN §11), so the generator is not what gets measured.
"""

import csv
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LOCUSTFILE = Path(__file__).with_name("locustfile_bench.py")
RECOMMEND_NAME = "GET /incidents/{id}/recommendations"
RECOMMEND_SUPPLIES_NAME = "GET /incidents/{id}/recommendations?supplies= (3 categories)"
PACED_PER_USER = 2.0  # requests/s of each user of the paced recommendation scenarios (locustfile_bench)
PACED_MIN_SAMPLES = 1200  # a paced run lasts long enough for its p99 to rest on about this many requests
EXHAUSTED = "BENCH: team pool exhausted"


@dataclass(frozen=True)
class Scenario:
    key: str
    user_class: str  # in locustfile_bench.py
    name: str  # the request name the users report under
    target: str  # "api" or "bare": which server it loads
    pacing: str = ""  # how users pace themselves; empty: no wait (closed loop, saturating)
    # A paced scenario sends few requests per second; it runs at least this long so that its p99
    # rests on over a thousand samples rather than on the run's three or four slowest.
    min_seconds: int = 0

    @property
    def label(self) -> str:
        return f"{self.name} @ {self.pacing}" if self.pacing else self.name


@dataclass
class Result:
    scenario: Scenario
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    note: str = ""
    skipped: bool = False


SCENARIOS = (
    Scenario("healthz", "Healthz", "GET /healthz", "api"),
    Scenario("bare", "BareInsert", "POST /bare", "bare"),
    Scenario("recommendations", "Recommendations", RECOMMEND_NAME, "api"),
    Scenario(
        "recommendations_paced",
        "RecommendationsPaced",
        RECOMMEND_NAME,
        "api",
        "Poisson, 2/s per user",
        min_seconds=60,
    ),
    Scenario("recommendations_supplies", "RecommendationsWithSupplies", RECOMMEND_SUPPLIES_NAME, "api"),
    Scenario("incidents", "ReportIncident", "POST /incidents", "api"),
    Scenario("dispatches", "Dispatch", "POST /dispatches", "api"),
)


def paced_recommendations(rate: float) -> tuple[Scenario, int]:
    """The paced recommendation scenario offered at `rate` req/s, and the users (at PACED_PER_USER each) it takes.

    More users rather than faster ones: each user waits for its answer, so a
    few fast users would offer less than `rate` once answers slow down.
    """
    users = max(1, math.ceil(rate / PACED_PER_USER))
    pacing = f"Poisson, {rate:g} req/s offered ({users} users)"
    min_seconds = math.ceil(PACED_MIN_SAMPLES / rate)
    return Scenario(
        f"recommendations_at_{rate:g}", "RecommendationsPaced", RECOMMEND_NAME, "api", pacing, min_seconds
    ), users


def run(scenario: Scenario, *, host: str, users: int, duration_s: int, data_path: Path, out_dir: Path) -> Result:
    prefix = out_dir / scenario.key
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host]
    argv += ["-u", str(users), "-r", str(users), "-t", f"{duration_s}s", "--stop-timeout", "5"]
    # Stats restart once every user is running, so the ramp-up second is not averaged in;
    # failures are reported in the table, so they must not turn into a non-zero exit here.
    argv += ["--reset-stats", "--only-summary", "--csv", str(prefix), "--exit-code-on-error", "0"]
    argv += ["--loglevel", "WARNING", scenario.user_class]
    log_path = out_dir / f"{scenario.key}.locust.log"
    env = {**os.environ, "BENCH_DATA": str(data_path), "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        done = subprocess.run(  # noqa: S603 (our own argv, no shell)
            argv, stdout=log, stderr=subprocess.STDOUT, timeout=duration_s + 60, check=False, env=env
        )
    output = log_path.read_text(errors="replace")
    if done.returncode != 0:
        raise RuntimeError(f"locust ({scenario.key}) exited {done.returncode}; see {log_path}:\n{output[-2000:]}")
    result = _parse(scenario, prefix)
    if EXHAUSTED in output:
        result.note = _join(result.note, "team pool exhausted before the time was up")
    return result


def _parse(scenario: Scenario, prefix: Path) -> Result:
    result = Result(scenario)
    with Path(f"{prefix}_stats.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == scenario.name:
                result.requests = int(row["Request Count"])
                result.failures = int(row["Failure Count"])
                result.rps = float(row["Requests/s"])
                result.p50_ms = float(row["50%"]) if result.requests else 0.0
                result.p99_ms = float(row["99%"]) if result.requests else 0.0
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as f:
            rows = sorted(csv.DictReader(f), key=lambda r: -int(r["Occurrences"]))
        if rows:
            result.note = f"most frequent failure ({rows[0]['Occurrences']}×): {rows[0]['Error'][:160]}"
    return result


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
