"""Situation board benchmark: how fast an event shows on an open Situation page, and what idle tabs cost.

    python -m loadtests.bench_board [--incidents 20] [--tabs 10] [--idle 60] [--burst-rate 10] [--burst 30]

Starts `ercp demo` (API + board, embedded SQLite, demo data) on free loopback ports in a temp dir and drives
Debian's /usr/bin/chromium with Playwright (SwiftShader WebGL, so the maps really draw), then:

1. visibility: one operator tab on Situation; --incidents incidents POSTed through the API at random intervals
   (0.3–1.5 s); for each, the time from the POST's answer to its title being in the page (the page records
   when it first sees each title). Baseline, same run: the POST's own latency. Goal: p95 ≤ 1 s.
2. idle: --tabs Situation tabs open, no events, for --idle s: the board process's CPU as a share of one
   core. Baseline, same run: the board process with no tab open. Goal: ≤ 5 %.
3. burst: --burst-rate incidents/s for --burst s with the tabs open: board CPU, and visibility p95 on every
   tab. Goal: still ≤ 1 s.

Prints one report (also bench-output/board-*.txt). Everything stays on 127.0.0.1; the processes it starts are
stopped however it ends. Needs `apt-get install -y chromium fonts-noto-cjk` and the dev extras (playwright,
psutil via locust).
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import psutil
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("ERCP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-background-networking"]
# Records, in the page, when each bench title is first seen (the page's own clock is this machine's).
WATCH_JS = """() => {
  window.__seen = window.__seen || {};
  if (window.__watch) return;
  window.__watch = setInterval(() => {
    const list = document.querySelector('.st-key-incident_list');
    if (!list) return;
    for (const m of list.textContent.matchAll(/bench-[0-9]+-[0-9]+/g)) {
      if (!(m[0] in window.__seen)) window.__seen[m[0]] = Date.now();
    }
  }, 20);
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


@contextmanager
def demo(work: Path) -> Iterator[tuple[str, str, psutil.Process]]:
    api_port, board_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{work / 'bench.db'}", ERCP_BOARD_LANGUAGE="en")
    ercp = str(Path(sys.executable).with_name("ercp"))
    log = (work / "demo.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 (our own console script)
        [ercp, "demo", "--port", str(api_port), "--board-port", str(board_port), "--log-level", "warning"],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api, board = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{board_port}"
    try:
        for url in (f"{api}/readyz", f"{board}/_stcore/health"):
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"ercp demo did not come up:\n{(work / 'demo.log').read_text()}")
                try:
                    if httpx.get(url, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        children = psutil.Process(proc.pid).children(recursive=True)
        board_proc = next(p for p in children if "streamlit" in " ".join(p.cmdline()))
        yield api, board, board_proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def cpu_share(proc: psutil.Process, seconds: float) -> float:
    """The process's CPU over `seconds` of wall time, as a share of one core."""
    before = proc.cpu_times()
    start = time.monotonic()
    time.sleep(seconds)
    after = proc.cpu_times()
    used = (after.user - before.user) + (after.system - before.system)
    return used / (time.monotonic() - start)


def open_situation(browser: Browser, board: str) -> Page:
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.set_default_timeout(60_000)
    page.goto(board + "/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password", exact=True).fill("demo")
    page.get_by_role("button", name="Sign in").click()
    try:
        page.locator("[data-state=live]").wait_for()
    except Exception:
        page.screenshot(path="bench-output/board-failed.png")
        raise
    page.locator(".st-key-incident_list").wait_for()
    page.evaluate(WATCH_JS)
    return page


class Api:
    def __init__(self, base: str) -> None:
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "operator", "password": "demo"}).json()
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token['access_token']}"})
        self.rng = random.Random(17)

    def report(self, title: str) -> tuple[float, float]:
        """POST one incident; (answer time in ms since the epoch, request latency in s)."""
        body = {
            "title": title,
            "type": self.rng.choice(["fire", "road_traffic", "water_rescue"]),
            "lat": 20.6 + self.rng.random() * 0.5,
            "lon": 109.8 + self.rng.random() * 0.4,
        }
        start = time.perf_counter()
        r = self.http.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": title})
        r.raise_for_status()
        return time.time() * 1000, time.perf_counter() - start


