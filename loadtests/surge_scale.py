"""The surge through nginx over 1 and then 3 `ercp serve` processes, in one run, and the scaling ratios.

    python -m loadtests.surge_scale [--processes 1,3] [--baseline-rps 5] [--factor 10] [--phases 30,60,30]
                                    [--knee-ladder 40,60,80,100,120] [--output-dir bench-output]

Needs PostgreSQL (DATABASE_URL or --database-url), Redis (REDIS_URL) and nginx.
Each topology gets a fresh database beside DATABASE_URL (migrated, demo data;
dropped after), N `ercp serve` processes with one signing key and one Redis
(one relay leader among them), and nginx rendered from deploy/nginx.conf in
front. Through nginx: a `GET /healthz` baseline (closed loop), then the surge
shape of `loadtests/locustfile.py`. Once, at the start, the bare one-row insert
baseline (the stack's write ceiling on this PostgreSQL). The topologies run one
after the other, never side by side, so they share the machine the same way.
With `--knee-ladder`, after each surge: write rates offered in steps, climbing
while p99 ≤ 1 s, for each topology's write capacity. Prints a Markdown report
(also saved in the run's directory): per topology requests/s, p99 (all requests
and POST /incidents), failures, viewer deliveries and lag, and the ratios of
the last topology to the first (3 ÷ 1). Ctrl-C or SIGTERM stops every process
and drops the databases.
"""

import argparse
import json
import os
import platform
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from loadtests import bench_locust, bench_nginx, bench_stack, surge, surge_report
from loadtests.bench_load import say

LEADER_TIMEOUT_S = 15.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.surge_scale", description=__doc__.split("\n")[0])
    p.add_argument("--processes", default="1,3", help="API processes behind nginx, one topology after the other")
    p.add_argument("--baseline-rps", type=float, default=5.0, help="incident reports per second at baseline")
    p.add_argument("--factor", type=float, default=10.0, help="surge rate ÷ baseline rate")
    p.add_argument("--phases", default="30,60,30", help="seconds of baseline, surge, recovery (per topology)")
    p.add_argument("--viewers", type=int, default=4, help="websocket board viewers")
    p.add_argument(
        "--baseline-seconds", type=int, default=surge.BASELINE_SECONDS, help="seconds per baseline; 0 skips them"
    )
    p.add_argument(
        "--knee-ladder",
        default="",
        help="write rates (reports/s) offered after each surge, climbing while p99 ≤ 1 s, e.g. 40,60,80,100; "
        "the highest rate kept is each topology's write capacity (empty: skipped)",
    )
    p.add_argument("--knee-seconds", type=float, default=15.0, help="seconds per step of the knee ladder")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", surge.DEFAULT_DB))
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    p.add_argument("--output-dir", type=Path, default=Path("bench-output"))
    args = p.parse_args(argv)
    args.counts = [int(x) for x in args.processes.split(",") if x.strip()]
    args.phases_s = [float(x) for x in args.phases.split(",")]
    args.ladder = [float(x) for x in args.knee_ladder.split(",") if x.strip()]
    if not args.counts or min(args.counts) < 1 or len(args.phases_s) != 3:
        p.error("--processes takes counts ≥ 1 (e.g. 1,3); --phases three durations")
    return args


