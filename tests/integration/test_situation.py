"""GET /api/v1/situation: every section of the board's snapshot, drill scoping, and the `seq` it is consistent with.

The database is shared by the whole session: assertions filter on rows this module creates.
"""

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.enums import TeamStatus
from resources_db.models import EventLogMeta, OutboxEvent
from tests.cooperation_factories import start_drill
from tests.factories import auth, make_team, ok
from tests.supply_factories import make_item
from tests.workflow_factories import iso_ago, make_dispatch, make_incident, set_dispatch_status, transition

URL = "/api/v1/situation"
DEADLINE_S = 15.0


def situation(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    return ok(client.get(URL, params=params, headers=headers))  # type: ignore[no-any-return]


def by_id(rows: list[dict[str, Any]], key: str = "id") -> dict[int, dict[str, Any]]:
    return {r[key]: r for r in rows}


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def board(client: TestClient, tokens: dict[str, str], world: Any) -> dict[str, Any]:
    """State built through the API; ids of everything this module expects to see (or not) on the board."""
    op, admin = tokens["operator"], tokens["admin"]
    before = situation(client, auth(op), positions="false")["teams"]["counts"]
    dispatched = make_incident(client, op, title="warehouse fire", deaths=1)
    team = make_team(client, admin)
    dispatch = make_dispatch(client, op, dispatched["id"], team["id"])
    set_dispatch_status(client, op, dispatch["id"], "acknowledged")
    broken = make_team(client, admin)
    ok(client.post(f"/api/v1/teams/{broken['id']}/status", json={"status": "out_of_service"}, headers=auth(op)))
    # County step due 1 h after the accident (overdue by ~1 h), city step 2 h later (due in ~1 h).
    overdue = make_incident(client, op, occurred_at=iso_ago(hours=2))
    reported_late = make_incident(client, op, occurred_at=iso_ago(hours=2))
    steps = ok(client.get("/api/v1/escalations", params={"incident_id": reported_late["id"]}, headers=auth(op)))
    county_late = next(s for s in steps["items"] if s["level"] == "county")
    ok(client.post(f"/api/v1/escalations/{county_late['id']}/report", json={}, headers=auth(op)))
    dismissed = make_incident(client, op)
    transition(client, op, dismissed["id"], "dismissed")
    low = make_item(client, admin, quantity_on_hand=5, min_reserve=10)
    enough = make_item(client, admin, quantity_on_hand=50, min_reserve=10)
    drill = start_drill(client, tokens["controller"])
    drill_incident = make_incident(client, tokens["controller"], drill_id=drill["id"], occurred_at=iso_ago(hours=2))
    after = situation(client, auth(op), positions="false")["teams"]["counts"]
    return {
        "counts_before": before,
        "counts_after": after,
        "dispatched": dispatched,
        "team": team,
        "broken": broken,
        "overdue": overdue,
        "reported_late": reported_late,
        "county_late": county_late,
        "dismissed": dismissed,
        "low": low,
        "enough": enough,
        "drill": drill,
        "drill_incident": drill_incident,
    }


def test_active_incidents_with_active_dispatches_counted(client: TestClient, headers, board) -> None:
    snap = situation(client, headers["observer"])
    incidents = by_id(snap["incidents"])
    row = incidents[board["dispatched"]["id"]]
    assert row["active_dispatches"] == 1
    assert row["dispatches_by_status"] == {"acknowledged": 1}
    assert row["deaths"] == 1
    assert row["version"] == board["dispatched"]["version"]
    for field in ("title", "type", "severity", "status", "lat", "lon", "jurisdiction", "serious_injuries"):
        assert row[field] == board["dispatched"][field]
    assert row["is_drill"] is False
    assert incidents[board["overdue"]["id"]]["active_dispatches"] == 0
    assert incidents[board["overdue"]["id"]]["dispatches_by_status"] == {}
    assert board["dismissed"]["id"] not in incidents


def test_a_released_dispatch_no_longer_counts(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"])
    team = make_team(client, tokens["admin"])
    dispatch = make_dispatch(client, tokens["operator"], incident["id"], team["id"])
    assert by_id(situation(client, headers["observer"])["incidents"])[incident["id"]]["active_dispatches"] == 1
    for status in ("acknowledged", "en_route", "on_scene", "released"):
        set_dispatch_status(client, tokens["operator"], dispatch["id"], status)
    row = by_id(situation(client, headers["observer"])["incidents"])[incident["id"]]
    assert (row["active_dispatches"], row["dispatches_by_status"]) == (0, {})


def test_team_counts_cover_every_status_and_positions_show_our_teams(client: TestClient, headers, board) -> None:
    before, after = board["counts_before"], board["counts_after"]
    assert set(before) == set(after) == {s.value for s in TeamStatus}
    # The fixture's two new teams: one dispatched, one out of service (nothing else writes meanwhile).
    assert {s: after[s] - before[s] for s in after} == {**dict.fromkeys(after, 0), "dispatched": 1, "out_of_service": 1}
    snap = situation(client, headers["observer"])
    counts = snap["teams"]["counts"]
    positions = by_id(snap["teams"]["positions"])
    broken = positions[board["broken"]["id"]]
    assert broken == {
        "id": board["broken"]["id"],
        "name": board["broken"]["name"],
        "kind": board["broken"]["kind"],
        "status": "out_of_service",
        "lat": board["broken"]["base_lat"],
        "lon": board["broken"]["base_lon"],
        "home_jurisdiction": "leicheng",
        "version": broken["version"],
    }
    assert broken["version"] > board["broken"]["version"]
    assert positions[board["team"]["id"]]["status"] == "dispatched"
    assert sum(counts.values()) == len(positions)


def test_positions_can_be_left_out(client: TestClient, headers, board) -> None:
    snap = situation(client, headers["observer"], positions="false")
    assert snap["teams"]["positions"] is None
    assert snap["teams"]["counts"]["out_of_service"] >= 1


def test_supplies_below_minimum_reserve(client: TestClient, headers, board) -> None:
    rows = by_id(situation(client, headers["observer"])["supplies_below_min"], key="supply_item_id")
    low = board["low"]
    assert rows[low["id"]] == {
        "supply_item_id": low["id"],
        "depot_id": low["depot_id"],
        "depot_name": rows[low["id"]]["depot_name"],
        "category": "sandbags",
        "name": low["name"],
        "quantity_on_hand": 5,
        "quantity_reserved": 0,
        "min_reserve": 10,
        "version": low["version"],
    }
    depot = ok(client.get(f"/api/v1/depots/{low['depot_id']}", headers=headers["observer"]))
    assert rows[low["id"]]["depot_name"] == depot["name"]
    assert board["enough"]["id"] not in rows


def test_escalations_due_within_two_hours_and_late(client: TestClient, headers, board) -> None:
    esc = situation(client, headers["observer"])["escalations"]
    due = [e for e in esc["due"] if e["incident_id"] == board["overdue"]["id"]]
    assert [(e["level"], e["kind"]) for e in due] == [("county", "report"), ("city", "report")]
    county, city = due
    assert -3700 < county["seconds_left"] < -3300
    assert county["late"] is True
    assert 3300 < city["seconds_left"] < 3700
    assert city["late"] is False
    late = [e for e in esc["late"] if e["incident_id"] == board["overdue"]["id"]]
    assert [e["level"] for e in late] == ["county"]
    # A step reported after its deadline is late but no longer due.
    reported = [e for e in esc["late"] if e["incident_id"] == board["reported_late"]["id"]]
    assert [(e["id"], e["late"]) for e in reported] == [(board["county_late"]["id"], True)]
    assert reported[0]["reported_at"] is not None
    assert board["county_late"]["id"] not in {e["id"] for e in esc["due"]}
    assert all(e["is_drill"] is False for e in esc["due"] + esc["late"])


def test_drill_data_is_left_out_of_the_real_board(client: TestClient, headers, board) -> None:
    snap = situation(client, headers["observer"])
    assert board["drill_incident"]["id"] not in by_id(snap["incidents"])
    assert all(e["incident_id"] != board["drill_incident"]["id"] for e in snap["escalations"]["due"])
    assert all(i["drill_id"] is None for i in snap["incidents"])
    assert snap["drills"] == []


def test_one_drills_board_shows_only_that_drill(client: TestClient, headers, board) -> None:
    drill_id = board["drill"]["id"]
    snap = situation(client, headers["controller"], drill_id=drill_id)
    incidents = by_id(snap["incidents"])
    assert board["drill_incident"]["id"] in incidents
    assert board["dispatched"]["id"] not in incidents
    assert {i["drill_id"] for i in incidents.values()} == {drill_id}
    assert all(i["is_drill"] for i in incidents.values())
    assert {e["incident_id"] for e in snap["escalations"]["due"]} == {board["drill_incident"]["id"]}
    assert [d["id"] for d in snap["drills"]] == [drill_id]
    assert snap["drills"][0]["status"] == "running"


def test_include_drills_shows_both_marked(client: TestClient, headers, board) -> None:
    snap = situation(client, headers["observer"], include_drills="true")
    incidents = by_id(snap["incidents"])
    assert incidents[board["drill_incident"]["id"]]["is_drill"] is True
    assert incidents[board["drill_incident"]["id"]]["drill_id"] == board["drill"]["id"]
    assert incidents[board["dispatched"]["id"]]["is_drill"] is False
    drill_steps = [e for e in snap["escalations"]["due"] if e["incident_id"] == board["drill_incident"]["id"]]
    assert drill_steps
    assert all(e["is_drill"] for e in drill_steps)
    assert board["drill"]["id"] in {d["id"] for d in snap["drills"]}


def test_an_ended_drill_leaves_the_drills_section(client: TestClient, tokens, headers) -> None:
    drill = start_drill(client, tokens["controller"])
    assert drill["id"] in {d["id"] for d in situation(client, headers["observer"], include_drills="true")["drills"]}
    ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))
    assert drill["id"] not in {d["id"] for d in situation(client, headers["observer"], include_drills="true")["drills"]}


