"""R10's checker (tests.e2e.history) on hand-made histories: a clean one passes, each kind of violation is caught."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.history import (
    DISPATCH_CREATE,
    DISPATCH_STATUS,
    INCIDENT_CREATE,
    KINDS,
    READ,
    STOCK_MOVE,
    DispatchRow,
    Observed,
    Op,
    check,
)

T0 = datetime(2026, 9, 1, 12, tzinfo=UTC)
API = "http://127.0.0.1:1"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def op(kind: str, code: int, answer: dict[str, Any] | None, *, key: str | None = None, **request: Any) -> Op:
    return Op(kind, API, request, key, code, 0.0, 0.1, answer, "2" if code == 503 else None)


def clean() -> tuple[list[Op], Observed]:
    """Two reports (one sent twice with its key), a dispatch sent and cancelled, two movements: all in order."""
    ops = [
        op(INCIDENT_CREATE, 201, {"id": 1}, key="k1", title="r1"),
        op(INCIDENT_CREATE, 201, {"id": 1}, key="k1", title="r1"),
        op(INCIDENT_CREATE, 503, None, key="k2", title="r2"),
        op(INCIDENT_CREATE, 201, {"id": 2}, key="k3", title="r3"),
        op(DISPATCH_CREATE, 201, {"id": 10}, key="d1", incident_id=1, team_id=7),
        op(DISPATCH_CREATE, 409, None, key="d2", incident_id=1, team_id=7),
        op(DISPATCH_STATUS, 200, {"id": 10}, status="cancelled"),
        op(STOCK_MOVE, 201, {"movement": {"id": 100}, "item": {"id": 5, "quantity_on_hand": 1}}, delta=-1),
        op(STOCK_MOVE, 201, {"movement": {"id": 101}, "item": {"id": 5, "quantity_on_hand": 0}}, delta=-1),
        op(STOCK_MOVE, 409, None, delta=-1),
        op(READ, 200, {"items": [], "next_cursor": None}),
    ]
    db = Observed(
        incidents={1: "r1", 2: "r3"},
        dispatches=[
            DispatchRow(10, 7, at(0), at(5), frozenset({"dispatched", "cancelled"})),
            DispatchRow(11, 7, at(5), None, frozenset({"dispatched"})),
        ],
        stock={5: (0, 0)},
        stock_before={5: 2},
        movements={100: (5, -1), 101: (5, -1)},
        events=[
            (1, "incident.created", {"id": 1}),
            (2, "incident.created", {"id": 2}),
            (3, "dispatch.created", {"id": 10}),
            (4, "dispatch.status_changed", {"id": 10, "status": "cancelled"}),
            (5, "dispatch.created", {"id": 11}),
            (6, "supply.changed", {"supply_item_id": 5}),
            (7, "supply.changed", {"supply_item_id": 5}),
        ],
    )
    return ops, db


def only(kind: str, ops: list[Op], db: Observed) -> None:
    verdict = check(ops, db)
    assert verdict.count(kind) >= 1, verdict.summary()
    others = {k: verdict.count(k) for k in KINDS if k != kind and verdict.count(k)}
    assert others == {}, verdict.details()
    assert not verdict.ok
    assert "verdict=VIOLATED" in verdict.summary()


def test_a_clean_history_passes() -> None:
    verdict = check(*clean())
    assert verdict.ok, verdict.details()
    assert verdict.ops == 11
    assert verdict.acked == 8
    assert verdict.summary().endswith("verdict=ok")


@pytest.mark.parametrize("gone", ["incident", "dispatch", "status", "movement"])
def test_an_acknowledged_write_the_database_lacks_is_lost(gone: str) -> None:
    ops, db = clean()
    if gone == "incident":
        ops.append(op(INCIDENT_CREATE, 201, {"id": 3}, key="k4", title="r4"))
    elif gone == "dispatch":
        ops.append(op(DISPATCH_CREATE, 201, {"id": 12}, key="d3", incident_id=1, team_id=8))
    elif gone == "status":
        ops.append(op(DISPATCH_STATUS, 200, {"id": 11}, status="cancelled"))
    else:
        item = {"id": 5, "quantity_on_hand": 1}
        ops.append(op(STOCK_MOVE, 201, {"movement": {"id": 102}, "item": item}, delta=1))
    only("lost", ops, db)


def test_one_key_answered_with_two_ids_is_a_duplicate() -> None:
    ops, db = clean()
    ops.append(op(INCIDENT_CREATE, 201, {"id": 2}, key="k1", title="r1"))
    only("duplicates", ops, db)


def test_one_key_stored_twice_is_a_duplicate_even_unanswered() -> None:
    ops, db = clean()
    db.incidents[3] = "r2"  # k2's report, answered 503 once, yet stored twice
    db.incidents[4] = "r2"
    db.events += [(8, "incident.created", {"id": 3}), (9, "incident.created", {"id": 4})]
    only("duplicates", ops, db)


@pytest.mark.parametrize(
    ("start", "end"),
    [(1, 2), (4, None), (-1, 1)],
    ids=["inside another", "open while another is", "begun before another ended"],
)
def test_two_active_dispatches_of_a_team_overlap(start: float, end: float | None) -> None:
    ops, db = clean()
    reached = frozenset({"dispatched"} if end is None else {"dispatched", "cancelled"})
    db.dispatches.append(DispatchRow(12, 7, at(start), None if end is None else at(end), reached))
    db.events.append((8, "dispatch.created", {"id": 12}))
    if end is not None:
        db.events.append((9, "dispatch.status_changed", {"id": 12, "status": "cancelled"}))
    only("overlaps", ops, db)


def test_dispatches_of_one_team_back_to_back_or_of_two_teams_do_not_overlap() -> None:
    ops, db = clean()
    db.dispatches.append(DispatchRow(12, 8, at(0), None, frozenset({"dispatched"})))
    db.events.append((8, "dispatch.created", {"id": 12}))
    assert check(ops, db).ok


@pytest.mark.parametrize("where", ["database", "reserved", "answer", "ledger"])
def test_stock_below_zero_or_off_its_ledger_is_negative(where: str) -> None:
    ops, db = clean()
    if where == "database":
        db.stock[5] = (-1, 0)
        db.stock_before[5] = 1
    elif where == "reserved":
        db.stock[5] = (0, 3)
    elif where == "answer":
        ops[8] = op(STOCK_MOVE, 201, {"movement": {"id": 101}, "item": {"id": 5, "quantity_on_hand": -1}}, delta=-1)
    else:
        db.stock[5] = (1, 0)  # a movement's effect lost (or one too many): 2 - 1 - 1 is not 1
    only("negative", ops, db)


@pytest.mark.parametrize("event", [1, 3, 4, 6])
def test_a_committed_change_without_its_event_is_missing(event: int) -> None:
    ops, db = clean()
    db.events = [e for e in db.events if e[0] != event]
    only("missing_events", ops, db)


def test_supply_events_from_before_the_run_do_not_count_for_its_movements() -> None:
    ops, db = clean()
    db.events = [e for e in db.events if e[0] != 7]
    db.events.insert(0, (0, "supply.changed", {"supply_item_id": 5}))
    only("missing_events", ops, db)


@pytest.mark.parametrize(
    ("status", "retry_after", "kind"),
    [(500, None, "server_errors"), (503, None, "no_retry_after"), (0, None, "unanswered")],
)
@pytest.mark.parametrize("what", [INCIDENT_CREATE, READ])
def test_a_fault_answered_badly_is_caught(status: int, retry_after: str | None, kind: str, what: str) -> None:
    ops, db = clean()
    ops.append(Op(what, API, {"title": "r9"}, "k9", status, 0.0, 10.0, None, retry_after))
    only(kind, ops, db)
