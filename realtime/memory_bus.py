"""In-process bus for embedded mode: one process, so fan-out is a set of queues."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# A subscriber this far behind is the hub itself stalling; it refills from the log anyway.
MAX_PENDING = 100_000


class MemoryBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[str]]] = {}

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, message: str) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            if queue.full():
                continue  # dropped; the hub sees the gap in seq and reads the log
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(MAX_PENDING)
        self._subscribers.setdefault(channel, set()).add(queue)

        async def messages() -> AsyncIterator[str]:
            while True:
                yield await queue.get()

        try:
            yield messages()
        finally:
            self._subscribers.get(channel, set()).discard(queue)