def seen(pages: list[Page]) -> list[dict[str, float]]:
    return [dict(p.evaluate("() => window.__seen || {}")) for p in pages]


def visibility(answers: dict[str, float], pages: list[Page], wait_s: float = 10.0) -> list[float]:
    """Seconds from each POST's answer to its title on each page (missing after wait_s counts as wait_s)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and any(set(answers) - set(s) for s in seen(pages)):
        time.sleep(0.1)
    out = []
    for s in seen(pages):
        out += [max(0.0, (s.get(title, answers[title] + wait_s * 1000) - at) / 1000) for title, at in answers.items()]
    return out


def run(args: argparse.Namespace) -> list[str]:
    lines = [f"board benchmark {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores"]
    Path("bench-output").mkdir(exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        demo(Path(os.environ.get("BENCH_BOARD_DIR") or tmp)) as (api_url, board, board_proc),
        sync_playwright() as pw,
    ):
        api = Api(api_url)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        base_idle = cpu_share(board_proc, min(args.idle, 20))
        lines.append(f"board CPU, no tab open (baseline): {base_idle:.1%} of a core")

        first = open_situation(browser, board)
        answers: dict[str, float] = {}
        posts = []
        for i in range(args.incidents):
            title = f"bench-1-{i}"
            answers[title], latency = api.report(title)
            posts.append(latency)
            visibility({title: answers[title]}, [first])  # each one shown before the next is sent
            time.sleep(api.rng.uniform(0.3, 1.5))
        vis = visibility(answers, [first])
        lines.append(
            f"visibility, 1 tab, {args.incidents} incidents: p50 {pct(vis, 0.5):.2f} s  p95 {pct(vis, 0.95):.2f} s"
            f"  (POST latency p50 {pct(posts, 0.5) * 1000:.0f} ms, p95 {pct(posts, 0.95) * 1000:.0f} ms)"
            f"  goal p95 <= 1 s: {'PASS' if pct(vis, 0.95) <= 1 else 'FAIL'}"
        )

        pages = [first] + [open_situation(browser, board) for _ in range(args.tabs - 1)]
        time.sleep(5)  # let the tabs' first renders finish before measuring idle
        idle = cpu_share(board_proc, args.idle)
        lines.append(
            f"board CPU, {args.tabs} idle tabs, {args.idle:.0f} s: {idle:.1%} of a core "
            f"(baseline {base_idle:.1%})  goal <= 5 %: {'PASS' if idle <= 0.05 else 'FAIL'}"
        )

        answers = {}
        stop = threading.Event()
        n = int(args.burst_rate * args.burst)

        def fire() -> None:
            for i in range(n):
                if stop.is_set():
                    return
                title = f"bench-2-{i}"
                answers[title], _ = api.report(title)
                time.sleep(max(0.0, 1 / args.burst_rate - 0.001))

        sender = threading.Thread(target=fire)
        sender.start()
        busy = cpu_share(board_proc, args.burst)
        stop.set()
        sender.join()
        vis = visibility(dict(answers), pages, wait_s=15)
        lines.append(
            f"burst {args.burst_rate:.0f}/s for {args.burst:.0f} s ({len(answers)} incidents sent), {args.tabs} tabs: "
            f"board CPU {busy:.1%} of a core; visibility over all tabs p50 {pct(vis, 0.5):.2f} s "
            f"p95 {pct(vis, 0.95):.2f} s  goal p95 <= 1 s: {'PASS' if pct(vis, 0.95) <= 1 else 'FAIL'}"
        )
        browser.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--burst-rate", type=float, default=10.0)
    parser.add_argument("--burst", type=float, default=30.0)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    lines = run(args)
    report = "\n".join(lines)
    print(report, flush=True)
    out = Path("bench-output")
    out.mkdir(exist_ok=True)
    (out / f"board-{datetime.now():%Y%m%d-%H%M%S}.txt").write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
