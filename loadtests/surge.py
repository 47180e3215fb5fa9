"""The full surge: baseline → 10× surge → recovery against PostgreSQL + Redis, then a Markdown report with charts.

    python -m loadtests.surge [--baseline-rps 5] [--factor 10] [--phases 60,120,60] [--output-dir bench-output]

Needs a PostgreSQL server (DATABASE_URL or --database-url; a throw-away
database is created beside it and dropped after) and Redis (REDIS_URL). One
API worker with the demo data, the bare one-row insert app of
`loadtests.baseline_app`, and in the same run the two baselines (`GET /healthz`
and the bare insert, closed loop) before the surge shape of
`loadtests/locustfile.py`. Server CPU and memory are sampled each second.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil

from loadtests import bench_locust, bench_stack, surge_report
from loadtests.bench_load import say

DEFAULT_DB = "postgresql://postgres@127.0.0.1/test"
PASSWORD = "surge-demo"  # noqa: S105 (the throw-away database of the run)
BASELINE_USERS = 10
BASELINE_SECONDS = 15


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.surge", description=__doc__.split("\n")[0])
    p.add_argument("--baseline-rps", type=float, default=5.0, help="incident reports per second at baseline")
    p.add_argument("--factor", type=float, default=10.0, help="surge rate ÷ baseline rate")
    p.add_argument("--phases", default="60,120,60", help="seconds of baseline, surge, recovery")
    p.add_argument("--viewers", type=int, default=4, help="websocket board viewers")
    p.add_argument(
        "--knee-ladder",
        default="25,50,75,100,150",
        help="write rates (reports/s) offered after the surge, climbing while p99 ≤ 1 s; empty to skip",
    )
    p.add_argument("--knee-seconds", type=float, default=20.0, help="seconds per step of the knee ladder")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    p.add_argument("--output-dir", type=Path, default=Path("bench-output"))
    return p.parse_args(argv)


def shape(args: argparse.Namespace) -> str:
    return f"{args.baseline_rps:g} → {args.baseline_rps * args.factor:g} → {args.baseline_rps:g}"


class Sampler(threading.Thread):
    """CPU % and RSS of a server process and its children, once a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.samples: list[tuple[float, float, float]] = []
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def run(self) -> None:
        procs = [self.root, *self.root.children(recursive=True)]
        for p in procs:
            p.cpu_percent(None)
        while not self.stopping.wait(1.0):
            cpu = rss = 0.0
            for p in procs:
                try:
                    cpu += p.cpu_percent(None)
                    rss += p.memory_info().rss / 2**20
                except psutil.Error:
                    continue
            self.samples.append((time.monotonic() - self.started_at, cpu, rss))


class Profiler(threading.Thread):
    """py-spy on the API process during the surge phase: collapsed stacks for the report (when py-spy is there)."""

    def __init__(self, pid: int, start_after_s: float, seconds: float, out: Path) -> None:
        super().__init__(daemon=True)
        beside = Path(sys.executable).with_name("py-spy")
        self.exe = str(beside) if beside.exists() else shutil.which("py-spy")
        self.pid, self.start_after_s, self.seconds, self.out = pid, start_after_s, seconds, out
        self.error: str | None = None if self.exe else "py-spy is not installed"

    def run(self) -> None:
        if not self.exe:
            return
        time.sleep(self.start_after_s)
        argv = [self.exe, "record", "--pid", str(self.pid), "--duration", str(int(self.seconds)), "--rate", "50"]
        argv += ["--format", "raw", "--output", str(self.out), "--nonblocking", "--subprocesses"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=self.seconds + 60, check=False)  # noqa: S603
        if done.returncode != 0:
            self.error = done.stderr.strip()[-300:]


def baselines(api: bench_stack.Server, bare: bench_stack.Server, work: Path) -> dict[str, tuple[float, float]]:
    data = work / "bench-data.json"
    data.write_text(json.dumps({"tokens": ["unused"], "incident_ids": [1], "team_ids": [], "seed": 0}))
    out = {}
    for key, server in (("healthz", api), ("bare", bare)):
        scenario = next(s for s in bench_locust.SCENARIOS if s.key == key)
        r = bench_locust.run(
            scenario,
            host=server.base_url,
            users=BASELINE_USERS,
            duration_s=BASELINE_SECONDS,
            data_path=data,
            out_dir=work,
        )
        say(f"baseline {scenario.name}: {r.rps:.0f}/s, p99 {r.p99_ms:.0f} ms, {r.failures} failures")
        out[scenario.name] = (r.rps, r.p99_ms)
    return out


