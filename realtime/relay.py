"""The outbox relay: numbers committed outbox rows and publishes them to the bus (DESIGN §9).

On PostgreSQL an idle relay sleeps until a commit notifies it (realtime.wakeup);
on SQLite, and whenever it cannot listen, it polls every `poll_interval`.

Every API process runs one; a PostgreSQL advisory lock makes exactly one of
them the leader, and the lock dies with the leader's connection, so a standby
takes over when the leader's process dies. On SQLite there is one process and
it always leads. Correctness does not rest on the election: numbering holds
the log's meta row lock, so two relays at once would only waste work.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

import psycopg
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from realtime import log as event_log
from realtime.bus import Bus, BusUnavailable
from realtime.wakeup import Wakeups

logger = logging.getLogger(__name__)

CHANNEL = "ercp.events"
LOCK_KEY = 0x45524350  # "ERCP"
PRUNE_EVERY_S = 600.0


class Relay:
    def __init__(
        self,
        engine: Engine,
        bus: Bus,
        *,
        poll_interval: float = 0.02,
        batch_limit: int = 500,
        standby_interval: float = 1.0,
        idle_poll_interval: float = 1.0,
        keep: timedelta = timedelta(days=7),
        keep_max: int = 1_000_000,
        on_publish: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.poll_interval = poll_interval
        self.batch_limit = batch_limit
        self.standby_interval = standby_interval
        # With notifications (PostgreSQL), an idle log is polled this often only in case one was missed.
        self.idle_poll_interval = idle_poll_interval
        self.keep = keep
        self.keep_max = keep_max
        # Told of each envelope once the bus took it (metrics: events published, commit-to-publish lag).
        self.on_publish = on_publish
        self.is_leader = False
        self._lock_conn: Connection | None = None
        self._stopping = asyncio.Event()
        self._bus_down_logged = False
        self._bus_retry_at = 0.0  # loop time before which publishing is not tried (the bus just failed)
        self._task: asyncio.Task[None] | None = None
        self._wakeups: Wakeups | None = None
        self._next_listen = 0.0
        self.polls = 0  # outbox polls so far, a gauge of how often an idle relay wakes

    def _try_lead(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        if self._lock_conn is None:
            self._lock_conn = self.engine.connect()
        got = bool(self._lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar())
        # Leave no transaction open on the lock connection; the session-level lock outlives it.
        self._lock_conn.commit()
        if not got:
            self._drop_lock_conn()
        return got

    def _still_leading(self) -> bool:
        if self._lock_conn is None:
            return self.engine.dialect.name != "postgresql"
        self._lock_conn.execute(text("SELECT 1"))
        self._lock_conn.commit()
        return True

    def _drop_lock_conn(self) -> None:
        if self._lock_conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._lock_conn.close()
            self._lock_conn = None

    def _release_lock(self) -> None:
        """Give up leadership now: close the lock's connection for real (back in the pool it would keep the
        session-level lock until the engine is disposed, and no standby could lead meanwhile)."""
        if self._lock_conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._lock_conn.invalidate()
        self._drop_lock_conn()
        self.is_leader = False

    async def _publish(self, batch: list[tuple[int, str]]) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._bus_retry_at:
            return  # the bus failed a moment ago: these are numbered in the log, and hubs read them from there
        for _, envelope in batch:
            try:
                await self.bus.publish(CHANNEL, envelope)
                self._bus_down_logged = False
                if self.on_publish is not None:
                    self.on_publish(envelope)
            except BusUnavailable as exc:
                # Already durable in the log; hubs fill from it. Log once per outage, not per event. Give up
                # on the bus for a standby interval: a paused Redis times out each publish (a second), and
                # waiting that out per event would stop the numbering, and every board with it (R9).
                self._bus_retry_at = loop.time() + self.standby_interval
                if not self._bus_down_logged:
                    logger.warning("bus unavailable, events stay in the database log: %s", exc)
                    self._bus_down_logged = True
                return

    async def run(self) -> None:
        self._task = asyncio.current_task()
        await asyncio.to_thread(event_log.ensure_meta, self.engine)
        last_prune = last_check = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                if not self.is_leader:
                    self.is_leader = await asyncio.to_thread(self._try_lead)
                    if self.is_leader:
                        logger.info("relay: leading")
                    else:
                        await self._wait(self.standby_interval)
                        continue
                await self._listen()  # before the poll: a row that commits after it wakes us
                batch = await asyncio.to_thread(event_log.publish_pending, self.engine, limit=self.batch_limit)
                self.polls += 1
                if batch:
                    await self._publish(batch)
                    if len(batch) >= self.batch_limit:
                        continue  # a backlog: drain it at full speed
                if loop.time() - last_prune > PRUNE_EVERY_S:
                    last_prune = loop.time()
                    await asyncio.to_thread(event_log.prune, self.engine, keep=self.keep, keep_max=self.keep_max)
                if loop.time() - last_check > self.standby_interval:
                    # A dead lock connection means another process may lead now: find out, don't assume.
                    last_check = loop.time()
                    await asyncio.to_thread(self._still_leading)
                if batch or self._wakeups is None:
                    # Wait out the interval even after a batch: under a steady write load, polling again at
                    # once costs a transaction per event or two; waiting gathers what commits meanwhile into
                    # one batch, for at most poll_interval of latency.
                    await self._wait(self.poll_interval)
                else:
                    await self._idle()
            except SQLAlchemyError as exc:
                # Database gone (restart, failover): give up leadership and start over when it is back.
                logger.warning("relay: database error, stepping down: %s", exc)
                self.is_leader = False
                await asyncio.to_thread(self._drop_lock_conn)
                await self._stop_listening()
                await self._wait(self.standby_interval)
        await self._stop_listening()

    async def _listen(self) -> None:
        """On PostgreSQL, (re)open the listener of realtime.wakeup, trying at most once a standby interval."""
        if self._wakeups is not None or self.engine.dialect.name != "postgresql":
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_listen:
            self._next_listen = loop.time() + self.standby_interval
            try:
                self._wakeups = await Wakeups.open(self.engine)
            except psycopg.Error as exc:
                logger.warning("relay: cannot LISTEN, polling instead: %s", exc)

    async def _idle(self) -> None:
        assert self._wakeups is not None
        try:
            await self._wakeups.wait(self.idle_poll_interval, self._stopping)
        except psycopg.Error as exc:
            logger.warning("relay: lost the LISTEN connection, polling until it is back: %s", exc)
            await self._stop_listening()

    async def _stop_listening(self) -> None:
        if self._wakeups is not None:
            wakeups, self._wakeups = self._wakeups, None
            await wakeups.close()

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def stop(self) -> None:
        self._stopping.set()
        task = self._task
        if task is not None and task is not asyncio.current_task() and task.get_loop() is asyncio.get_running_loop():
            # Let run() finish its database call and return: cancelling it mid-call leaves the worker
            # thread holding a connection after the app has disposed of the engine.
            await asyncio.wait({task}, timeout=5)
        await asyncio.to_thread(self._release_lock)