@dataclass
class Topology:
    processes: int
    healthz: tuple[float, float] | None  # GET /healthz through nginx: req/s, p99 ms (None: skipped)
    locust_exit: int
    run: surge_report.Surge
    load: tuple[float, float]  # 1-minute load average before and after the surge
    knee: list[tuple[float, float, float]] = field(default_factory=list)  # (offered, achieved, write p99 ms)

    @property
    def merged(self) -> dict[str, dict[str, Any]]:
        return dict(self.run.tally.get("merged", {}))

    def per_phase(self, phase: str, *, events: bool) -> int:
        rows = surge_report.events_of(self.run, phase) if events else self._http(phase)
        return sum(r.requests for r in rows)

    def _http(self, phase: str) -> list[surge_report.Row]:
        return [r for r in self.run.stats if r.type not in ("WS", "CHECK") and r.name.endswith(f"[{phase}]")]

    def knee_rate(self) -> float | None:
        """The highest ladder rate served within 5 % at p99 ≤ 1 s; None without a ladder, 0 if not even the first."""
        if not self.knee:
            return None
        return max((offered for offered, achieved, p99 in self.knee if kept(offered, achieved, p99)), default=0.0)

    def figures(self) -> dict[str, float | int | None]:
        """Rates are floats, counts ints, and None where nothing was measured."""
        total_s = sum(self.run.phases_s)
        surge_s = self.run.phases_s[1]
        http, writes, events = (self.merged.get(k, {}) for k in ("http", "writes", "events"))
        surge_write = surge_report.write_row(self.run, "surge")
        return {
            "req/s (all requests, whole run)": http.get("requests", 0) / total_s,
            "req/s during the surge": self.per_phase("surge", events=False) / surge_s,
            "writes/s during the surge (achieved)": surge_write.requests / surge_s if surge_write else 0.0,
            "p99 ms, all requests": http.get("p99_ms"),
            "p99 ms, POST /incidents (all phases)": writes.get("p99_ms"),
            "p99 ms, POST /incidents during the surge": surge_write.p99 if surge_write else None,
            "failures": sum(r.failures for r in self.run.stats),
            "viewer deliveries (events received)": int(self.run.tally.get("events", 0)),
            "viewer deliveries/s during the surge": self.per_phase("surge", events=True) / surge_s,
            "viewer lag p50 ms (commit → viewer)": events.get("p50_ms"),
            "viewer lag p99 ms (commit → viewer)": events.get("p99_ms"),
            "lost events": int(self.run.tally.get("lost", 0)),
            "duplicate incidents": int(self.run.tally.get("duplicates", 0)),
            "503 retries": int(self.run.tally.get("retries", 0)),
            "knee: highest writes/s offered with p99 ≤ 1 s": self.knee_rate(),
            "GET /healthz req/s through nginx (baseline)": self.healthz[0] if self.healthz else None,
            "GET /healthz p99 ms through nginx (baseline)": self.healthz[1] if self.healthz else None,
        }


RATIOS = (
    "req/s (all requests, whole run)",
    "req/s during the surge",
    "writes/s during the surge (achieved)",
    "viewer deliveries/s during the surge",
    "knee: highest writes/s offered with p99 ≤ 1 s",
    "GET /healthz req/s through nginx (baseline)",
    "p99 ms, all requests",
    "p99 ms, POST /incidents (all phases)",
)


def kept(offered: float, achieved: float, p99_ms: float) -> bool:
    """A ladder step is served: p99 ≤ 1 s and at least 95 % of the offered rate.

    Only a shortfall counts: in a short step the callers' first round all fire at once, so the achieved
    rate can overshoot the offered one without saying anything about capacity.
    """
    return p99_ms <= 1000 and achieved >= 0.95 * offered


def knee_ladder(host: str, here: Path, rates: list[float], seconds: float) -> list[tuple[float, float, float]]:
    """(offered, achieved, write p99 ms) per rate of the ladder, climbing while each step is kept."""
    out = []
    for rate in rates:
        _, prefix = surge.run_shape(
            host, here, f"knee-{rate:g}", phases=f"0,{seconds:g},0", rps=rate, factor=1, viewers=1
        )
        rows = surge_report.read_stats(Path(f"{prefix}_stats.csv"))
        row = next((r for r in rows if r.name == "POST /incidents [surge]"), None)
        achieved, p99 = (row.requests / seconds, row.p99) if row else (0.0, float("inf"))
        say(f"knee ladder {rate:g}/s offered: {achieved:.1f}/s achieved, write p99 {p99:.0f} ms")
        out.append((rate, achieved, p99))
        if not kept(rate, achieved, p99):
            break
    return out


def _wait_leader(db: bench_stack.BenchDatabase) -> bool:
    deadline = time.monotonic() + LEADER_TIMEOUT_S
    while time.monotonic() < deadline:
        if db.advisory_locks() >= 1:
            return True
        time.sleep(0.2)
    return False


