"""S4: a drill controller acts on exercise data only, and exercise data never reaches real views."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import Dispatch, Incident
from tests.cooperation_factories import dispatch, real_incident, start_drill, walk_dispatch
from tests.factories import auth, make_team, ok, unique
from tests.workflow_factories import incident_body, make_incident


def _all(client: TestClient, token: str, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following cursors."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(url, params=query, headers=auth(token)))
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def _dispatch_count(app: FastAPI, incident_id: int) -> int:
    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Dispatch).where(Dispatch.incident_id == incident_id)))


def test_drill_controller_cannot_report_a_real_incident(client: TestClient, headers, app: FastAPI) -> None:
    title = unique("controller-real")
    r = client.post("/api/v1/incidents", json=incident_body(title=title), headers=headers["controller"])
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    with app.state.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.title == title)) == 0


def test_drill_controller_cannot_dispatch_to_a_real_incident(client: TestClient, headers, tokens, app) -> None:
    incident = real_incident(client, tokens["operator"])
    team = make_team(client, tokens["operator"])
    body = {"incident_id": incident["id"], "team_id": team["id"]}
    assert client.post("/api/v1/dispatches", json=body, headers=headers["controller"]).status_code == 403
    assert _dispatch_count(app, incident["id"]) == 0
    assert ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["admin"]))["status"] == "available"


def test_drill_controller_cannot_move_a_real_dispatch(client: TestClient, headers, tokens) -> None:
    incident = real_incident(client, tokens["operator"])
    team = make_team(client, tokens["operator"])
    d = dispatch(client, tokens["operator"], incident["id"], team["id"])
    r = client.post(f"/api/v1/dispatches/{d['id']}/status", json={"status": "cancelled"}, headers=headers["controller"])
    assert r.status_code == 403
    assert ok(client.get(f"/api/v1/dispatches/{d['id']}", headers=headers["admin"])) == d


def test_drill_controller_cannot_edit_or_move_a_real_incident(client: TestClient, headers, tokens) -> None:
    incident = real_incident(client, tokens["operator"])
    url = f"/api/v1/incidents/{incident['id']}"
    patched = client.patch(
        url, json={"deaths": 5}, headers={**headers["controller"], "If-Match": f'"{incident["version"]}"'}
    )
    assert patched.status_code == 403
    moved = client.post(f"{url}/transitions", json={"status": "verified"}, headers=headers["controller"])
    assert moved.status_code == 403
    after = ok(client.get(url, headers=headers["admin"]))
    assert (after["deaths"], after["status"], after["version"]) == (0, "reported", incident["version"])


def test_drill_controller_cannot_move_real_stock(client: TestClient, headers) -> None:
    depot = {"name": unique("depot"), "jurisdiction": "leicheng", "lat": 20.91, "lon": 110.09, "operator": "gov"}
    depot_id = ok(client.post("/api/v1/depots", json=depot, headers=headers["admin"]), 201)["id"]
    item = {"depot_id": depot_id, "category": "sandbags", "name": unique("bags"), "unit": "bag", "quantity_on_hand": 50}
    item_id = ok(client.post("/api/v1/supply-items", json=item, headers=headers["admin"]), 201)["id"]
    for body in ({"reason": "receive", "delta": 5}, {"reason": "consume", "delta": -5}):
        r = client.post(f"/api/v1/supply-items/{item_id}/movements", json=body, headers=headers["controller"])
        assert r.status_code == 403, body
    assert ok(client.get(f"/api/v1/supply-items/{item_id}", headers=headers["admin"]))["quantity_on_hand"] == 50
    ledger = ok(client.get(f"/api/v1/supply-items/{item_id}/movements", headers=headers["admin"]))["items"]
    assert all(m["actor"] != "controller" for m in ledger)


def test_drill_controller_reports_a_drill_incident_and_dispatches_to_it(client: TestClient, headers, tokens) -> None:
    drill = start_drill(client, tokens["controller"])
    incident = make_incident(client, tokens["controller"], drill_id=drill["id"], type="water_rescue")
    assert (incident["drill_id"], incident["is_drill"]) == (drill["id"], True)
    team = make_team(client, tokens["operator"])
    d = dispatch(client, tokens["controller"], incident["id"], team["id"])
    assert (d["drill_id"], d["is_drill"]) == (drill["id"], True)
    walk_dispatch(client, tokens["controller"], d["id"], until="on_scene")
    # The real team never left its base: its status and version are as they were.
    after = ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["admin"]))
    assert (after["status"], after["version"]) == ("available", team["version"])
    # ...so a real incident can still have it.
    real = real_incident(client, tokens["operator"])
    assert dispatch(client, tokens["operator"], real["id"], team["id"])["drill_id"] is None


def test_drill_data_stays_out_of_default_lists_and_is_marked_when_asked_for(
    client: TestClient, headers, tokens
) -> None:
    drill = start_drill(client, tokens["controller"])
    incident = make_incident(client, tokens["controller"], drill_id=drill["id"])
    d = dispatch(client, tokens["controller"], incident["id"], make_team(client, tokens["operator"])["id"])
    real = real_incident(client, tokens["operator"])
    token = tokens["observer"]

    default_incidents = {i["id"] for i in _all(client, token, "/api/v1/incidents")}
    assert incident["id"] not in default_incidents
    assert real["id"] in default_incidents
    for scope in ({"drill_id": drill["id"]}, {"include_drills": "true"}):
        found = {i["id"]: i for i in _all(client, token, "/api/v1/incidents", **scope)}
        assert found[incident["id"]]["is_drill"] is True
        assert (real["id"] in found) == ("include_drills" in scope)

    assert _all(client, token, "/api/v1/dispatches", incident_id=incident["id"]) == []
    assert d["id"] not in {x["id"] for x in _all(client, token, "/api/v1/dispatches")}
    for scope in ({"drill_id": drill["id"]}, {"include_drills": "true"}):
        sent = _all(client, token, "/api/v1/dispatches", incident_id=incident["id"], **scope)
        assert [(x["id"], x["is_drill"]) for x in sent] == [(d["id"], True)]

    # Grading a drill incident schedules its reporting chain too; those steps are exercise data as well.
    assert _all(client, token, "/api/v1/escalations", incident_id=incident["id"]) == []
    assert incident["id"] not in {e["incident_id"] for e in _all(client, token, "/api/v1/escalations")}
    steps = _all(client, token, "/api/v1/escalations", incident_id=incident["id"], drill_id=drill["id"])
    assert steps
    assert {e["drill_id"] for e in steps} == {drill["id"]}
    everything = _all(client, token, "/api/v1/escalations", incident_id=incident["id"], include_drills="true")
    assert {e["id"] for e in everything} == {e["id"] for e in steps}
