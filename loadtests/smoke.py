"""The load-test smoke run: a short surge against the embedded default, in under a minute.

    python -m loadtests.smoke [--out DIR]

Starts `ercp serve` on SQLite with the in-process bus and the demo data (the
zero-setup mode), runs `loadtests/locustfile.py` headless with a compressed
baseline → surge → recovery shape, and exits non-zero on any failed request,
lost event or duplicate incident. One summary line says what was measured.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from loadtests.bench_stack import api_server, free_port, run_ercp, server_env

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PASSWORD = "smoke-demo"  # noqa: S105 (the throwaway demo database of the run)
# Seconds of baseline, surge and recovery; rates in incident reports per second.
PHASES = "6,10,6"
BASELINE_RPS = "2"
SURGE_FACTOR = "5"


def run_locust(host: str, out_dir: Path, env: dict[str, str]) -> tuple[int, str]:
    argv = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host]
    argv += ["--csv", str(out_dir / "smoke"), "--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    (out_dir / "locust.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    return done.returncode, done.stdout + done.stderr


def totals(out_dir: Path) -> dict[str, float]:
    with (out_dir / "smoke_stats.csv").open(newline="") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    total = rows["Aggregated"]
    ws = [r for name, r in rows.items() if r["Type"] == "WS"]
    ws_count = sum(int(r["Request Count"]) for r in ws)
    ws_p95 = max((float(r["95%"]) for r in ws if int(r["Request Count"])), default=0.0)
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p95_ms": float(total["95%"]),
        "ws_events": ws_count,
        "ws_p95_ms": ws_p95,
    }


def stored_reports(host: str, run: str) -> int:
    """Incidents the server holds from this run (each key must have made exactly one)."""
    with httpx.Client(base_url=host, timeout=30) as client:
        token = client.post("/api/v1/auth/token", data={"username": "operator", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        count, cursor = 0, None
        while True:
            params: dict[str, str | int] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/v1/incidents", params=params, headers=headers).json()
            count += sum(1 for i in page["items"] if i["title"] == f"loadtest {run} report")
            cursor = page.get("next_cursor")
            if not cursor:
                return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.smoke", description=__doc__)
    parser.add_argument("--out", default="test-output/loadtest-smoke", help="logs and Locust CSVs go here")
    args = parser.parse_args(argv)
    out_dir = Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    db = out_dir / "smoke.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    env = server_env(url, ERCP_DEMO_PASSWORD=PASSWORD)
    run_ercp(["migrate"], env)
    run_ercp(["seed-demo"], env)
    server = api_server(url, free_port(), out_dir)
    server.env = env
    server.start()
    try:
        server.wait_ready()
        summary_path = out_dir / "summary.json"
        locust_env = {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
            "ERCP_USER": "operator",
            "ERCP_PASSWORD": PASSWORD,
            "LOADTEST_PHASES": PHASES,
            "LOADTEST_BASELINE_RPS": BASELINE_RPS,
            "LOADTEST_SURGE_FACTOR": SURGE_FACTOR,
            "LOADTEST_VIEWERS": "2",
            "LOADTEST_SUMMARY": str(summary_path),
        }
        code, output = run_locust(server.base_url, out_dir, locust_env)
        if not summary_path.exists():
            print(output[-3000:], file=sys.stderr)
            print("loadtest-smoke: FAILED (Locust did not finish)", file=sys.stderr)
            return 1
        tally = json.loads(summary_path.read_text())
        figures = totals(out_dir)
        stored = stored_reports(server.base_url, tally["run"])
    finally:
        server.stop()
    problems = []
    if code != 0:
        problems.append(f"locust exited {code}")
    if figures["failures"]:
        problems.append(f"{figures['failures']:.0f} failed requests")
    if tally["lost"]:
        problems.append(f"{tally['lost']} lost events")
    if tally["duplicates"] or stored != tally["created"]:
        problems.append(f"{stored} incidents stored for {tally['created']} reports")
    if not figures["ws_events"] or not tally["created"]:
        problems.append("nothing was measured")
    print(
        f"loadtest-smoke: requests={figures['requests']:.0f} failures={figures['failures']:.0f} "
        f"rps={figures['rps']:.1f} p95_ms={figures['p95_ms']:.0f} reports={tally['created']} stored={stored} "
        f"retries={tally['retries']} events={figures['ws_events']:.0f} event_p95_ms={figures['ws_p95_ms']:.0f} "
        f"lost={tally['lost']} duplicates={tally['duplicates']} seconds={time.monotonic() - started:.0f}"
        + (f"  FAILED: {'; '.join(problems)}" if problems else "  ok")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