def _bare_baseline(args: argparse.Namespace, work: Path) -> tuple[float, float] | None:
    if args.baseline_seconds <= 0:
        return None
    db = bench_stack.BenchDatabase(args.database_url)
    bare = bench_stack.baseline_server(db.url, bench_stack.free_port(), work)
    try:
        db.create()
        bare.start()
        bare.wait_ready()
        scenario = next(s for s in bench_locust.SCENARIOS if s.key == "bare")
        r = bench_locust.run(
            scenario,
            host=bare.base_url,
            users=surge.BASELINE_USERS,
            duration_s=args.baseline_seconds,
            data_path=_bench_data(work),
            out_dir=work,
        )
    finally:
        bare.stop()
        db.drop()
    say(f"baseline POST /bare (direct): {r.rps:.0f}/s, p99 {r.p99_ms:.0f} ms, {r.failures} failures")
    return r.rps, r.p99_ms


def _bench_data(work: Path) -> Path:
    data = work / "bench-data.json"
    data.write_text(json.dumps({"tokens": ["unused"], "incident_ids": [1], "team_ids": [], "seed": 0}))
    return data


def _healthz_baseline(
    n: int, args: argparse.Namespace, lb: bench_stack.Server, here: Path
) -> tuple[float, float] | None:
    if args.baseline_seconds <= 0:
        return None
    scenario = next(s for s in bench_locust.SCENARIOS if s.key == "healthz")
    h = bench_locust.run(
        scenario,
        host=lb.base_url,
        users=surge.BASELINE_USERS,
        duration_s=args.baseline_seconds,
        data_path=_bench_data(here),
        out_dir=here,
    )
    say(f"{n} process(es): baseline GET /healthz via nginx {h.rps:.0f}/s, p99 {h.p99_ms:.0f} ms")
    return h.rps, h.p99_ms


def offered(args: argparse.Namespace) -> dict[str, float]:
    """Incident reports/s offered per phase."""
    return {"baseline": args.baseline_rps, "surge": args.baseline_rps * args.factor, "recovery": args.baseline_rps}


def run_topology(n: int, args: argparse.Namespace, work: Path) -> Topology:
    """N API processes and nginx on a fresh database: the healthz baseline, then the surge, all through nginx."""
    here = work / f"p{n}"
    here.mkdir()
    db = bench_stack.BenchDatabase(args.database_url)
    servers: list[bench_stack.Server] = []
    try:
        say(f"{n} process(es): database {db.name}, migrate, demo data")
        db.create()
        env = bench_stack.server_env(db.url, REDIS_URL=args.redis_url, ERCP_DEMO_PASSWORD=surge.PASSWORD)
        bench_stack.run_ercp(["migrate"], env)
        bench_stack.run_ercp(["seed-demo"], env)
        apis = [
            bench_stack.api_server(
                db.url,
                bench_stack.free_port(),
                here,
                name=f"api-{i}",
                REDIS_URL=args.redis_url,
                ERCP_DEMO_PASSWORD=surge.PASSWORD,
            )
            for i in range(n)
        ]
        servers += apis
        for api in apis:
            api.start()
        for api in apis:
            api.wait_ready()
        lb = bench_nginx.nginx_server([api.port for api in apis], here / "nginx")
        servers.append(lb)
        lb.start()
        lb.wait_ready()
        if not _wait_leader(db):
            say(f"warning: no relay leader within {LEADER_TIMEOUT_S:.0f} s; viewers may see events late")
        healthz = _healthz_baseline(n, args, lb, here)
        say(f"{n} process(es): surge {surge.shape(args)} reports/s, phases {args.phases} s ...")
        before = os.getloadavg()[0]
        code, prefix = surge.run_shape(
            lb.base_url,
            here,
            "surge",
            phases=args.phases,
            rps=args.baseline_rps,
            factor=args.factor,
            viewers=args.viewers,
        )
        after = os.getloadavg()[0]
        knee = knee_ladder(lb.base_url, here, args.ladder, args.knee_seconds)
    finally:
        for server in reversed(servers):  # nginx first, so nothing new reaches a stopping API process
            server.stop()
        db.drop()
    summary = here / "surge-summary.json"
    run = surge_report.Surge(
        stats=surge_report.read_stats(Path(f"{prefix}_stats.csv")),
        history=surge_report.read_history(Path(f"{prefix}_stats_history.csv")),
        tally=json.loads(summary.read_text()) if summary.exists() else {},
        samples=[],
        baselines={},
        offered=offered(args),
        phases_s=args.phases_s,
    )
    topology = Topology(n, healthz, code, run, (before, after), knee)
    f = topology.figures()
    say(
        f"{n} process(es): {_num(f['req/s (all requests, whole run)'])} req/s, "
        f"p99 {_num(f['p99 ms, all requests'])} ms, "
        f"writes p99 {_num(f['p99 ms, POST /incidents (all phases)'])} ms, failures {f['failures']}, "
        f"viewer deliveries {f['viewer deliveries (events received)']} "
        f"(lag p99 {_num(f['viewer lag p99 ms (commit → viewer)'])} ms), lost {f['lost events']}"
    )
    return topology


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    if isinstance(v, int):
        return str(v)
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}"


