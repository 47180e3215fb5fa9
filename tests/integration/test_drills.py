from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from resources_db.models import AuditLog, Drill, OutboxEvent
from tests.cooperation_factories import start_drill
from tests.factories import ok, unique
from tests.workflow_factories import incident_body


def _events(app: FastAPI, type_: str, drill_id: int) -> list[OutboxEvent]:
    with app.state.session_factory() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == type_, OutboxEvent.drill_id == drill_id))
        return list(rows)


def _drills_named(app: FastAPI, name: str) -> int:
    with app.state.session_factory() as s:
        return len(list(s.scalars(select(Drill).where(Drill.name == name))))


def test_controller_starts_a_running_drill_and_ends_it(client: TestClient, headers, tokens, app: FastAPI) -> None:
    drill = start_drill(client, tokens["controller"], scenario="ammonia leak at a Leizhou cold store")
    assert drill["status"] == "running"
    assert drill["started_by"] == "controller"
    assert drill["ended_at"] is None
    assert ok(client.get(f"/api/v1/drills/{drill['id']}", headers=headers["observer"])) == drill

    ended = ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))
    assert ended["status"] == "ended"
    assert ended["ended_at"] is not None
    assert ended["version"] == drill["version"] + 1
    assert len(_events(app, "drill.started", drill["id"])) == 1
    assert len(_events(app, "drill.ended", drill["id"])) == 1
    with app.state.session_factory() as s:
        actions = s.scalars(
            select(AuditLog.action).where(AuditLog.entity == "drill", AuditLog.entity_id == str(drill["id"]))
        )
        assert sorted(actions) == ["drill.end", "drill.start"]


def test_drill_list_filters_on_status(client: TestClient, headers, tokens) -> None:
    running = start_drill(client, tokens["admin"])
    ended = start_drill(client, tokens["controller"])
    ok(client.post(f"/api/v1/drills/{ended['id']}/end", headers=headers["admin"]))

    def ids(status: str) -> set[int]:
        r = client.get("/api/v1/drills", params={"status": status, "limit": 500}, headers=headers["leader"])
        return {d["id"] for d in ok(r)["items"]}

    assert running["id"] in ids("running")
    assert running["id"] not in ids("ended")
    assert ended["id"] in ids("ended")
    assert ended["id"] not in ids("running")


def test_ending_a_drill_twice_answers_409_with_nothing_allowed(client: TestClient, headers, tokens) -> None:
    drill = start_drill(client, tokens["controller"])
    first = ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))
    again = client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"])
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["allowed"] == []
    assert ok(client.get(f"/api/v1/drills/{drill['id']}", headers=headers["admin"])) == first


def test_observer_operator_and_leader_cannot_start_or_end_drills(client: TestClient, headers, tokens, app) -> None:
    name = unique("forbidden-drill")
    for role in ("observer", "operator", "leader"):
        r = client.post("/api/v1/drills", json={"name": name}, headers=headers[role])
        assert r.status_code == 403, role
    assert _drills_named(app, name) == 0
    drill = start_drill(client, tokens["controller"])
    for role in ("observer", "operator", "leader"):
        assert client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers[role]).status_code == 403, role
    assert ok(client.get(f"/api/v1/drills/{drill['id']}", headers=headers["admin"]))["status"] == "running"


def test_bad_drill_bodies_answer_422_and_create_nothing(client: TestClient, headers, app: FastAPI) -> None:
    name = unique("bad-drill")
    for body in ({"name": name, "status": "ended"}, {"name": ""}, {"name": name, "scenario": "x" * 201}, {}):
        r = client.post("/api/v1/drills", json=body, headers=headers["controller"])
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    assert _drills_named(app, name) == 0


def test_unknown_drill_is_404(client: TestClient, headers) -> None:
    assert client.get("/api/v1/drills/999999", headers=headers["observer"]).status_code == 404
    assert client.post("/api/v1/drills/999999/end", headers=headers["controller"]).status_code == 404


def test_an_ended_drill_refuses_new_drill_incidents(client: TestClient, headers, tokens) -> None:
    drill = start_drill(client, tokens["controller"])
    accepted = client.post("/api/v1/incidents", json=incident_body(drill_id=drill["id"]), headers=headers["controller"])
    assert ok(accepted, 201)["drill_id"] == drill["id"]
    ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))

    title = unique("late-drill-incident")
    body = incident_body(title=title, drill_id=drill["id"])
    refused = client.post("/api/v1/incidents", json=body, headers=headers["controller"])
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.drill_id"]
    listed = ok(client.get("/api/v1/incidents", params={"drill_id": drill["id"]}, headers=headers["admin"]))
    assert title not in {i["title"] for i in listed["items"]}


def _script(**inject: Any) -> dict[str, Any]:
    objective = {"id": "A", "title": "t", "standard": "s", "measure": {"actions_met": 1.0}}
    inject = {"id": "I1", "kind": "report", "planned_s": 0, **inject}
    return {"drill_type": "tabletop", "plan": "p", "duration_s": 600, "objectives": [objective], "injects": [inject]}


def test_drill_scripts_take_json_numbers_only_and_a_complete_measure(client: TestClient, headers, app) -> None:
    """S1 found `planned_s: false` taken as 0 s, and an empty measure stored, then a 500 on every evaluation."""
    name = unique("strict-drill")
    empty_measure = _script()
    empty_measure["objectives"][0]["measure"] = {}
    for script in (_script(planned_s=False), _script(planned_s="5"), empty_measure):
        r = client.post("/api/v1/drills", json={"name": name, "script": script}, headers=headers["controller"])
        assert r.status_code == 422, script
        assert r.headers["content-type"] == "application/problem+json"
    assert _drills_named(app, name) == 0
    drill = ok(
        client.post("/api/v1/drills", json={"name": name, "script": _script()}, headers=headers["controller"]), 201
    )
    assert client.get(f"/api/v1/drills/{drill['id']}/evaluation", headers=headers["controller"]).status_code == 200


def test_a_corrective_action_due_date_is_iso_text_not_a_number(client: TestClient, headers) -> None:
    """S1 found `"due": 0` stored as 1970-01-01."""
    drill = ok(client.post("/api/v1/drills", json={"name": unique("due")}, headers=headers["controller"]), 201)
    action = {"issue": "i", "action": "a", "owner": "o", "due": 0}
    r = client.patch(
        f"/api/v1/drills/{drill['id']}/evaluation", json={"improvements": [action]}, headers=headers["controller"]
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].endswith("due")
