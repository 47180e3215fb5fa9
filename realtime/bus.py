"""The bus: live fan-out of published events between API processes (DESIGN §9).

At most once and memoryless by design: the database log is the durable copy,
and a hub fills any gap from it. So a bus may drop messages (Redis restarting)
without losing events; it only must not reorder what it does deliver.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol


class BusUnavailable(Exception):
    """The bus cannot be reached; callers fall back to the database log."""


class Bus(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, message: str) -> None:
        """Send to every current subscriber of `channel`; raises BusUnavailable."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[str]]:
        """Messages published after the subscription is established, in publish order.

        The iterator raises BusUnavailable when the connection is lost.
        """
        ...
