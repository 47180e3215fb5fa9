"""One websocket's view of the feed (realtime.hub.Subscriber): what it wants, and its bounded queue."""

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


def test_overflow_ends_the_queue_with_the_resync_marker_and_drops_further_offers() -> None:
    sub = subscriber({"incidents"}, queue_size=3)
    for i in range(3):
        sub.offer(f"e{i}")
    assert not sub.overflowed

    sub.offer("e3")
    sub.offer("e4")

    assert sub.overflowed
    queued = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    assert queued[-1] is None
    assert len(queued) <= 3
    assert "e3" not in queued
    assert "e4" not in queued


def test_pump_sends_in_order_then_resync_and_closes_4409_on_overflow() -> None:
    sock = Socket()
    sub = Subscriber(frozenset({"incidents"}), None, sock.send, sock.close, queue_size=3)
    for i in range(5):
        sub.offer(f"e{i}")

    asyncio.run(asyncio.wait_for(sub.pump(), 2))

    assert sock.sent == ["e1", "e2", RESYNC]
    assert sock.closed is not None
    assert sock.closed[0] == 4409
