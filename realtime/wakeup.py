"""Wake the relay when an outbox row commits, instead of polling an idle log 50 times a second.

On PostgreSQL a statement trigger on `outbox_events` (migration 0004) sends
`NOTIFY ercp_outbox`, which the server delivers at commit, once per
transaction however many rows it wrote. The relay's leader LISTENs on a
connection of its own (asyncio psycopg, so waiting holds no thread) and polls
when woken, or after a fallback interval in case a notification was missed.
SQLite has no notifications; the relay keeps polling there.
"""

import asyncio
import contextlib

import psycopg
from sqlalchemy import Engine

CHANNEL = "ercp_outbox"


def libpq_url(engine: Engine) -> str:
    """The engine's database as a plain libpq URL, for a psycopg connection outside SQLAlchemy's pool."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Wakeups:
    """A LISTEN connection; `wait` returns at the first notification, at the timeout, or when `stop` is set."""

    def __init__(self, conn: psycopg.AsyncConnection[object]) -> None:
        self._conn = conn

    @classmethod
    async def open(cls, engine: Engine) -> "Wakeups":
        conn = await psycopg.AsyncConnection.connect(libpq_url(engine), autocommit=True)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            await conn.close()
            raise
        return cls(conn)

    async def wait(self, timeout: float, stop: asyncio.Event) -> None:
        """Raises psycopg.Error when the connection is lost."""
        notified = asyncio.ensure_future(self._next(timeout))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({notified, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (notified, stopping):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping
            with contextlib.suppress(asyncio.CancelledError):
                await notified  # re-raises a lost connection

    async def _next(self, timeout: float) -> None:
        async for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            pass

    async def close(self) -> None:
        with contextlib.suppress(psycopg.Error):
            await self._conn.close()
