"""Real concurrent HTTP clients: N threads, each with its own connection, released together by a barrier."""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, object]
    headers: dict[str, str]
    ms: float


class Crowd:
    def __init__(self, base_url: str, size: int) -> None:
        self.size = size
        self.clients = [httpx.Client(base_url=base_url, timeout=60) for _ in range(size)]
        self.pool = ThreadPoolExecutor(max_workers=size)

    def run(self, request: Callable[[httpx.Client, int], httpx.Response]) -> list[Answer]:
        """Call `request(client, i)` on every client at once; answers in client order."""
        barrier = threading.Barrier(self.size)

        def one(i: int) -> Answer:
            barrier.wait()
            t0 = time.perf_counter()
            r = request(self.clients[i], i)
            ms = (time.perf_counter() - t0) * 1000
            body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            return Answer(r.status_code, body, dict(r.headers), ms)

        return list(self.pool.map(one, range(self.size)))

    def close(self) -> None:
        self.pool.shutdown()
        for c in self.clients:
            c.close()


@contextmanager
def crowd(base_url: str, size: int) -> Iterator[Crowd]:
    c = Crowd(base_url, size)
    try:
        yield c
    finally:
        c.close()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0
