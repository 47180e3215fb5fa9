"""S3: a team leader acts on their own team only, and extra fields in write bodies are refused, not ignored."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.factories import make_team, ok
from tests.workflow_factories import (
    assert_problem,
    error_fields,
    make_dispatch,
    make_incident,
    row_counts,
    set_dispatch_status,
    team_row,
)

EXTRA_FIELDS: dict[str, Any] = {"status": "available", "team_id": 1, "drill_id": 1, "created_by": "mallory"}


def test_leader_cannot_see_or_move_another_teams_dispatch(
    app: FastAPI, client: TestClient, tokens, headers, world: World
) -> None:
    op = tokens["operator"]
    foreign_team = make_team(client, op)
    d = make_dispatch(client, op, make_incident(client, op)["id"], foreign_team["id"])
    before = row_counts(app)
    assert_problem(client.get(f"/api/v1/dispatches/{d['id']}", headers=headers["leader"]), 404)
    for status in ("acknowledged", "cancelled"):
        r = client.post(f"/api/v1/dispatches/{d['id']}/status", json={"status": status}, headers=headers["leader"])
        assert_problem(r, 404)
    listed = ok(client.get("/api/v1/dispatches", params={"team_id": foreign_team["id"]}, headers=headers["leader"]))
    assert listed["items"] == []
    own_only = ok(client.get("/api/v1/dispatches", params={"limit": 500}, headers=headers["leader"]))
    assert {x["team_id"] for x in own_only["items"]} <= {world.team_id}
    assert row_counts(app) == before
    now = ok(client.get(f"/api/v1/dispatches/{d['id']}", headers=headers["operator"]))
    assert (now["status"], now["version"]) == ("dispatched", d["version"])
    assert team_row(app, foreign_team["id"]).status == "dispatched"
    set_dispatch_status(client, op, d["id"], "cancelled")


def test_leader_cannot_change_another_team(app: FastAPI, client: TestClient, headers, world: World) -> None:
    url = f"/api/v1/teams/{world.other_team_id}"
    team = ok(client.get(url, headers=headers["operator"]))
    before = row_counts(app)
    r = client.patch(url, json={"personnel": 99}, headers={**headers["leader"], "If-Match": f'"{team["version"]}"'})
    assert_problem(r, 403)
    r = client.post(f"{url}/status", json={"status": "out_of_service"}, headers=headers["leader"])
    assert_problem(r, 403)
    assert row_counts(app) == before
    after = ok(client.get(url, headers=headers["operator"]))
    assert (after["personnel"], after["status"], after["version"]) == (
        team["personnel"],
        team["status"],
        team["version"],
    )


def test_leader_walks_their_own_teams_dispatch_and_others_cannot(
    app: FastAPI, client: TestClient, tokens, headers, world: World
) -> None:
    op = tokens["operator"]
    assert team_row(app, world.team_id).status == "available", "the leader's team must start available"
    d = make_dispatch(client, op, make_incident(client, op)["id"], world.team_id)
    assert ok(client.get(f"/api/v1/dispatches/{d['id']}", headers=headers["leader"]))["id"] == d["id"]
    assert_problem(client.get(f"/api/v1/dispatches/{d['id']}", headers=headers["other_leader"]), 404)
    mine = ok(client.get("/api/v1/dispatches", params={"active": True}, headers=headers["leader"]))
    assert d["id"] in [x["id"] for x in mine["items"]]
    walk = {"acknowledged": "dispatched", "en_route": "en_route", "on_scene": "on_scene", "released": "available"}
    for status, team_status in walk.items():
        r = client.post(
            f"/api/v1/dispatches/{d['id']}/status", json={"status": status}, headers=headers["other_leader"]
        )
        assert_problem(r, 404)
        body = set_dispatch_status(client, tokens["leader"], d["id"], status)
        assert (body["status"], body["actor"]) == (status, "operator")
        assert team_row(app, world.team_id).status == team_status
    # The leader is not a dispatcher: sending their own team is the command centre's job.
    r = client.post(
        "/api/v1/dispatches",
        json={"incident_id": d["incident_id"], "team_id": world.team_id},
        headers=headers["leader"],
    )
    assert_problem(r, 403)
    assert team_row(app, world.team_id).status == "available"


@pytest.mark.parametrize("field", ["status", "drill_id", "created_by"])
def test_extra_field_in_dispatch_create_is_422_and_nothing_dispatched(
    app: FastAPI, client: TestClient, tokens, headers, field: str
) -> None:
    team = make_team(client, tokens["operator"])
    incident = make_incident(client, tokens["operator"])
    before = row_counts(app)
    body = {"incident_id": incident["id"], "team_id": team["id"], field: EXTRA_FIELDS[field]}
    r = client.post("/api/v1/dispatches", json=body, headers=headers["operator"])
    assert f"body.{field}" in error_fields(assert_problem(r, 422))
    assert row_counts(app) == before
    assert team_row(app, team["id"]).status == "available"


@pytest.mark.parametrize("field", list(EXTRA_FIELDS))
def test_extra_field_in_incident_patch_is_422_and_nothing_changed(
    app: FastAPI, client: TestClient, tokens, headers, field: str
) -> None:
    incident = make_incident(client, tokens["operator"])
    url = f"/api/v1/incidents/{incident['id']}"
    before = row_counts(app)
    body = {"deaths": 5, field: EXTRA_FIELDS[field]}
    r = client.patch(url, json=body, headers={**headers["operator"], "If-Match": f'"{incident["version"]}"'})
    assert f"body.{field}" in error_fields(assert_problem(r, 422))
    assert row_counts(app) == before
    now = ok(client.get(url, headers=headers["operator"]))
    assert (now["deaths"], now["status"], now["drill_id"], now["version"]) == (0, "reported", None, incident["version"])


@pytest.mark.parametrize("who", ["leader", "operator"])
@pytest.mark.parametrize("field", list(EXTRA_FIELDS))
def test_extra_field_in_team_patch_is_422_and_nothing_changed(
    app: FastAPI, client: TestClient, headers, world: World, who: str, field: str
) -> None:
    url = f"/api/v1/teams/{world.team_id}"
    team = ok(client.get(url, headers=headers["operator"]))
    before = row_counts(app)
    extra = {"status": "out_of_service"} if field == "status" else {field: EXTRA_FIELDS[field]}
    body = {"personnel": team["personnel"] + 1, **extra}
    r = client.patch(url, json=body, headers={**headers[who], "If-Match": f'"{team["version"]}"'})
    assert f"body.{field}" in error_fields(assert_problem(r, 422))
    assert row_counts(app) == before
    now = ok(client.get(url, headers=headers["operator"]))
    assert (now["personnel"], now["status"], now["version"]) == (team["personnel"], team["status"], team["version"])


@pytest.mark.parametrize(
    "change",
    [
        {"personnel": 10000},
        {"capabilities": ["hazmat"]},
        {"base_lat": 20.5, "base_lon": 110.0},
        {"home_jurisdiction": "baisha"},
        {"name": "renamed-by-leader"},
        {"agreement_id": 1},
        {"contact_phone": "0759-1234567", "personnel": 11},
    ],
    ids=["personnel", "capabilities", "base", "home", "name", "agreement", "phone-and-personnel"],
)
def test_leader_may_not_patch_anything_but_contact_fields_on_their_own_team(
    app: FastAPI, client: TestClient, headers, world: World, change: dict[str, Any]
) -> None:
    url = f"/api/v1/teams/{world.team_id}"
    team = ok(client.get(url, headers=headers["leader"]))
    before = row_counts(app)
    r = client.patch(url, json=change, headers={**headers["leader"], "If-Match": f'"{team["version"]}"'})
    refused = {f.removeprefix("body.") for f in error_fields(assert_problem(r, 403))}
    assert refused == set(change) - {"contact_phone"}
    assert row_counts(app) == before
    assert ok(client.get(url, headers=headers["operator"])) == team


def test_leader_updates_their_own_teams_contact_phone(client: TestClient, headers, world: World) -> None:
    url = f"/api/v1/teams/{world.team_id}"
    team = ok(client.get(url, headers=headers["leader"]))
    phone = "0759-" + str(team["version"]).zfill(7)
    r = client.patch(
        url, json={"contact_phone": phone}, headers={**headers["leader"], "If-Match": f'"{team["version"]}"'}
    )
    after = ok(r)
    assert (after["contact_phone"], after["personnel"], after["version"]) == (
        phone,
        team["personnel"],
        team["version"] + 1,
    )
