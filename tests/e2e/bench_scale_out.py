"""Benchmark: incident writes and websocket deliveries through nginx over 1 and then 3 `ercp serve`, in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m tests.e2e.bench_scale_out

Offers `--rate` writes/s for `--seconds` to each topology (a fresh copy of one template database each) while
`--boards` websocket clients, attached through nginx (so spread over the processes), count the events they
receive. Prints acknowledged writes/s, p50/p99 latency, deliveries/s (events received by all boards per
second, from the first write to the last delivery) and the scaling ratios (3 ÷ 1). Figures for
docs/capacity.md. Run it on a quiet machine: the clients share its cores with the servers.
"""

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from websockets.asyncio.client import connect

from tests.e2e.cluster import Writer, cluster, template_database, wait_until
from tests.e2e.nginx import Nginx


class Boards(threading.Thread):
    """`count` websocket clients on one event loop, counting every event frame they receive."""

    def __init__(self, base: str, token: str, count: int) -> None:
        super().__init__(name="bench-boards", daemon=True)
        self.url = base.replace("http://", "ws://", 1) + "/api/v1/ws?topics=incidents"
        self.token, self.count = token, count
        self.attached = 0
        self.delivered = 0
        self.last_delivery = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[None] | None = None

    def run(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            asyncio.run(self._all())

    async def _all(self) -> None:
        self._loop, self._main = asyncio.get_running_loop(), asyncio.current_task()
        await asyncio.gather(*(self._one() for _ in range(self.count)))

    async def _one(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(self.url, additional_headers=headers, proxy=None, compression=None, open_timeout=10) as ws:
            self.attached += 1
            async for raw in ws:
                if b'"data"' in (raw if isinstance(raw, bytes) else raw.encode()):
                    self.delivered += 1
                    self.last_delivery = time.monotonic()

    def stop(self) -> None:
        if self._loop is not None and self._main is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._main.cancel)
        self.join(timeout=10)


@dataclass(frozen=True)
class Result:
    writes_per_s: float
    p50_ms: float
    p99_ms: float
    failed: int
    deliveries_per_s: float
    delivered: int
    expected: int


def run(template: str, processes: int, rate: float, seconds: float, boards: int) -> Result:
    with tempfile.TemporaryDirectory() as tmp, cluster(template, Path(tmp)) as c:
        c.start_apis(*[f"p{i}" for i in range(processes)])
        c.wait_leader()
        lb = Nginx(Path(tmp), [api.port for api in c.apis.values()])
        lb.start()
        try:
            lb.wait_ready()
            token = c.token("operator")
            clients = Boards(lb.base, token, boards)
            clients.start()
            wait_until(lambda: clients.attached == boards, 30.0, f"{boards} board clients to attach")
            writer = Writer([lb.base], token, count=int(rate * seconds), rate=rate, tag="bench", in_flight=64)
            writer.start()
            writer.join(timeout=seconds * 10 + 60)
            acked = sum(1 for w in writer.writes if w.status == 201)
            expected = acked * boards
            # Every board gets every event in the end; wait (bounded) for the last of them to land.
            deadline = time.monotonic() + 30.0
            while clients.delivered < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            clients.stop()
        finally:
            lb.kill()
    ok = [w for w in writer.writes if w.status == 201]
    span = max(w.returned for w in writer.writes) - writer.started_at
    ms = sorted((w.returned - w.sent) * 1000 for w in ok)
    p99 = statistics.quantiles(ms, n=100)[98] if len(ms) > 1 else ms[0]
    delivery_span = max(clients.last_delivery - writer.started_at, 1e-9)
    return Result(
        len(ok) / span,
        statistics.median(ms),
        p99,
        len(writer.writes) - len(ok),
        clients.delivered / delivery_span,
        clients.delivered,
        expected,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=400.0, help="offered writes per second")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--boards", type=int, default=40, help="websocket clients (one user: at most 50 per process)")
    args = p.parse_args()
    with template_database() as template:
        results = {n: run(template, n, args.rate, args.seconds, args.boards) for n in (1, 3)}
    for n, r in results.items():
        print(
            f"processes={n} offered={args.rate:.0f}/s acked={r.writes_per_s:.1f}/s "
            f"p50_ms={r.p50_ms:.1f} p99_ms={r.p99_ms:.1f} failed={r.failed} boards={args.boards} "
            f"deliveries={r.delivered}/{r.expected} deliveries_per_s={r.deliveries_per_s:.0f}"
        )
    print(f"scaling ratio writes (3 / 1): {results[3].writes_per_s / results[1].writes_per_s:.2f}")
    print(f"scaling ratio deliveries (3 / 1): {results[3].deliveries_per_s / results[1].deliveries_per_s:.2f}")


if __name__ == "__main__":
    main()
