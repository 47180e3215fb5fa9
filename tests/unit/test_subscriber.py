"""One websocket's view of the feed (realtime.hub.Subscriber): what it wants, its direct sends and bounded backlog."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from realtime.envelope import Event, render
from realtime.hub import RESYNC, Subscriber


def event(type_: str, data: dict[str, Any], drill_id: int | None = None, seq: int = 1) -> Event:
    return Event.parse(render(seq=seq, epoch="e", type_=type_, at=datetime.now(UTC), drill_id=drill_id, data=data))


class Socket:
    """Records what the pump sends and how it closes."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def subscriber(topics: set[str], drill_ids: frozenset[int] | None = None, queue_size: int = 1000) -> Subscriber:
    sock = Socket()
    return Subscriber(frozenset(topics), drill_ids, sock.send, sock.close, queue_size=queue_size)


REAL = event("incident.created", {"id": 1})
DRILL_5 = event("incident.created", {"id": 2}, drill_id=5)
DRILL_6 = event("incident.created", {"id": 3}, drill_id=6)
DRILL_STARTED = event("drill.started", {"id": 5}, drill_id=5)


@pytest.mark.parametrize(
    ("drill_ids", "expected"),
    [
        (None, {"real"}),  # default: no exercise data at all
        (frozenset({5}), {"real", "drill5", "drill5-started"}),  # one drill
        (frozenset(), {"real", "drill5", "drill6", "drill5-started"}),  # include_drills: every drill
    ],
)
def test_drill_events_reach_only_subscribers_that_ask_for_them(drill_ids, expected) -> None:
    sub = subscriber({"incidents", "drills"}, drill_ids)
    named = {"real": REAL, "drill5": DRILL_5, "drill6": DRILL_6, "drill5-started": DRILL_STARTED}
    assert {name for name, ev in named.items() if sub.wants(ev)} == expected


def test_drill_events_still_need_a_matching_topic() -> None:
    sub = subscriber({"teams"}, frozenset())
    assert not sub.wants(DRILL_5)
    assert not sub.wants(DRILL_STARTED)


def test_topics_filter_by_board_and_by_one_incident_or_team() -> None:
    dispatch = event("dispatch.created", {"id": 9, "incident_id": 1, "team_id": 4})
    team = event("team.status_changed", {"id": 4})
    other_team = event("team.status_changed", {"id": 8})
    other_incident = event("incident.updated", {"id": 99})

    assert subscriber({"incidents"}).wants(REAL)
    assert not subscriber({"incidents"}).wants(team)
    assert not subscriber({"teams"}).wants(REAL)
    assert subscriber({"incident:1"}).wants(REAL)
    assert subscriber({"incident:1"}).wants(dispatch)
    assert not subscriber({"incident:1"}).wants(other_incident)
    assert subscriber({"team:4"}).wants(team)
    assert subscriber({"team:4"}).wants(dispatch)
    assert not subscriber({"team:4"}).wants(other_team)


class SlowSocket(Socket):
    """A socket whose buffer is full until `drain` is set: every send waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.drain = asyncio.Event()

    async def send(self, text: str) -> None:
        await self.drain.wait()
        self.sent.append(text)


def test_a_socket_with_room_takes_each_frame_at_once_without_a_task() -> None:
    async def main() -> None:
        sock = Socket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close)
        sub.release()
        sub.offer("e1")
        sub.offer("e2")
        assert sock.sent == ["e1", "e2"]  # before any await: nothing was queued
        assert sub.writer is None

    asyncio.run(main())


def test_a_held_subscriber_queues_live_frames_until_released_then_sends_them_in_order() -> None:
    async def main() -> None:
        sock = Socket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close)
        sub.offer("live1")
        sub.offer("live2")
        await sock.send("replayed")  # what the hub sends from the log meanwhile
        assert sock.sent == ["replayed"]
        sub.release()
        assert sub.writer is not None
        await asyncio.wait_for(sub.writer, 2)
        sub.offer("live3")
        assert sock.sent == ["replayed", "live1", "live2", "live3"]

    asyncio.run(main())


def test_a_send_that_waits_keeps_later_frames_behind_it_in_order() -> None:
    async def main() -> None:
        sock = SlowSocket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close)
        sub.release()
        for i in range(3):
            sub.offer(f"e{i}")
        assert sock.sent == []
        assert list(sub.backlog) == ["e1", "e2"]
        sock.drain.set()
        assert sub.writer is not None
        await asyncio.wait_for(sub.writer, 2)
        assert sock.sent == ["e0", "e1", "e2"]
        assert sub.writer is None
        assert not sub.finished.is_set()

    asyncio.run(main())


def test_overflow_drops_the_backlog_then_sends_resync_and_closes_4409() -> None:
    async def main() -> None:
        sock = SlowSocket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close, queue_size=3)
        sub.release()
        for i in range(6):  # e0 waits in the socket, e1..e3 fill the backlog, e4 overflows
            sub.offer(f"e{i}")
        assert sub.overflowed
        assert list(sub.backlog) == [None]
        sock.drain.set()
        await asyncio.wait_for(sub.finished.wait(), 2)
        assert sock.sent == ["e0", RESYNC]
        assert sock.closed is not None
        assert sock.closed[0] == 4409
        sub.offer("late")
        assert sock.sent == ["e0", RESYNC]

    asyncio.run(main())


def test_a_client_that_stops_reading_is_cut_loose_after_the_send_timeout() -> None:
    async def main() -> None:
        sock = SlowSocket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close, send_timeout=0.05)
        sub.release()
        sub.offer("e0")
        sub.offer("e1")
        await asyncio.wait_for(sub.finished.wait(), 2)
        assert sock.sent == []
        assert sub.writer is None

    asyncio.run(main())


def test_a_failing_send_ends_the_feed_without_raising_into_the_hub() -> None:
    async def main() -> None:
        async def broken(text: str) -> None:
            raise RuntimeError("socket closed")

        sub = Subscriber(frozenset({"incidents"}), None, broken, Socket().close)
        sub.release()
        sub.offer("e0")
        assert sub.finished.is_set()

    asyncio.run(main())


def test_stop_cancels_a_waiting_writer() -> None:
    async def main() -> None:
        sock = SlowSocket()
        sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close)
        sub.release()
        sub.offer("e0")
        writer = sub.writer
        assert writer is not None
        sub.stop()
        with pytest.raises(asyncio.CancelledError):
            await writer
        assert sub.finished.is_set()
        assert sock.sent == []

    asyncio.run(main())


def test_a_team_leaders_feed_keeps_dispatch_events_of_their_own_team_only() -> None:
    sock = Socket()
    leader = Subscriber(frozenset({"dispatches", "teams", "incident:9"}), None, sock.send, sock.close, only_team=4)
    own = event("dispatch.created", {"id": 1, "incident_id": 9, "team_id": 4})
    other = event("dispatch.status_changed", {"id": 2, "incident_id": 9, "team_id": 5})
    other_team_status = event("team.status_changed", {"id": 5, "status": "dispatched"})
    assert leader.wants(own)
    assert not leader.wants(other)  # neither under `dispatches` nor under `incident:9`
    assert leader.wants(other_team_status)  # team readiness is public, as GET /teams is
    everyone = subscriber({"dispatches"})
    assert everyone.wants(own)
    assert everyone.wants(other)
