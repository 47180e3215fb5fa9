"""A small bound on concurrent password checks: argon2id takes 64 MiB and a core's worth of time per check.

Forty wrong logins at once would otherwise hold forty hashes in memory at
once (2.4 GB measured) and starve every other request of CPU. Checks run at
most `concurrency` at a time; up to `queue` more wait their turn, for at most
`wait_seconds`; anything beyond is answered 503 with Retry-After at once.
"""

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from api.errors import ServiceBusy


class PasswordGate:
    def __init__(self, *, concurrency: int, queue: int, wait_seconds: float) -> None:
        self.concurrency, self.queue, self.wait_seconds = concurrency, queue, wait_seconds
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0

    async def check(self, verify: Callable[[], bool]) -> bool:
        """Run `verify` (a password check) in a worker thread once a slot is free; ServiceBusy when none comes."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)  # bound to the serving loop at first use
        if self.waiting >= self.queue:
            raise ServiceBusy("too many sign-ins at once; try again shortly", retry_after=2)
        self.waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise ServiceBusy("too many sign-ins at once; try again shortly", retry_after=2) from None
        finally:
            self.waiting -= 1
        try:
            return await run_in_threadpool(verify)
        finally:
            self._slots.release()
