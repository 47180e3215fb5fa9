"""Dispatches over HTTP: the status walk drives the team, timestamps and turnout/travel times, the state
machine's 409s, refusals for closed incidents and unknown references, and the events each change queues."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import make_team, ok
from tests.workflow_factories import (
    assert_problem,
    audit_rows,
    error_fields,
    make_dispatch,
    make_incident,
    outbox_events,
    parse_ts,
    row_counts,
    set_dispatch_status,
    team_row,
    transition,
)

URL = "/api/v1/dispatches"


def team_status(client: TestClient, headers: dict[str, str], team_id: int) -> str:
    return str(ok(client.get(f"/api/v1/teams/{team_id}", headers=headers))["status"])


def test_full_walk_drives_team_status_and_stamps_every_time(app: FastAPI, client: TestClient, tokens, headers) -> None:
    op = tokens["operator"]
    team = make_team(client, op)
    incident = make_incident(client, op)
    r = client.post(URL, json={"incident_id": incident["id"], "team_id": team["id"]}, headers=headers["operator"])
    d = ok(r, 201)
    assert r.headers["Location"] == f"{URL}/{d['id']}"
    assert (d["status"], d["actor"], d["is_drill"]) == ("dispatched", "operator", False)
    assert d["turnout_seconds"] is None
    assert d["travel_seconds"] is None
    assert team_status(client, headers["observer"], team["id"]) == "dispatched"

    expected_team = {
        "acknowledged": "dispatched",
        "en_route": "en_route",
        "on_scene": "on_scene",
        "released": "available",
    }
    for status, team_after in expected_team.items():
        d = set_dispatch_status(client, op, d["id"], status)
        assert d["status"] == status
        assert d[f"{status}_at"] is not None
        assert team_status(client, headers["observer"], team["id"]) == team_after

    got = ok(client.get(f"{URL}/{d['id']}", headers=headers["observer"]))
    stamps = [parse_ts(got[f"{s}_at"]) for s in ("dispatched", "acknowledged", "en_route", "on_scene", "released")]
    assert stamps == sorted(stamps)
    assert got["cancelled_at"] is None
    assert got["turnout_seconds"] == pytest.approx((stamps[2] - stamps[0]).total_seconds())
    assert got["travel_seconds"] == pytest.approx((stamps[3] - stamps[2]).total_seconds())
    assert got["turnout_seconds"] >= 0
    assert got["travel_seconds"] >= 0

    # Events: one created, four status changes; the team moved dispatched/en_route/on_scene/available.
    assert len(outbox_events(app, "dispatch.created", value=d["id"])) == 1
    changed = outbox_events(app, "dispatch.status_changed", value=d["id"])
    assert [e.data["status"] for e in changed] == list(expected_team)
    team_events = outbox_events(app, "team.status_changed", value=team["id"])
    assert [e.data["status"] for e in team_events] == ["dispatched", "en_route", "on_scene", "available"]
    assert [a.action for a in audit_rows(app, "dispatch", d["id"])] == ["dispatch.create"] + ["dispatch.status"] * 4
    assert len(audit_rows(app, "rescue_team", team["id"], ["team.status"])) == 4
    assert team_row(app, team["id"]).status == "available"


def test_illegal_dispatch_transition_is_409_with_allowed_and_changes_nothing(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    team = make_team(client, tokens["operator"])
    d = make_dispatch(client, tokens["operator"], make_incident(client, tokens["operator"])["id"], team["id"])
    before = row_counts(app)
    r = client.post(f"{URL}/{d['id']}/status", json={"status": "on_scene"}, headers=headers["operator"])
    problem = assert_problem(r, 409)
    assert problem["type"].endswith("/invalid-transition")
    assert problem["allowed"] == ["acknowledged", "cancelled"]
    assert row_counts(app) == before
    now = ok(client.get(f"{URL}/{d['id']}", headers=headers["operator"]))
    assert (now["status"], now["version"], now["on_scene_at"]) == ("dispatched", d["version"], None)
    assert team_status(client, headers["operator"], team["id"]) == "dispatched"

    for status in ("acknowledged", "en_route"):
        set_dispatch_status(client, tokens["operator"], d["id"], status)
    late_cancel = client.post(f"{URL}/{d['id']}/status", json={"status": "cancelled"}, headers=headers["operator"])
    assert assert_problem(late_cancel, 409)["allowed"] == ["on_scene"]


@pytest.mark.parametrize("cancel_from", ["dispatched", "acknowledged"])
def test_cancel_frees_the_team_for_another_dispatch(
    app: FastAPI, client: TestClient, tokens, headers, cancel_from: str
) -> None:
    op = tokens["operator"]
    team = make_team(client, op)
    incident = make_incident(client, op)
    d = make_dispatch(client, op, incident["id"], team["id"])
    if cancel_from == "acknowledged":
        set_dispatch_status(client, op, d["id"], "acknowledged")
    cancelled = set_dispatch_status(client, op, d["id"], "cancelled")
    assert cancelled["cancelled_at"] is not None
    assert cancelled["turnout_seconds"] is None
    assert team_status(client, headers["observer"], team["id"]) == "available"
    again = make_dispatch(client, op, incident["id"], team["id"])
    assert again["id"] != d["id"]
    assert [e.data["status"] for e in outbox_events(app, "team.status_changed", value=team["id"])] == [
        "dispatched",
        "available",
        "dispatched",
    ]
    set_dispatch_status(client, op, again["id"], "cancelled")


def test_busy_team_is_409_team_unavailable_and_nothing_written(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    op = tokens["operator"]
    team = make_team(client, op)
    first = make_dispatch(client, op, make_incident(client, op)["id"], team["id"])
    other_incident = make_incident(client, op)
    before = row_counts(app)
    r = client.post(URL, json={"incident_id": other_incident["id"], "team_id": team["id"]}, headers=headers["operator"])
    assert assert_problem(r, 409)["type"].endswith("/team-unavailable")
    assert row_counts(app) == before
    out = client.post(
        f"/api/v1/teams/{team['id']}/status", json={"status": "out_of_service"}, headers=headers["operator"]
    )
    assert out.status_code == 409  # a dispatched team cannot be taken out of service by hand
    set_dispatch_status(client, op, first["id"], "cancelled")


@pytest.mark.parametrize("final", ["closed", "dismissed"])
def test_dispatching_to_a_finished_incident_is_409(
    app: FastAPI, client: TestClient, tokens, headers, final: str
) -> None:
    op = tokens["operator"]
    team = make_team(client, op)
    incident = make_incident(client, op)
    path = ["dismissed"] if final == "dismissed" else ["verified", "responding", "contained", "closed"]
    transition(client, op, incident["id"], *path)
    before = row_counts(app)
    r = client.post(URL, json={"incident_id": incident["id"], "team_id": team["id"]}, headers=headers["operator"])
    assert final in assert_problem(r, 409)["detail"]
    assert row_counts(app) == before
    assert team_status(client, headers["operator"], team["id"]) == "available"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team_id": 987_654_321}, "body.team_id"),
        ({"incident_id": 987_654_321}, "body.incident_id"),
        ({"team_id": 0}, "body.team_id"),
        ({"team_id": "seven"}, "body.team_id"),
        ({"status": "on_scene"}, "body.status"),
        ({"drill_id": 1}, "body.drill_id"),
        ({"created_by": "x"}, "body.created_by"),
        ({"actor": "x"}, "body.actor"),
    ],
)
def test_bad_dispatch_is_422_naming_the_field_and_writes_nothing(
    app: FastAPI, client: TestClient, tokens, headers, body: dict[str, Any], field: str
) -> None:
    team = make_team(client, tokens["operator"])
    incident = make_incident(client, tokens["operator"])
    before = row_counts(app)
    r = client.post(
        URL, json={"incident_id": incident["id"], "team_id": team["id"], **body}, headers=headers["operator"]
    )
    assert field in error_fields(assert_problem(r, 422))
    assert row_counts(app) == before
    assert team_status(client, headers["operator"], team["id"]) == "available"


@pytest.mark.parametrize(
    ("body", "field", "hint"),
    [
        ({"status": "teleported"}, "body.status", "acknowledged"),
        ({}, "body.status", ""),
        ({"status": "acknowledged", "team_id": 1}, "body.team_id", ""),
        ({"status": "acknowledged", "acknowledged_at": "2024-01-01T00:00:00Z"}, "body.acknowledged_at", ""),
    ],
)
def test_bad_status_change_is_422_and_changes_nothing(
    app: FastAPI, client: TestClient, tokens, headers, body: dict[str, Any], field: str, hint: str
) -> None:
    team = make_team(client, tokens["operator"])
    d = make_dispatch(client, tokens["operator"], make_incident(client, tokens["operator"])["id"], team["id"])
    before = row_counts(app)
    problem = assert_problem(client.post(f"{URL}/{d['id']}/status", json=body, headers=headers["operator"]), 422)
    assert field in error_fields(problem)
    if hint:
        assert hint in str(problem)
    assert row_counts(app) == before
    set_dispatch_status(client, tokens["operator"], d["id"], "cancelled")


def test_list_filters_by_incident_team_status_and_active(client: TestClient, tokens, headers) -> None:
    op = tokens["operator"]
    incident = make_incident(client, op)
    teams = [make_team(client, op) for _ in range(3)]
    ds = [make_dispatch(client, op, incident["id"], t["id"]) for t in teams]
    set_dispatch_status(client, op, ds[0]["id"], "cancelled")
    set_dispatch_status(client, op, ds[1]["id"], "acknowledged")
    obs = headers["observer"]
    by_incident = ok(client.get(URL, params={"incident_id": incident["id"]}, headers=obs))["items"]
    assert [d["id"] for d in by_incident] == [d["id"] for d in ds]
    active = ok(client.get(URL, params={"incident_id": incident["id"], "active": True}, headers=obs))["items"]
    assert [d["id"] for d in active] == [ds[1]["id"], ds[2]["id"]]
    acked = ok(client.get(URL, params={"incident_id": incident["id"], "status": "acknowledged"}, headers=obs))
    assert [d["id"] for d in acked["items"]] == [ds[1]["id"]]
    by_team = ok(client.get(URL, params={"team_id": teams[2]["id"]}, headers=obs))["items"]
    assert [d["id"] for d in by_team] == [ds[2]["id"]]
    paged = ok(client.get(URL, params={"incident_id": incident["id"], "limit": 2}, headers=obs))
    assert len(paged["items"]) == 2
    assert paged["next_cursor"]
    for d in ds[1:]:
        set_dispatch_status(client, op, d["id"], "cancelled")


def test_observer_cannot_dispatch_or_move_a_dispatch(app: FastAPI, client: TestClient, tokens, headers) -> None:
    team = make_team(client, tokens["operator"])
    incident = make_incident(client, tokens["operator"])
    assert_problem(
        client.post(URL, json={"incident_id": incident["id"], "team_id": team["id"]}, headers=headers["observer"]), 403
    )
    d = make_dispatch(client, tokens["operator"], incident["id"], team["id"])
    before = row_counts(app)
    r = client.post(f"{URL}/{d['id']}/status", json={"status": "acknowledged"}, headers=headers["observer"])
    assert_problem(r, 403)
    assert row_counts(app) == before
    set_dispatch_status(client, tokens["operator"], d["id"], "cancelled")
