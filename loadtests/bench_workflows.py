"""Workflow benchmark: a city-sized library in PostgreSQL, the dispatch workflows under load, two baselines.

    python -m loadtests.bench_workflows [--teams 10000] [--depots 1000] [--duration 20] [--users 10]

Stands up a fresh database and one API worker, loads the library through the
API, then runs each scenario for the same time with the same users: `GET /healthz`
and a bare one-row insert (baselines), recommendations, `POST /incidents`,
`POST /dispatches`. Prints a table (also written to bench-output/) with ratios
to the baselines of this run, and PASS/FAIL against the goals. Everything it
started is stopped, and its database dropped, however it ends.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from loadtests import bench_locust, bench_report, bench_stack
from loadtests.bench_load import Loader, login, say, timed

DEFAULT_DB = "postgresql://postgres@127.0.0.1/test"
RECOMMEND_PATH = re.compile(r"^/api/v1/incidents/\{[a-z_]+\}/recommendations$")
# The roster CSV of 10,000 teams is about 0.9 MiB; leave room above the 1 MiB default for bigger runs.
IMPORT_BODY_LIMIT = str(16 * 1024 * 1024)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtests.bench_workflows", description=__doc__.split("\n")[0])
    p.add_argument("--teams", type=int, default=10_000)
    p.add_argument("--depots", type=int, default=1_000)
    p.add_argument(
        "--supplies-per-depot", type=int, default=4, choices=range(0, 9), help="items of different categories"
    )
    p.add_argument("--incidents", type=int, default=200, help="incidents created before the load (targets)")
    p.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    p.add_argument("--users", type=int, default=10, help="concurrent simulated users per scenario")
    p.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
        help="any PostgreSQL database on the server to use; the benchmark creates and drops its own next to it",
    )
    p.add_argument(
        "--capacity-ladder",
        default="50,100,150,200,300",
        help="req/s to offer recommendations at (Poisson arrivals), climbed while p99 stays within the goal; "
        "empty to skip",
    )
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--output-dir", type=Path, default=Path("bench-output"))
    return p.parse_args(argv)


def recommendations_route(client: httpx.Client) -> bool:
    paths = client.get("/openapi.json").json().get("paths", {})
    return any(RECOMMEND_PATH.match(p) and "get" in ops for p, ops in paths.items())


def unloaded_latency_ms(client: httpx.Client, path: str, token: str, n: int = 30) -> float:
    """Median of sequential requests on an idle server: the work of one request, without queueing."""
    took = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        took.append((time.perf_counter() - started) * 1000)
    return statistics.median(took)


def capacity(
    ladder: list[float], *, host: str, duration_s: int, data_path: Path, out_dir: Path
) -> list[bench_locust.Result]:
    """Recommendations offered at each rate of the ladder until p99 passes the goal or the rate is not kept."""
    out = []
    for rate in ladder:
        scenario, users = bench_locust.paced_recommendations(rate)
        seconds = max(duration_s, scenario.min_seconds)
        say(f"{scenario.label}: {seconds} s ...")
        r = bench_locust.run(scenario, host=host, users=users, duration_s=seconds, data_path=data_path, out_dir=out_dir)
        say(f"{scenario.label}: {r.requests} requests, {r.failures} failures, {r.rps:.0f}/s, p99 {r.p99_ms:.0f} ms")
        out.append(r)
        if not bench_report.within_goal(r, offered=rate):
            break
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"workflows-{stamp}-", dir=args.output_dir))
    report_path = args.output_dir / f"workflows-{stamp}.txt"
    password = secrets.token_urlsafe(16)
    rng = random.Random(args.seed)
    db = bench_stack.BenchDatabase(args.database_url)
    servers: list[bench_stack.Server] = []
    started = time.monotonic()
    try:
        say(f"creating database {db.name}")
        db.create()
        env = bench_stack.server_env(db.url, ERCP_NEW_USER_PASSWORD=password)
        timed("migrate", lambda: bench_stack.run_ercp(["migrate"], env))
        for user, role in (("bench-admin", "admin"), ("bench-operator", "operator")):
            bench_stack.run_ercp(["users", "create", user, "--role", role], env)
        api = bench_stack.api_server(db.url, bench_stack.free_port(), work, ERCP_MAX_BODY_BYTES=IMPORT_BODY_LIMIT)
        bare = bench_stack.baseline_server(db.url, bench_stack.free_port(), work)
        servers += [api, bare]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        say(f"API on {api.base_url}, bare baseline on {bare.base_url} (logs in {work})")

        with httpx.Client(base_url=api.base_url, timeout=60.0) as client:
            admin, operator = (login(client, u, password) for u in ("bench-admin", "bench-operator"))
            loader = Loader(client, admin, operator, rng)
            timed("jurisdictions", loader.jurisdictions)
            depot_ids: list[int] = timed("depots", lambda: loader.depots(args.depots))
            if args.supplies_per_depot:
                timed("supply items", lambda: loader.supplies(depot_ids, args.supplies_per_depot))
            timed("teams", lambda: loader.teams(args.teams))
            team_ids = loader.dispatchable_team_ids()
            incident_ids: list[int] = timed("incidents", lambda: loader.incidents(args.incidents))
            autovacuum = timed("ANALYZE", db.analyze)
            tokens = loader.tokens("bench-operator", password, args.users)
            has_recommend = recommendations_route(client)
            unloaded = (
                unloaded_latency_ms(client, f"/api/v1/incidents/{incident_ids[0]}/recommendations", operator)
                if has_recommend
                else None
            )
        data_path = work / "data.json"
        data = {"tokens": tokens, "incident_ids": incident_ids, "team_ids": team_ids, "seed": args.seed}
        data_path.write_text(json.dumps(data))

        results = []
        for scenario in bench_locust.SCENARIOS:
            if scenario.key.startswith("recommendations") and not has_recommend:
                note = "route GET /api/v1/incidents/{id}/recommendations is not in this build's OpenAPI yet"
                results.append(bench_locust.Result(scenario, skipped=True, note=note))
                say(f"{scenario.label}: skipped ({note})")
                continue
            seconds = max(args.duration, scenario.min_seconds)
            say(f"{scenario.label}: {args.users} users for {seconds} s ...")
            host = bare.base_url if scenario.target == "bare" else api.base_url
            r = bench_locust.run(
                scenario, host=host, users=args.users, duration_s=seconds, data_path=data_path, out_dir=work
            )
            if scenario.key == "recommendations" and unloaded is not None:
                r.note = f"one request at a time (no other bench load): median {unloaded:.1f} ms"
            say(f"{scenario.label}: {r.requests} requests, {r.failures} failures, {r.rps:.0f}/s, p99 {r.p99_ms:.0f} ms")
            results.append(r)

        ladder = sorted({float(x) for x in args.capacity_ladder.split(",") if x.strip()})
        if has_recommend and ladder:
            results += capacity(ladder, host=api.base_url, duration_s=args.duration, data_path=data_path, out_dir=work)

        settings = [
            ("machine", f"{os.cpu_count()} CPUs (nproc), {platform.machine()}, Python {platform.python_version()}"),
            ("data", f"{args.teams} teams, {args.depots} depots, {args.supplies_per_depot * args.depots} supply "
                     f"items, {len(incident_ids)} target incidents, {len(team_ids)} dispatchable teams"),
            ("load", f"{args.users} users (Locust FastHttpUser, own process), {args.duration} s per scenario "
                     f"(paced ones at least {max(s.min_seconds for s in bench_locust.SCENARIOS)} s)"),
            ("servers", f"1 uvicorn worker each (ercp serve / baseline_app), log level {bench_stack.SERVER_LOG_LEVEL}"),
            ("database", f"PostgreSQL {db.name} (created and dropped by this run); ANALYZE after the load "
                         f"(server autovacuum={autovacuum})"),
            ("seed", str(args.seed)),
            ("wall time", f"{time.monotonic() - started:.0f} s"),
        ]  # fmt: skip
        text = bench_report.render(results, settings)
        print("\n" + text, flush=True)
        report_path.write_text(text, encoding="utf-8")
        print(f"report written to {report_path}; Locust CSVs and server logs in {work}", flush=True)
        return 0
    finally:
        for server in servers:
            server.stop()
        try:
            db.drop()
        except Exception as exc:  # a failed cleanup must not hide the error that got us here
            print(f"could not drop {db.name}: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