def test_seq_is_the_logs_last_seq_once_the_relay_is_idle(
    client: TestClient, app: FastAPI, tokens, headers, live_url: str
) -> None:
    # The relay runs in the app's lifespan, i.e. in the live server (the in-process client has none).
    incident = make_incident(client, tokens["operator"])

    def unpublished() -> int:
        with app.state.session_factory() as s:
            return int(s.scalar(select(func.count()).where(OutboxEvent.seq.is_(None))) or 0)

    wait_until(lambda: unpublished() == 0, "the relay to number every outbox row")
    seqs: list[int] = []

    def settled() -> bool:
        seqs.append(situation(client, headers["observer"], positions="false")["seq"])
        return len(seqs) >= 2 and seqs[-1] == seqs[-2]

    wait_until(settled, "the snapshot's seq to stop moving")
    snap = situation(client, headers["observer"], positions="false")
    with app.state.session_factory() as s:
        meta = s.execute(select(EventLogMeta.last_seq, EventLogMeta.epoch)).one()
        created = s.scalar(
            select(func.max(OutboxEvent.seq)).where(
                OutboxEvent.type == "incident.created", OutboxEvent.data["id"].as_integer() == incident["id"]
            )
        )
    assert (snap["seq"], snap["epoch"]) == (meta.last_seq, meta.epoch)
    assert created is not None
    assert created <= snap["seq"]
    assert incident["id"] in by_id(snap["incidents"])


@pytest.mark.parametrize("role", ["admin", "operator", "observer", "controller", "leader"])
def test_every_role_may_read_the_board(client: TestClient, headers, role: str) -> None:
    snap = situation(client, headers[role], positions="false")
    assert {"seq", "epoch", "generated_at", "incidents", "teams", "supplies_below_min", "escalations", "drills"} <= set(
        snap
    )


def test_anonymous_is_refused(client: TestClient) -> None:
    r = client.get(URL)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
