"""Benchmark: writes and websocket deliveries through nginx over 1 and then 3 `ercp serve` processes, in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m tests.e2e.bench_scale_out

Each topology gets a fresh copy of one template database and its own Redis, and two steps:
- writes: `--rate` incident reports/s offered for `--seconds`; acknowledged writes/s, p50/p99 latency;
- fan-out: `--clients` websocket boards attached through nginx (spread over the processes by its round robin),
  then `--ws-rate` reports/s for `--ws-seconds`; deliveries/s from the first report until every board has
  every event (or the drain limit), and the delivery latency (receive time − the event's commit-time `at`).
Prints one line per topology and step, and the scaling ratios (3 ÷ 1). Figures for docs/capacity.md.
"""

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from loadtests import bench_ws_source as ws_source
from loadtests.bench_ws_clients import raise_nofile
from tests.e2e.cluster import Cluster, Writer, cluster, template_database
from tests.e2e.nginx import Nginx

DRAIN_S = 30.0  # after the last report: how long boards may take to receive the backlog


@dataclass(frozen=True)
class Writes:
    acked_per_s: float
    p50_ms: float
    p99_ms: float
    failed: int


@dataclass(frozen=True)
class Fanout:
    clients: int
    events: int
    deliveries: int
    expected: int
    per_s: float
    p50_ms: float
    p99_ms: float


def _writes(c: Cluster, lb: Nginx, rate: float, seconds: float) -> Writes:
    writer = Writer([lb.base], c.token("operator"), count=int(rate * seconds), rate=rate, tag="bench", in_flight=64)
    writer.start()
    writer.join(timeout=seconds * 10 + 60)
    ok = [w for w in writer.writes if w.status == 201]
    span = max(w.returned for w in writer.writes) - writer.started_at
    ms = sorted((w.returned - w.sent) * 1000 for w in ok)
    p99 = statistics.quantiles(ms, n=100)[98] if len(ms) > 1 else ms[0]
    return Writes(len(ok) / span, statistics.median(ms), p99, len(writer.writes) - len(ok))


def _fanout(c: Cluster, lb: Nginx, work: Path, clients: int, rate: float, seconds: float) -> Fanout:
    token = c.token("operator")
    ws_url = lb.base.replace("http://", "ws://") + "/api/v1/ws?topics=incidents"
    boards = ws_source.clients(ws_url, clients, token, deflate=False, log_dir=work, tag=f"p{len(c.apis)}")
    try:
        ready = boards.read()
        assert ready["failed"] == 0, f"{ready['failed']} of {clients} boards could not attach: {ready}"
        boards.ask("reset")
        writer = Writer([lb.base], token, count=int(rate * seconds), rate=rate, tag="fanout", in_flight=32)
        started = time.monotonic()
        writer.start()
        writer.join(timeout=seconds * 10 + 60)
        acked = sum(1 for w in writer.writes if w.status == 201)
        expected = acked * clients
        deadline = time.monotonic() + DRAIN_S
        while boards.ask("count")["deliveries"] < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        done = time.monotonic()
        stats = boards.ask("stats")
    finally:
        boards.stop()
    per_s = stats["deliveries"] / (done - started)
    return Fanout(clients, acked, stats["deliveries"], expected, per_s, stats["p50_ms"], stats["p99_ms"])


def run(template: str, processes: int, args: argparse.Namespace) -> tuple[Writes, Fanout]:
    with tempfile.TemporaryDirectory() as tmp, cluster(template, Path(tmp)) as c:
        # Every board signs in as one operator here; the per-user cap is for people, not for a benchmark.
        c.start_apis(*[f"p{i}" for i in range(processes)], ERCP_WS_MAX_PER_USER="100000")
        c.wait_leader()
        lb = Nginx(Path(tmp), [api.port for api in c.apis.values()])
        lb.start()
        try:
            lb.wait_ready()
            writes = _writes(c, lb, args.rate, args.seconds)
            # The fan-out step starts with an empty outbox: a saturated write step leaves a relay backlog whose
            # late deliveries would count in it.
            c.wait_all_published(timeout=300.0)
            fanout = _fanout(c, lb, Path(tmp), args.clients, args.ws_rate, args.ws_seconds)
        finally:
            lb.kill()
    return writes, fanout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=400.0, help="offered writes per second (write step)")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--clients", type=int, default=1500, help="websocket boards (fan-out step)")
    p.add_argument("--ws-rate", type=float, default=20.0, help="reports per second (fan-out step)")
    p.add_argument("--ws-seconds", type=float, default=10.0)
    args = p.parse_args()
    raise_nofile()  # thousands of sockets: clients, nginx and the API processes inherit the limit
    with template_database() as template:
        results = {n: run(template, n, args) for n in (1, 3)}
    for n, (w, f) in results.items():
        print(
            f"processes={n} writes: offered={args.rate:.0f}/s acked={w.acked_per_s:.1f}/s "
            f"p50_ms={w.p50_ms:.1f} p99_ms={w.p99_ms:.1f} failed={w.failed}"
        )
        print(
            f"processes={n} fan-out: clients={f.clients} events={f.events} deliveries={f.deliveries}/{f.expected} "
            f"held={f.per_s:.0f}/s p50_ms={f.p50_ms:.1f} p99_ms={f.p99_ms:.1f}"
        )
    print(f"scaling ratio writes (3 / 1): {results[3][0].acked_per_s / results[1][0].acked_per_s:.2f}")
    print(f"scaling ratio websocket deliveries (3 / 1): {results[3][1].per_s / results[1][1].per_s:.2f}")


if __name__ == "__main__":
    main()
