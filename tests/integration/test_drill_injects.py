"""Injects played into a drill, and what a scripted drill records: checked at the API, changing nothing when refused."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import DrillInject, OutboxEvent
from tests.cooperation_factories import start_drill
from tests.factories import ok
from tests.workflow_factories import make_incident

SCRIPT = {
    "drill_type": "tabletop, single",
    "plan": "a plan",
    "duration_s": 600,
    "objectives": [
        {"id": "O1", "title": "t", "standard": "s", "measure": {"actions_met": 1.0}},
    ],
    "injects": [{"id": "I1", "kind": "incident_report", "planned_s": 30, "expected": []}],
}


def _injects(app: FastAPI, drill_id: int) -> int:
    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(DrillInject).where(DrillInject.drill_id == drill_id)) or 0)


def test_a_scripted_drill_keeps_its_speed_seed_and_plan(client: TestClient, headers, tokens) -> None:
    drill = start_drill(client, tokens["controller"], speed=60, seed=7, operators="simulated", script=SCRIPT)
    assert (drill["speed"], drill["seed"], drill["operators"]) == (60.0, 7, "simulated")
    ev = ok(client.get(f"/api/v1/drills/{drill['id']}/evaluation", headers=headers["observer"]))
    assert [o["id"] for o in ev["overview"]["objectives"]] == ["O1"]
    assert ev["overview"]["simulated_actors"] == ["controller"]


def test_an_inject_is_recorded_and_announced(client: TestClient, headers, tokens, app: FastAPI) -> None:
    drill = start_drill(client, tokens["controller"], script=SCRIPT)
    incident = make_incident(client, tokens["controller"], drill_id=drill["id"])
    body = {"inject": "I1", "kind": "incident_report", "planned_s": 30, "incident_id": incident["id"], "message": "m"}
    row = ok(client.post(f"/api/v1/drills/{drill['id']}/injects", json=body, headers=headers["controller"]), 201)
    assert (row["inject"], row["incident_id"], row["actor"]) == ("I1", incident["id"], "controller")
    listed = ok(client.get(f"/api/v1/drills/{drill['id']}/injects", headers=headers["leader"]))["items"]
    assert [i["id"] for i in listed] == [row["id"]]
    with app.state.session_factory() as s:
        types = s.scalars(select(OutboxEvent.type).where(OutboxEvent.drill_id == drill["id"]))
        assert "drill.inject" in set(types)
    timeline = ok(client.get(f"/api/v1/incidents/{incident['id']}/timeline", headers=headers["operator"]))["items"]
    assert any(t["kind"] == "drill.inject" for t in timeline)


def test_an_inject_naming_a_real_incident_or_an_ended_drill_is_refused(
    client: TestClient, headers, tokens, app
) -> None:
    drill = start_drill(client, tokens["controller"])
    real = make_incident(client, tokens["operator"])
    body = {"inject": "I1", "kind": "message", "planned_s": 0, "incident_id": real["id"], "message": "m"}
    refused = client.post(f"/api/v1/drills/{drill['id']}/injects", json=body, headers=headers["controller"])
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "body.incident_id" in refused.text
    ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))
    body.pop("incident_id")
    late = client.post(f"/api/v1/drills/{drill['id']}/injects", json=body, headers=headers["controller"])
    assert late.status_code == 422
    assert _injects(app, drill["id"]) == 0


def test_a_speed_outside_its_range_is_refused(client: TestClient, headers) -> None:
    for speed in (0, -1, 10_000):
        r = client.post("/api/v1/drills", json={"name": "x", "speed": speed}, headers=headers["controller"])
        assert r.status_code == 422
        assert "speed" in r.text
