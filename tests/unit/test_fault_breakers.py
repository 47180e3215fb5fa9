"""A failing Redis is left alone for a moment, not asked again per request or per event (R9).

The rate-limit middleware fails open at the first error and then skips the store until a background ping
finds it again; the outbox relay stops publishing a batch at the first bus error and skips the bus for a
standby interval (the events are in the log, where hubs read them).
"""

import asyncio
import time
from collections.abc import AsyncIterator, MutableMapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from limits.storage import MemoryStorage
from sqlalchemy import create_engine

from api.deps import VerifiedTokens
from api.metrics import Metrics
from api.ratelimit import RateLimitMiddleware
from realtime.bus import BusUnavailable
from realtime.relay import Relay

TOKEN_PATH = "/api/v1/auth/token"


class FlakyStorage(MemoryStorage):
    """Counters in memory that fail like an unreachable Redis while `down`."""

    def __init__(self) -> None:
        super().__init__()
        self.down = True
        self.asked = 0

    def acquire_entry(self, *args: Any, **kwargs: Any) -> bool:
        self.asked += 1
        if self.down:
            raise ConnectionError("store unreachable")
        return super().acquire_entry(*args, **kwargs)

    def check(self) -> bool:
        return not self.down


def _middleware(storage: FlakyStorage, passed: list[str]) -> tuple[RateLimitMiddleware, Metrics]:
    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        passed.append(scope["path"])

    metrics = Metrics()
    mw = RateLimitMiddleware(
        app,
        storage=storage,
        metrics=metrics,
        verified_tokens=VerifiedTokens(secret="k" * 64, max_age_seconds=60),
        token_path=TOKEN_PATH,
        per_address="100/minute",
        per_principal=None,
    )
    mw.remote = True  # ask it from a worker thread, as a Redis store is
    return mw, metrics


def _sign_in(mw: RateLimitMiddleware) -> None:
    scope = {"type": "http", "method": "POST", "path": TOKEN_PATH, "headers": [], "client": ("10.1.2.3", 4000)}

    async def nothing() -> dict[str, Any]:
        return {}

    async def drop(message: MutableMapping[str, Any]) -> None:
        return None

    asyncio.run(mw(scope, nothing, drop))


def test_after_one_store_failure_requests_pass_without_asking_until_a_ping_finds_it_again() -> None:
    storage, passed = FlakyStorage(), list[str]()
    mw, metrics = _middleware(storage, passed)
    for _ in range(5):
        _sign_in(mw)
    assert len(passed) == 5, "a rate-limit store outage must let requests through"
    assert storage.asked == 1, "only the first request should wait on the unreachable store"
    assert metrics.rate_limit_errors._value.get() == 5
    assert mw.store_down

    storage.down = False
    mw._probed_at = -1e9  # the next request may start a ping at once
    _sign_in(mw)
    deadline = time.monotonic() + 5
    while mw.store_down and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not mw.store_down, "the background ping should close the breaker once the store answers"
    _sign_in(mw)
    assert storage.asked == 2, "with the store back, requests are counted again"
    assert len(passed) == 7


class DeadBus:
    def __init__(self) -> None:
        self.published = 0

    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: str) -> None:
        self.published += 1
        raise BusUnavailable("paused")

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[str]]:
        raise NotImplementedError


def test_the_relay_gives_up_on_a_failing_bus_for_a_standby_interval() -> None:
    bus = DeadBus()
    engine = create_engine("sqlite://")
    relay = Relay(engine, bus, standby_interval=0.2)
    batch = [(seq, f'{{"seq": {seq}}}') for seq in range(1, 6)]

    async def scenario() -> list[int]:
        counts = []
        await relay._publish(batch)
        counts.append(bus.published)  # the first failure ends the batch
        await relay._publish(batch)
        counts.append(bus.published)  # within the interval: not tried
        await asyncio.sleep(0.25)
        await relay._publish(batch)
        counts.append(bus.published)  # tried again after it
        return counts

    try:
        assert asyncio.run(scenario()) == [1, 1, 2]
    finally:
        engine.dispose()
