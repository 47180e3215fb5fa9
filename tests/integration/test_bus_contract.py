"""One contract for every bus (realtime.bus.Bus): MemoryBus always, RedisBus when REDIS_URL is set.

Like encode/broadcaster's tests/test_broadcast.py: the same cases run against each backend.
A subscription only counts once the subscriber has seen a probe message, so no case waits on time.
"""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from realtime.bus import Bus, BusUnavailable
from realtime.memory_bus import MemoryBus
from realtime.redis_bus import RedisBus

REDIS_URL = os.environ.get("REDIS_URL")
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _redis() -> Bus:
    assert REDIS_URL
    return RedisBus(REDIS_URL)


BUSES = [
    pytest.param(MemoryBus, id="memory"),
    pytest.param(_redis, id="redis", marks=pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")),
]


@pytest.fixture(params=BUSES)
def make_bus(request: pytest.FixtureRequest) -> Callable[[], Bus]:
    factory: Callable[[], Bus] = request.param
    return factory


def channel() -> str:
    return f"test.contract.{uuid.uuid4().hex}"


def run(make_bus: Callable[[], Bus], scenario: Callable[[Bus], Awaitable[None]], timeout: float = 20.0) -> None:
    async def main() -> None:
        bus = make_bus()
        await bus.connect()
        try:
            await asyncio.wait_for(scenario(bus), timeout)
        finally:
            await bus.disconnect()

    asyncio.run(main())


async def ready(bus: Bus, name: str, messages: AsyncIterator[str]) -> None:
    """Publish probes until this subscriber sees one: from then on the subscription is live."""
    probe = f"probe-{uuid.uuid4().hex}"
    while True:
        await bus.publish(name, probe)
        try:
            while (await asyncio.wait_for(anext(messages), 0.5)) != probe:
                pass
            return
        except TimeoutError:
            continue


async def take(messages: AsyncIterator[str], n: int, timeout: float = 10.0) -> list[str]:
    """The next `n` messages that are not probes."""
    out: list[str] = []
    async with asyncio.timeout(timeout):
        async for text in messages:
            if not text.startswith("probe-"):
                out.append(text)
                if len(out) == n:
                    break
    return out


def test_subscriber_gets_every_message_published_after_it_subscribed_in_order(make_bus) -> None:
    name, n = channel(), 1000

    async def scenario(bus: Bus) -> None:
        async with bus.subscribe(name) as messages:
            await ready(bus, name, messages)
            t0 = time.perf_counter()
            for i in range(n):
                await bus.publish(name, str(i))
            got = await take(messages, n)
            ms = (time.perf_counter() - t0) * 1000
        assert got == [str(i) for i in range(n)]
        print(f"bus_order: bus={type(bus).__name__} messages={n} in_order=True elapsed_ms={ms:.0f}")

    run(make_bus, scenario)


def test_two_subscribers_each_get_every_message(make_bus) -> None:
    name, n = channel(), 200

    async def scenario(bus: Bus) -> None:
        async with bus.subscribe(name) as first, bus.subscribe(name) as second:
            await ready(bus, name, first)
            await ready(bus, name, second)
            for i in range(n):
                await bus.publish(name, f"m{i}")
            a, b = await asyncio.gather(take(first, n), take(second, n))
        assert a == b == [f"m{i}" for i in range(n)]
        print(f"bus_fanout: bus={type(bus).__name__} subscribers=2 messages={n} each_complete=True")

    run(make_bus, scenario)


def test_message_to_another_channel_is_not_received(make_bus) -> None:
    name, other = channel(), channel()

    async def scenario(bus: Bus) -> None:
        async with bus.subscribe(name) as messages:
            await ready(bus, name, messages)
            await bus.publish(other, "elsewhere")
            await bus.publish(name, "here")
            # Per-channel order is kept, so "here" arriving first means "elsewhere" never came in between.
            assert await take(messages, 1) == ["here"]

    run(make_bus, scenario)


async def subscriber_count(bus: Bus, name: str) -> int:
    """How many subscriptions the backend itself holds for `name` (its own bookkeeping, not ours)."""
    if isinstance(bus, MemoryBus):
        return len(bus._subscribers.get(name, ()))
    assert isinstance(bus, RedisBus)
    [(_, count)] = await bus._redis().pubsub_numsub(name)
    return int(count)


async def until_count(bus: Bus, name: str, expected: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (count := await subscriber_count(bus, name)) != expected:
        assert time.monotonic() < deadline, f"{count} subscriptions to {name}, expected {expected}"
        await asyncio.sleep(0.01)  # polling the backend's state, bounded


def test_leaving_the_subscription_stops_delivery(make_bus) -> None:
    name = channel()

    async def scenario(bus: Bus) -> None:
        async with bus.subscribe(name) as staying:
            await ready(bus, name, staying)
            async with bus.subscribe(name) as gone:
                await ready(bus, name, gone)
                await until_count(bus, name, 2)
            await until_count(bus, name, 1)
            await bus.publish(name, "after")
            assert await take(staying, 1) == ["after"]
        await until_count(bus, name, 0)

    run(make_bus, scenario)


def test_publish_with_no_subscribers_is_fine(make_bus) -> None:
    async def scenario(bus: Bus) -> None:
        for _ in range(3):
            await bus.publish(channel(), "nobody listens")

    run(make_bus, scenario)


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_redis_publish_to_an_unreachable_server_raises_bus_unavailable_quickly() -> None:
    async def main() -> float:
        bus = RedisBus(UNREACHABLE_REDIS)
        await bus.connect()
        t0 = time.perf_counter()
        try:
            with pytest.raises(BusUnavailable):
                await asyncio.wait_for(bus.publish(channel(), "x"), 5)
        finally:
            await bus.disconnect()
        return time.perf_counter() - t0

    elapsed = asyncio.run(main())
    print(f"bus_unreachable: op=publish raised=BusUnavailable elapsed_ms={elapsed * 1000:.0f}")
    assert elapsed < 3


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_redis_subscribe_to_an_unreachable_server_raises_bus_unavailable_quickly() -> None:
    async def main() -> float:
        bus = RedisBus(UNREACHABLE_REDIS)
        await bus.connect()

        async def enter() -> None:
            async with bus.subscribe(channel()) as messages:
                await anext(messages)

        t0 = time.perf_counter()
        try:
            with pytest.raises(BusUnavailable):
                await asyncio.wait_for(enter(), 5)
        finally:
            await bus.disconnect()
        return time.perf_counter() - t0

    elapsed = asyncio.run(main())
    print(f"bus_unreachable: op=subscribe raised=BusUnavailable elapsed_ms={elapsed * 1000:.0f}")
    assert elapsed < 3