def markdown(args: argparse.Namespace, bare: tuple[float, float] | None, tops: list[Topology]) -> str:
    names = [f"nginx → {t.processes} `ercp serve`" for t in tops]
    lines = ["# Surge through nginx: scale-out", ""]
    lines += [
        f"- machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}; "
        "API processes, nginx, PostgreSQL, Redis and Locust share it",
        f"- shape: {surge.shape(args)} incident reports/s, phases {args.phases} s, per topology, one after the other",
        f"- background: 2 operators, 2 team leaders, {args.viewers} websocket viewers throughout, all through nginx",
        "- each topology: a fresh database with the demo data, the same Redis, one signing key",
        "- same-run baseline: bare one-row insert (direct, no nginx) "
        + (f"{bare[0]:.0f}/s, p99 {bare[1]:.0f} ms" if bare else "skipped (--baseline-seconds 0)"),
        "- machine load (1-minute average, before → after the surge): "
        + ", ".join(f"{t.processes} process(es) {t.load[0]:.1f} → {t.load[1]:.1f}" for t in tops),
        "",
        "| figure | " + " | ".join(names) + " |",
        "| --- |" + " --- |" * len(tops),
    ]
    keys = list(tops[0].figures())
    figs = [t.figures() for t in tops]
    lines += [f"| {k} | " + " | ".join(_num(f[k]) for f in figs) + " |" for k in keys]
    if len(tops) > 1:
        first, last = tops[0], tops[-1]
        lines += ["", f"## Scaling ratios ({last.processes} processes ÷ {first.processes})", ""]
        lines += ["| figure | ratio (for p99, below 1 is faster) |", "| --- | --- |"]
        for k in RATIOS:
            a, b = figs[0][k], figs[-1][k]
            lines.append(f"| {k} | {b / a:.2f} |" if a and b is not None else f"| {k} | — |")
    lines += ["", "## Targets of the surge, per topology", "", "| target | " + " | ".join(names) + " |"]
    lines += ["| --- |" + " --- |" * len(tops)]
    verdicts = [surge_report.targets(t.run) for t in tops]
    for i, (target, *_) in enumerate(verdicts[0]):
        cells = []
        for v in verdicts:
            _, measured, ok = v[i]
            cells.append(f"{measured} {'PASS' if ok else 'FAIL' if ok is False else ''}".strip())
        lines.append(f"| {target} | " + " | ".join(cells) + " |")
    notes = [f"{t.processes} process(es): locust exited {t.locust_exit}" for t in tops if t.locust_exit]
    notes += [
        f"{t.processes} process(es): the knee ladder's top rate was kept; the knee is higher"
        for t in tops
        if t.knee and t.knee_rate() == max(offered for offered, _, _ in t.knee) and len(t.knee) == len(args.ladder)
    ]
    lines += ["", "Writes/s and deliveries/s of the surge scale only where the offered surge exceeds what one process"]
    lines += ["serves; below that both topologies serve what is offered and those ratios stay near 1. The knee"]
    lines += ["ladder (`--knee-ladder`) measures each topology's write capacity instead."]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the `finally` blocks: processes stopped, databases dropped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if bench_nginx.binary() is None:
        say("nginx is not installed (apt-get install nginx)")
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"surge-scale-{stamp}-", dir=args.output_dir))
    bare = _bare_baseline(args, work)
    tops = [run_topology(n, args, work) for n in args.counts]
    report = work / "surge-scale-report.md"
    report.write_text(markdown(args, bare, tops), encoding="utf-8")
    print(report.read_text(encoding="utf-8"))
    say(f"report: {report}")
    return 0 if all(t.locust_exit == 0 for t in tops) else 1


if __name__ == "__main__":
    sys.exit(main())