def run_shape(
    host: str, work: Path, key: str, *, phases: str, rps: float, factor: float, viewers: int
) -> tuple[int, Path]:
    """One run of the locustfile's shape; its CSVs (with the per-second history) under `work/key`."""
    env = {
        **os.environ,
        "ERCP_USER": "operator",
        "ERCP_PASSWORD": PASSWORD,
        "LOADTEST_PHASES": phases,
        "LOADTEST_BASELINE_RPS": str(rps),
        "LOADTEST_SURGE_FACTOR": str(factor),
        "LOADTEST_VIEWERS": str(viewers),
        "LOADTEST_SUMMARY": str(work / f"{key}-summary.json"),
    }
    prefix = work / key
    argv = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
    argv += ["--host", host, "--csv", str(prefix), "--csv-full-history", "--only-summary", "--stop-timeout", "15"]
    argv += ["--loglevel", "WARNING"]
    total = sum(float(x) for x in phases.split(","))
    with (work / f"{key}.locust.log").open("wb") as log:
        done = subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=total + 120, check=False)  # noqa: S603
    return done.returncode, prefix


def knee_ladder(host: str, work: Path, rates: list[float], seconds: float) -> list[tuple[float, float, float]]:
    """(offered, achieved, write p99 ms) per rate, climbing while p99 ≤ 1 s and the rate is kept within 5 %."""
    out = []
    for rate in rates:
        _, prefix = run_shape(host, work, f"knee-{rate:g}", phases=f"0,{seconds:g},0", rps=rate, factor=1, viewers=1)
        row = next(
            (r for r in surge_report.read_stats(Path(f"{prefix}_stats.csv")) if r.name == "POST /incidents [surge]"),
            None,
        )
        achieved, p99 = (row.requests / seconds, row.p99) if row else (0.0, float("inf"))
        say(f"knee ladder {rate:g}/s offered: {achieved:.1f}/s achieved, write p99 {p99:.0f} ms")
        out.append((rate, achieved, p99))
        if p99 > 1000 or abs(achieved - rate) > 0.05 * rate:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    phases = [float(x) for x in args.phases.split(",")]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"surge-{stamp}-", dir=args.output_dir))
    db = bench_stack.BenchDatabase(args.database_url)
    servers: list[bench_stack.Server] = []
    try:
        say(f"creating database {db.name}")
        db.create()
        env = bench_stack.server_env(db.url, REDIS_URL=args.redis_url, ERCP_DEMO_PASSWORD=PASSWORD)
        bench_stack.run_ercp(["migrate"], env)
        bench_stack.run_ercp(["seed-demo"], env)
        api = bench_stack.api_server(db.url, bench_stack.free_port(), work)
        api.env = env
        bare = bench_stack.baseline_server(db.url, bench_stack.free_port(), work)
        servers += [api, bare]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        found = baselines(api, bare, work)
        assert api.proc is not None
        sampler = Sampler(api.proc.pid)
        sampler.start()
        say(f"surge: {shape(args)} reports/s, phases {args.phases} s ...")
        load_before = os.getloadavg()[0]
        profiler = Profiler(api.proc.pid, phases[0], phases[1], work / "surge-profile.txt")
        profiler.start()
        code, prefix = run_shape(
            api.base_url,
            work,
            "surge",
            phases=args.phases,
            rps=args.baseline_rps,
            factor=args.factor,
            viewers=args.viewers,
        )
        profiler.join(timeout=120)
        load_after = os.getloadavg()[0]
        sampler.stopping.set()
        sampler.join()
        ladder = [float(x) for x in args.knee_ladder.split(",") if x.strip()]
        knee = knee_ladder(api.base_url, work, ladder, args.knee_seconds) if ladder else []
    finally:
        for server in servers:
            server.stop()
        db.drop()
    summary = work / "surge-summary.json"
    tally = json.loads(summary.read_text()) if summary.exists() else {}
    result = surge_report.Surge(
        stats=surge_report.read_stats(Path(f"{prefix}_stats.csv")),
        history=surge_report.read_history(Path(f"{prefix}_stats_history.csv")),
        tally=tally,
        samples=sampler.samples,
        baselines=found,
        offered={
            "baseline": args.baseline_rps,
            "surge": args.baseline_rps * args.factor,
            "recovery": args.baseline_rps,
        },
        phases_s=phases,
        notes=([] if code == 0 else [f"locust exited {code} (see surge.locust.log)"])
        + ([f"no profile: {profiler.error}"] if profiler.error else []),
        profile=surge_report.read_profile(work / "surge-profile.txt"),
        knee=knee,
    )
    images = surge_report.charts(result, work)
    settings = [
        ("machine", f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"),
        ("stack", "one API worker (`ercp serve`), PostgreSQL, Redis, demo data; Locust in its own process"),
        (
            "shape",
            f"{shape(args)} incident reports/s, phases {args.phases} s",
        ),
        ("background", f"2 operators, 2 team leaders, {args.viewers} websocket viewers throughout"),
        ("machine load", f"1-minute load average {load_before:.1f} before the surge, {load_after:.1f} after"),
    ]
    report = work / "surge-report.md"
    report.write_text(surge_report.markdown(result, images, settings), encoding="utf-8")
    print(report.read_text(encoding="utf-8"))
    say(f"report: {report}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
