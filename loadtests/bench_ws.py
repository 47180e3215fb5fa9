"""Websocket fan-out benchmark: commit → client latency and the deliveries/s one API process holds.

    python -m loadtests.bench_ws [--clients 1000] [--rate 20] [--warmup 5] [--duration 30]
                                 [--steps 5,10,...] [--max-seconds 240]

Stands up a fresh PostgreSQL database and ONE `ercp serve` process (1 worker,
REDIS_URL unset → the in-process memory bus), connects N websocket clients
(`topics=incidents`) from a separate process, then:

1. `POST /api/v1/incidents` at --rate events/s for --warmup s, not measured (a
   fresh process compiles statements and fills caches on its first requests),
   then for --duration s: p50/p99 of receive time − the envelope's `at`
   (written in the transaction), over every delivery;
2. steps the rate up (or down) the ladder until p99 passes 1 s, the source
   cannot keep the rate, or deliveries go missing: the highest deliveries/s held;
3. the same with plain SQL rows in `outbox_events` (relay → hub → clients, no HTTP write path);
4. a bare `websockets` server broadcasting the same payloads to as many clients
   from its own process: the limit on this machine, found the same way.

Prints RSS per 1,000 clients and PASS/FAIL for the goals (report also in
bench-output/ws-*.txt). Traffic stays on 127.0.0.1; every process it started is
stopped and the database dropped, however it ends.
"""

import argparse
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from loadtests import bench_stack
from loadtests import bench_ws_report as report
from loadtests import bench_ws_source as source
from loadtests.bench_load import Loader, login, say
from loadtests.bench_ws_clients import raise_nofile
from loadtests.bench_ws_report import Step

