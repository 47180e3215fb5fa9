"""On PostgreSQL an idle relay sleeps until a commit notifies it (realtime.wakeup, migration 0004).

PostgreSQL only: SQLite has no notifications and its relay keeps polling,
which every other realtime test exercises. Each test has a database of its own.
"""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from realtime import log as event_log
from realtime.memory_bus import MemoryBus
from realtime.relay import Relay
from realtime.wakeup import CHANNEL, libpq_url
from resources_db.engine import make_engine
from resources_db.migrate import upgrade
from resources_db.models import OutboxEvent
from tests.backends import fresh_postgres_database, server_url

DEADLINE_S = 20.0
NEVER_S = 600.0  # an interval no test waits out: anything that happens sooner had another cause


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    if not server_url():
        if os.environ.get("CI") == "true":
            pytest.fail("needs DATABASE_URL pointing at PostgreSQL; CI must provide it")
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    with fresh_postgres_database() as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _insert(engine: Engine, n: int = 1) -> list[int]:
    """`n` outbox rows, one INSERT statement each, in one transaction."""
    with Session(engine) as s:
        rows = [OutboxEvent(type="incident.created", at=datetime.now(UTC), data={"n": i}) for i in range(n)]
        for row in rows:
            s.add(row)
            s.flush()
        s.commit()
        return [row.id for row in rows]


def _published(engine: Engine, ids: list[int]) -> bool:
    with engine.connect() as conn:
        unpublished = conn.execute(
            select(func.count()).where(OutboxEvent.id.in_(ids), OutboxEvent.seq.is_(None))
        ).scalar_one()
    return unpublished == 0


async def _now(value: bool) -> bool:
    return value


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def test_an_outbox_insert_notifies_once_per_transaction_at_commit(pg_engine: Engine) -> None:
    with psycopg.connect(libpq_url(pg_engine), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        _insert(pg_engine, n=3)
        first = list(listener.notifies(timeout=DEADLINE_S, stop_after=1))
        assert [n.channel for n in first] == [CHANNEL]
        # PostgreSQL folds identical notifications of one transaction: three INSERTs, one wake-up.
        assert list(listener.notifies(timeout=0.5)) == []


def test_an_idle_relay_is_woken_by_a_commit_and_stops_at_once(pg_engine: Engine) -> None:
    async def main() -> None:
        relay = Relay(pg_engine, MemoryBus(), idle_poll_interval=NEVER_S)
        task = asyncio.create_task(relay.run())
        try:
            await _until(lambda: _now(relay._wakeups is not None and relay.polls > 0), "the LISTEN")
            first = await asyncio.to_thread(_insert, pg_engine)
            await _until(lambda: asyncio.to_thread(_published, pg_engine, first), "the first row")
            after_first = relay.polls
            # After a batch the relay polls once more; finding nothing, it waits for a notification only.
            await _until(lambda: _now(relay.polls > after_first), "the poll after the batch")
            second = await asyncio.to_thread(_insert, pg_engine)
            await _until(lambda: asyncio.to_thread(_published, pg_engine, second), "the woken relay")
        finally:
            started = time.monotonic()
            await relay.stop()
        assert task.done(), "stop() must end an idle wait at once, not after idle_poll_interval"
        assert time.monotonic() - started < DEADLINE_S

    asyncio.run(main())


def test_a_lost_listener_falls_back_to_polling_and_listens_again(pg_engine: Engine) -> None:
    async def main() -> None:
        relay = Relay(pg_engine, MemoryBus(), idle_poll_interval=NEVER_S, standby_interval=0.2)
        task = asyncio.create_task(relay.run())
        try:
            await _until(lambda: _now(relay._wakeups is not None), "the LISTEN")
            listening = relay._wakeups
            await asyncio.to_thread(_terminate_listener, pg_engine)
            await _until(lambda: _now(relay._wakeups is not listening), "the relay to notice")
            # Published whether by the polling fallback or by a new listener: nothing is lost either way.
            row = await asyncio.to_thread(_insert, pg_engine)
            await _until(lambda: asyncio.to_thread(_published, pg_engine, row), "the row after the loss")
            await _until(lambda: _now(relay._wakeups is not None), "a new LISTEN")
            state = await asyncio.to_thread(event_log.state, pg_engine)
            assert state.last_seq == 1
        finally:
            await relay.stop()
        assert task.done()

    asyncio.run(main())


def _terminate_listener(engine: Engine) -> None:
    with engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )
        ).scalars()
        assert list(killed) == [True]
