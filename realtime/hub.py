"""Per-process websocket fan-out (DESIGN §9).

The hub delivers every published event to its connections in `seq` order,
exactly once: events come from the bus when it works, and from the database
log whenever a gap shows (a `seq` skipped on the bus, the bus down, a relay
that died between commit and publish). A watchdog reads the log's head every
`check_interval` so that nothing waits on the bus to notice.

A frame goes straight into each socket that has room; a connection whose
socket is full gets a bounded backlog, and one that falls further behind is
sent `resync` and closed, so a slow client never slows the others. Each
event's text is serialised once, by the relay, and sent as is to every client.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import orjson
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from realtime import log as event_log
from realtime.bus import Bus, BusUnavailable
from realtime.envelope import Event
from realtime.relay import CHANNEL

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

RESYNC = '{"type":"resync"}'


class _Resume:
    """Awaits a coroutine that already ran up to its first suspension.

    `Subscriber.offer` steps a send by hand so that a socket with room takes
    the frame at once; when the socket is full the coroutine is left holding
    the future it waits on, and a task finishes it through this: the first
    `yield` hands that future to the task, the rest drives the coroutine on.
    """

    __slots__ = ("coro", "pending")

    def __init__(self, coro: Coroutine[Any, Any, None], pending: Any) -> None:
        self.coro, self.pending = coro, pending

    def __await__(self) -> Generator[Any, Any, None]:
        coro, value = self.coro, self.pending
        while True:
            try:
                sent = yield value
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # cancellation (the send timeout) goes into the send itself
                try:
                    value = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    value = coro.send(sent)
                except StopIteration:
                    return


@dataclass(eq=False)
class Subscriber:
    """One websocket's view of the feed: what it asked for, and its writer.

    A frame goes straight to the socket when the socket has room — no queue,
    no task switch per client per event, which is most of the fan-out's cost.
    Only when a send has to wait does a writer task start; frames offered
    meanwhile queue up behind it (at most `queue_size`), in order. A new
    subscriber is `held` the same way until the hub has replayed what it
    missed, so live frames cannot overtake the replay.
    """

    topics: frozenset[str]
    drill_ids: frozenset[int] | None  # None: no drill events; empty set: every drill's
    send: Callable[[str], Coroutine[Any, Any, None]]
    close: Callable[[int, str], Awaitable[None]]
    queue_size: int = 1000
    send_timeout: float = 10.0
    # A team leader's feed: dispatch events of this team only, as REST shows them (None: every team's).
    only_team: int | None = None
    backlog: deque[str | None] = field(init=False, default_factory=deque)
    overflowed: bool = False
    held: bool = True
    writer: asyncio.Task[None] | None = field(init=False, default=None)
    # Set when the feed is over for this client (too slow, stalled, send failed); its connection then ends.
    finished: asyncio.Event = field(init=False, default_factory=asyncio.Event)

    def wants(self, event: Event) -> bool:
        if (
            self.only_team is not None
            and event.type.startswith("dispatch.")
            and (f"team:{self.only_team}" not in event.topics)
        ):
            return False
        if event.drill_id is not None:
            if self.drill_ids is None or (self.drill_ids and event.drill_id not in self.drill_ids):
                return False
        elif event.type.startswith("drill."):
            return self.drill_ids is not None
        return not self.topics.isdisjoint(event.topics)

    def offer(self, text: str) -> None:
        if self.overflowed or self.finished.is_set():
            return
        if self.writer is not None or self.held:
            if len(self.backlog) < self.queue_size:
                self.backlog.append(text)
            else:
                self.cut_loose()
            return
        coro = self.send(text)
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return  # sent: the common case
        except Exception as exc:
            self._end(f"send failed: {exc!r}")
            return
        self.writer = asyncio.get_running_loop().create_task(self._write(_Resume(coro, waiting_on)))

    def cut_loose(self) -> None:
        """The verdict for a client that fell behind: drop its backlog, send `resync`, close 4409."""
        self.overflowed = True
        self.backlog.clear()  # the client reloads the snapshot anyway
        self.backlog.append(None)
        self._start_writer()

    def release(self) -> None:
        """Live frames may go out: the replay is over."""
        self.held = False
        self._start_writer()

    def _start_writer(self) -> None:
        if self.writer is None and not self.held and self.backlog:
            self.writer = asyncio.get_running_loop().create_task(self._write(None))

    async def _write(self, first: _Resume | None) -> None:
        """Finish a send that had to wait, then the backlog, each within `send_timeout`.

        A client that stops reading fills its socket buffer and then blocks
        `send`; after `send_timeout` it is cut loose instead of lingering until
        keepalive notices.
        """
        try:
            if first is not None:
                async with asyncio.timeout(self.send_timeout):
                    await first
            while self.backlog:
                text = self.backlog.popleft()
                # asyncio.timeout, not wait_for: no extra task per frame.
                async with asyncio.timeout(self.send_timeout):
                    if text is None:
                        await self.send(RESYNC)
                        await self.close(4409, "too slow: resync")
                        self._end("")
                        return
                    await self.send(text)
        except TimeoutError:
            logger.info("websocket client stopped reading; dropping it")
            self._end("")
        except Exception as exc:
            self._end(f"send failed: {exc!r}")
        finally:
            self.writer = None

    def _end(self, why: str) -> None:
        if why:
            logger.debug("websocket feed ended: %s", why)
        self.finished.set()

    def stop(self) -> None:
        """The connection is over: stop writing to it."""
        if self.writer is not None:
            self.writer.cancel()
        self._end("")


class Hub:
    def __init__(
        self,
        engine: Engine,
        bus: Bus,
        *,
        check_interval: float = 1.0,
        page: int = 1000,
        heartbeat: float = 15.0,
        max_replay: int = 10_000,
    ) -> None:
        self.engine = engine
        # A resume further back than this is told to resync (reload the snapshot) instead of scanning the log.
        self.max_replay = max_replay
        self.bus = bus
        self.check_interval = check_interval
        self.heartbeat = heartbeat
        self.page = page
        self.epoch = ""
        self.last_seq = 0
        self.subscribers: set[Subscriber] = set()
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._inflight: set[asyncio.Future[object]] = set()
        self.bus_connected = False

    async def _db(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """A blocking log call in a worker thread that stop() waits for, so no thread outlives the engine."""
        fut = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        self._inflight.add(fut)  # type: ignore[arg-type]
        fut.add_done_callback(self._inflight.discard)
        return await asyncio.shield(fut)

    async def start(self) -> None:
        st = await asyncio.to_thread(event_log.ensure_meta, self.engine)
        self.epoch, self.last_seq = st.epoch, st.last_seq
        self._tasks = [
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._watch()),
            asyncio.create_task(self._beat()),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=5)

    def _deliver(self, event: Event) -> None:
        for sub in self.subscribers:
            if sub.wants(event):
                sub.offer(event.text)
        self.last_seq = event.seq

    async def _catch_up(self, upto: int | None) -> None:
        """Deliver from the log everything after last_seq (up to `upto`). Caller holds the lock."""
        while upto is None or self.last_seq < upto:
            rows = await self._db(event_log.read_after, self.engine, after=self.last_seq, upto=upto, limit=self.page)
            for seq, text in rows:
                if seq != self.last_seq + 1:
                    logger.error("event log has a hole at seq %d (got %d)", self.last_seq + 1, seq)
                self._deliver(Event.parse(text))
                await asyncio.sleep(0)  # let the pumps drain, so a burst cannot overflow a client that keeps up
            if len(rows) < self.page:
                return

    async def on_bus_message(self, text: str) -> None:
        event = Event.parse(text)
        if event.epoch != self.epoch:
            return  # another log's event (a reset log, or another deployment on this bus): its seq is not ours
        async with self._lock:
            if event.seq <= self.last_seq:
                return  # already delivered from the log
            if event.seq > self.last_seq + 1:
                await self._catch_up(event.seq - 1)
            if event.seq == self.last_seq + 1:
                self._deliver(event)
        await asyncio.sleep(0)  # let the pumps drain, so a burst cannot overflow a client that keeps up

    async def _listen(self) -> None:
        backoff = 0.2
        while True:
            try:
                async with self.bus.subscribe(CHANNEL) as messages:
                    self.bus_connected = True
                    backoff = 0.2
                    # Whatever was published while we were not listening comes from the log.
                    async with self._lock:
                        await self._catch_up(None)
                    async for text in messages:
                        await self.on_bus_message(text)
            except BusUnavailable as exc:
                if self.bus_connected:
                    logger.warning("hub: bus lost (%s); serving from the database log", exc)
                self.bus_connected = False
            except SQLAlchemyError as exc:
                logger.warning("hub: database error while catching up: %s", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_interval if self.bus_connected else self.check_interval / 4)
            try:
                st = await self._db(event_log.state, self.engine)
                if st.epoch != self.epoch:
                    await self._reset(st)
                    continue
                if st.last_seq > self.last_seq:
                    async with self._lock:
                        await self._catch_up(st.last_seq)
            except SQLAlchemyError as exc:
                logger.warning("hub: database unreachable: %s", exc)

    async def _beat(self) -> None:
        """Heartbeats keep idle sockets open through proxies: one timer and one text for every connection."""
        while True:
            await asyncio.sleep(self.heartbeat)
            text = orjson.dumps({"type": "heartbeat", "seq": self.last_seq}).decode()
            for sub in list(self.subscribers):
                sub.offer(text)

    async def _reset(self, st: event_log.LogState) -> None:
        """The log was reset: every client must resync from the snapshot."""
        async with self._lock:
            self.epoch, self.last_seq = st.epoch, st.last_seq
            for sub in list(self.subscribers):
                sub.offer(RESYNC)

    async def attach(self, sub: Subscriber, *, since: int | None, epoch: str | None) -> bool:
        """Register `sub` and replay what it missed; False (resync sent) when it cannot resume.

        Registration happens under the lock, so live events after `upto` queue
        up for it (it is `held`) while the replay (outside the lock, so a slow
        client holds nobody up) sends `(since, upto]` straight from the log;
        then the queued live events follow.
        """
        async with self._lock:
            if since is not None and epoch == self.epoch and since > self.last_seq:
                # The client saw a snapshot or another process ahead of us: catch up from the log first.
                await self._catch_up(None)
            too_far_back = since is not None and self.last_seq - since > self.max_replay
            if since is not None and (epoch != self.epoch or since > self.last_seq or too_far_back):
                await sub.send(RESYNC)
                return False
            upto = self.last_seq
            self.subscribers.add(sub)
        if since is None or since >= upto:
            sub.release()
            return True
        st = await asyncio.to_thread(event_log.state, self.engine)
        if since + 1 < st.first_seq:
            self.detach(sub)
            await sub.send(RESYNC)
            return False
        after = since
        while after < upto:
            rows = await asyncio.to_thread(event_log.read_after, self.engine, after=after, upto=upto, limit=self.page)
            if not rows:
                break
            for seq, text in rows:
                if sub.wants(Event.parse(text)):
                    await sub.send(text)
                after = seq
        sub.release()
        return True

    def detach(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)
        sub.stop()