DEFAULT_DB = "postgresql://postgres@127.0.0.1/test"
LADDER = "5,10,15,20,30,40,60,80,120,160,240,320,480,640"
DRAIN_S = 3.0  # after the source stops, how long late deliveries still count
QUIET_S = 1.0  # between steps: no delivery for this long means the server's backlog is gone...
BACKLOG_MAX_S = 60.0  # ...or give up waiting after this
SETTLE_S = 2.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.bench_ws", description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--rate", type=float, default=20.0, help="events/s of the latency goal step")
    p.add_argument("--duration", type=float, default=30.0, help="seconds of the goal step")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds at the goal rate before it, not measured")
    p.add_argument("--step-seconds", type=float, default=8.0, help="seconds of each further step")
    p.add_argument("--steps", default=LADDER, help="ladder of events/s to climb (comma-separated)")
    p.add_argument("--max-seconds", type=float, default=270.0, help="no new step starts after this (whole run)")
    p.add_argument("--deflate", action="store_true", help="clients offer permessage-deflate, as browsers do")
    p.add_argument("--profile", action="store_true", help="py-spy the API in an extra step (after the measured ones)")
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--output-dir", type=Path, default=Path("bench-output"))
    return p.parse_args(argv)


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ladder = sorted({float(x) for x in args.steps.split(",") if x.strip()})
        self.deadline = time.monotonic() + args.max_seconds

    def step(self, path: str, rate: float, seconds: float, send: Callable[[float, float], source.Sent],
             clients: source.Child, pid: int) -> Step:  # fmt: skip
        clients.ask("reset")
        cpu0, t0 = source.cpu_seconds(pid), time.monotonic()
        sent = send(rate, seconds)
        drain_until = time.monotonic() + DRAIN_S
        while time.monotonic() < drain_until:
            count = clients.ask("count")
            if count["deliveries"] >= sent.events * count["open"]:
                break
            time.sleep(0.1)
        cpu = (source.cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
        s = Step(path, sent, clients.ask("stats"), cpu)
        say(s.row().strip())
        waited = self.quiet(clients)
        if waited > QUIET_S + 0.5:
            say(f"waited {waited:.1f} s for the server's backlog to drain before the next step")
        return s

    def quiet(self, clients: source.Child) -> float:
        """Wait until no delivery arrives for QUIET_S: a late backlog must not count in the next step."""
        t0 = time.monotonic()
        last, since = clients.ask("count")["total"], time.monotonic()
        while time.monotonic() - since < QUIET_S and time.monotonic() - t0 < BACKLOG_MAX_S:
            time.sleep(0.25)
            now = clients.ask("count")["total"]
            if now != last:
                last, since = now, time.monotonic()
        return time.monotonic() - t0

    def climb(self, run_at: Callable[[float], Step], start: float, ceiling: float = float("inf")) -> list[Step]:
        """From `start` up the ladder while rates are held (below `ceiling`), or down until one is."""
        i = max([j for j, r in enumerate(self.ladder) if r <= start] or [0])
        steps = [run_at(self.ladder[i])]
        up = steps[0].held
        while time.monotonic() < self.deadline:
            i += 1 if up else -1
            if not 0 <= i < len(self.ladder) or self.ladder[i] >= ceiling:
                break
            steps.append(run_at(self.ladder[i]))
            if steps[-1].held != up:
                break
        return steps


def connect(url: str, n: int, token: str | None, deflate: bool, work: Path, tag: str) -> source.Child:
    say(f"connecting {n} websocket clients to {url} ...")
    child = source.clients(url, n, token, deflate, work, tag)
    ready = child.read()
    say(f"{ready['ready']} connected, {ready['failed']} failed, in {ready['connect_s']:.1f} s")
    time.sleep(SETTLE_S)
    return child


def rss_line(name: str, before_kb: int, after_kb: int, n: int) -> str:
    per = (after_kb - before_kb) / n * 1000 / 1024 if n else float("nan")
    return f"{name}: {before_kb / 1024:.0f} MiB idle → {after_kb / 1024:.0f} MiB with {n} clients = {per:.1f} MiB/1,000"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"ws-{stamp}-", dir=args.output_dir))
    nofile = raise_nofile()  # inherited by the API server and every helper
    password = secrets.token_urlsafe(16)
    rng = random.Random(2018)
    run = Run(args)
    db = bench_stack.BenchDatabase(args.database_url, name=f"ercp_benchws_{secrets.token_hex(4)}")
    api: bench_stack.Server | None = None
    children: list[source.Child] = []
    started = time.monotonic()
    try:
        say(f"creating database {db.name}")
        db.create()
        env = bench_stack.server_env(db.url, ERCP_NEW_USER_PASSWORD=password)
        bench_stack.run_ercp(["migrate"], env)
        for user, role in (("bench-admin", "admin"), ("bench-operator", "operator")):
            bench_stack.run_ercp(["users", "create", user, "--role", role], env)
        api = bench_stack.api_server(db.url, bench_stack.free_port(), work)
        api.start()
        api.wait_ready()
        assert api.proc is not None
        pid = api.proc.pid
        with httpx.Client(base_url=api.base_url, timeout=30.0) as client:
            admin, operator = (login(client, u, password) for u in ("bench-admin", "bench-operator"))
            Loader(client, admin, operator, rng).jurisdictions()
        rss0 = source.proc_status(pid, "VmRSS")
        ws_url = f"ws://127.0.0.1:{api.port}/api/v1/ws?topics=incidents"
        cl = connect(ws_url, args.clients, operator, args.deflate, work, "api")
        children.append(cl)
        n_api = int(cl.ask("count")["open"])
        rss1 = source.proc_status(pid, "VmRSS")

        base_url = api.base_url

        def post(rate: float, seconds: float) -> source.Sent:
            return source.post_incidents(base_url, operator, rate, seconds, rng)

        def http(rate: float, seconds: float = args.step_seconds) -> Step:
            return run.step("http", rate, seconds, post, cl, pid)

        if args.warmup > 0:
            say(f"warm-up: {args.rate:g} events/s for {args.warmup:g} s (not measured)")
            post(args.rate, args.warmup)
            run.quiet(cl)
        say(f"goal step: {args.rate:g} events/s for {args.duration:g} s")
        goal = http(args.rate, args.duration)
        if goal.held:  # climb from the next rung above the goal rate
            http_steps = run.climb(http, min([r for r in run.ladder if r > args.rate] or [args.rate]))
        else:  # find the highest rung below it that holds
            http_steps = run.climb(http, max([r for r in run.ladder if r < args.rate] or [args.rate]), args.rate)
        sample: dict[str, Any] = orjson.loads(goal.stats["sample"])["data"]
        top = report.best([goal, *http_steps])
        first_id = 10_000_000

        def insert(rate: float, seconds: float) -> source.Sent:
            nonlocal first_id
            first_id += 1_000_000
            return source.insert_outbox(db.url, sample, rate, seconds, first_id)

        def outbox(rate: float) -> Step:
            return run.step("outbox", rate, args.step_seconds, insert, cl, pid)

        outbox_steps = run.climb(outbox, top.sent.target if top else run.ladder[0])
        profile_lines: list[str] = []
        if args.profile:
            raw = work / "api-profile.txt"
            spy = report.start_profile(pid, args.step_seconds, raw)
            say(f"profiling the API at {args.rate:g} events/s (not part of the figures above)")
            http(args.rate)
            if spy is not None and spy.wait(30) == 0:
                profile_lines = [
                    f"py-spy --gil (where the interpreter runs) of the API process, {args.rate:g} events/s via POST:"
                ]
                profile_lines += report.summarise_profile(raw)
        cl.stop()

        data_file = work / "sample-data.json"
        data_file.write_bytes(orjson.dumps(sample))
        bare = source.bare_server(bench_stack.free_port(), data_file, work)
        children.append(bare)
        bare_port = bare.read()["listening"]
        bare_rss0 = source.proc_status(bare.proc.pid, "VmRSS")
        bcl = connect(f"ws://127.0.0.1:{bare_port}/", args.clients, None, args.deflate, work, "bare")
        children.append(bcl)
        bare_rss1 = source.proc_status(bare.proc.pid, "VmRSS")

        def bare_step(rate: float) -> Step:
            def send(r: float, s: float) -> source.Sent:
                answer = bare.ask(f"{r} {s}")
                return source.Sent(r, events=int(answer["events"]), seconds=float(answer["seconds"]))

            return run.step("bare", rate, args.step_seconds, send, bcl, bare.proc.pid)

        best_fanout = report.best(outbox_steps)
        bare_steps = run.climb(bare_step, best_fanout.sent.target if best_fanout else run.ladder[0])

        settings = [
            ("machine", f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"),
            ("server", "1 `ercp serve` process (1 uvicorn worker), REDIS_URL unset → in-process memory bus, "
                       f"PostgreSQL {db.name} (dropped after)"),
            ("clients", f"{n_api} (API) / {int(bcl.ask('count')['open'])} (bare), one asyncio process each side "
                        f"(websockets sans-I/O), topics=incidents, deflate offered: {'yes' if args.deflate else 'no'},"
                        f" negotiated: {', '.join(goal.stats['extensions'])}"),
            ("payload", f"{goal.stats['mean_bytes']:.0f} bytes per incident.created envelope"),
            ("latency", "receive time − envelope `at` (set in the writing transaction; bare: at send)"),
            ("steps", f"goal {args.duration:g} s after {args.warmup:g} s unmeasured at its rate, others "
                      f"{args.step_seconds:g} s + ≤ {DRAIN_S:g} s drain; a step "
                      "counts only events sent in it; srv/cli CPU = share of one core"),
            ("RSS", rss_line("API", rss0, rss1, n_api)),
            ("", rss_line("bare", bare_rss0, bare_rss1, args.clients)),
            ("open files", f"RLIMIT_NOFILE soft {nofile}"),
            ("wall time", f"{time.monotonic() - started:.0f} s"),
        ]  # fmt: skip
        groups = [("api, POST /incidents", [goal, *http_steps]), ("api, outbox rows", outbox_steps),
                  ("bare websockets", bare_steps)]  # fmt: skip
        text = report.render(settings, goal, groups, profile_lines)
        print("\n" + text, flush=True)
        report_path = args.output_dir / f"ws-{stamp}.txt"
        report_path.write_text(text, encoding="utf-8")
        print(f"report written to {report_path}; logs in {work}", flush=True)
        return 0
    finally:
        for child in reversed(children):
            child.stop()
        if api is not None:
            api.stop()
        try:
            db.drop()
        except Exception as exc:  # a failed cleanup must not hide the error that got us here
            print(f"could not drop {db.name}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
