"""Mutual aid between jurisdictions (seed §12): request, approve by lending a neighbour's team, dispatch, fulfil."""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import MutualAidRequest, OutboxEvent
from tests.cooperation_factories import (
    aid_body,
    dispatch,
    make_neighbor_team,
    real_incident,
    request_aid,
    start_drill,
    walk_dispatch,
)
from tests.factories import make_team, ok
from tests.workflow_factories import make_incident

URL = "/api/v1/mutual-aid-requests"


def _problem(r: Any, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["type"].endswith(f"/{slug}"), body
    return body


def _requests_for(app: FastAPI, incident_id: int) -> int:
    with app.state.session_factory() as s:
        stmt = select(func.count()).select_from(MutualAidRequest).where(MutualAidRequest.incident_id == incident_id)
        return int(s.scalar(stmt))


def test_approved_request_lends_a_neighbour_team_that_then_dispatches(
    client: TestClient, headers, tokens, app: FastAPI
) -> None:
    incident = real_incident(client, tokens["operator"], type="water_rescue")
    team = make_neighbor_team(client, tokens["operator"], capabilities=["water_rescue", "boat"])
    send = {"incident_id": incident["id"], "team_id": team["id"]}
    _problem(client.post("/api/v1/dispatches", json=send, headers=headers["operator"]), 409, "team-unavailable")

    req = request_aid(client, tokens["operator"], incident["id"], capabilities=["boat", "water_rescue", "boat"])
    assert req["status"] == "requested"
    assert (req["from_jurisdiction"], req["to_jurisdiction"]) == ("leicheng", "suixi")
    assert (req["capabilities"], req["supplies"]) == (["boat", "water_rescue"], {"life_jackets": 40})
    assert (req["drill_id"], req["is_drill"], req["requested_by"]) == (None, False, "operator")
    # Asked is not lent: the neighbour's team still cannot be sent.
    _problem(client.post("/api/v1/dispatches", json=send, headers=headers["operator"]), 409, "team-unavailable")

    approved = ok(
        client.post(f"{URL}/{req['id']}/approve", json={"lent_team_id": team["id"]}, headers=headers["admin"])
    )
    assert (approved["status"], approved["lent_team_id"], approved["decided_by"]) == ("approved", team["id"], "admin")
    d = dispatch(client, tokens["operator"], incident["id"], team["id"])
    assert d["mutual_aid_request_id"] == req["id"]
    walk_dispatch(client, tokens["operator"], d["id"], until="on_scene")

    fulfilled = ok(client.post(f"{URL}/{req['id']}/fulfil", headers=headers["operator"]))
    assert fulfilled["status"] == "fulfilled"
    assert ok(client.get(f"{URL}/{req['id']}", headers=headers["observer"])) == fulfilled

    timeline = ok(client.get(f"/api/v1/incidents/{incident['id']}/timeline", headers=headers["observer"]))["items"]
    kinds = [t["kind"] for t in timeline if t["kind"].startswith("mutual_aid.")]
    assert kinds == ["mutual_aid.request", "mutual_aid.approve", "mutual_aid.fulfil"]
    with app.state.session_factory() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type.like("mutual_aid.%")).order_by(OutboxEvent.id))
        mine = [e.type for e in rows if e.data["id"] == req["id"]]
    assert mine == ["mutual_aid.requested", "mutual_aid.approved", "mutual_aid.fulfilled"]


def test_illegal_moves_answer_409_naming_the_allowed_ones(client: TestClient, headers, tokens) -> None:
    incident = real_incident(client, tokens["operator"])
    team = make_neighbor_team(client, tokens["operator"])
    req = request_aid(client, tokens["operator"], incident["id"])
    base = f"{URL}/{req['id']}"
    lend = {"lent_team_id": team["id"]}

    body = _problem(client.post(f"{base}/fulfil", headers=headers["operator"]), 409, "invalid-transition")
    assert body["allowed"] == ["approved", "declined"]
    ok(client.post(f"{base}/approve", json=lend, headers=headers["operator"]))
    for move, payload in (("approve", lend), ("decline", {"note": "changed our mind"})):
        body = _problem(
            client.post(f"{base}/{move}", json=payload, headers=headers["operator"]), 409, "invalid-transition"
        )
        assert body["allowed"] == ["fulfilled"]
    ok(client.post(f"{base}/fulfil", json={"note": "boats on scene"}, headers=headers["operator"]))
    body = _problem(client.post(f"{base}/fulfil", headers=headers["operator"]), 409, "invalid-transition")
    assert body["allowed"] == []

    declined = request_aid(client, tokens["operator"], incident["id"])
    gone = ok(
        client.post(f"{URL}/{declined['id']}/decline", json={"note": "our boats are out"}, headers=headers["admin"])
    )
    assert (gone["status"], gone["note"], gone["lent_team_id"]) == ("declined", "our boats are out", None)
    body = _problem(
        client.post(f"{URL}/{declined['id']}/approve", json=lend, headers=headers["operator"]),
        409,
        "invalid-transition",
    )
    assert body["allowed"] == []


def test_aid_can_be_asked_of_a_neighbour_only(client: TestClient, headers, tokens, app: FastAPI) -> None:
    incident = real_incident(client, tokens["operator"])
    for code in ("baisha", "leicheng", "nowhere"):
        r = client.post(URL, json=aid_body(incident["id"], to_jurisdiction=code), headers=headers["operator"])
        body = _problem(r, 422, "validation-error")
        assert [e["field"] for e in body["errors"]] == ["body.to_jurisdiction"], code
    assert _requests_for(app, incident["id"]) == 0


def test_only_an_available_team_of_the_asked_neighbour_can_be_lent(client: TestClient, headers, tokens) -> None:
    incident = real_incident(client, tokens["operator"])
    req = request_aid(client, tokens["operator"], incident["id"])
    approve = f"{URL}/{req['id']}/approve"
    own_team = make_team(client, tokens["operator"])  # Leicheng's own, not Suixi's
    body = _problem(
        client.post(approve, json={"lent_team_id": own_team["id"]}, headers=headers["operator"]),
        422,
        "validation-error",
    )
    assert [e["field"] for e in body["errors"]] == ["body.lent_team_id"]

    busy = make_neighbor_team(client, tokens["operator"])
    ok(
        client.post(
            f"/api/v1/teams/{busy['id']}/status", json={"status": "out_of_service"}, headers=headers["operator"]
        )
    )
    _problem(
        client.post(approve, json={"lent_team_id": busy["id"]}, headers=headers["operator"]), 409, "team-unavailable"
    )
    assert ok(client.get(f"{URL}/{req['id']}", headers=headers["operator"])) == req


def test_bad_input_for_every_write_endpoint_is_422_and_changes_nothing(
    client: TestClient, headers, tokens, app: FastAPI
) -> None:
    incident = real_incident(client, tokens["operator"])
    bad_creates: list[dict[str, Any]] = [
        {**aid_body(incident["id"]), "status": "approved"},
        {**aid_body(incident["id"]), "drill_id": 1},
        {**aid_body(incident["id"]), "from_jurisdiction": "baisha"},
        {**aid_body(incident["id"]), "lent_team_id": 1},
        aid_body(incident["id"], capabilities=[], supplies={}),
        aid_body(incident["id"], capabilities=["teleportation"]),
        aid_body(incident["id"], supplies={"life_jackets": 0}),
        aid_body(incident["id"], supplies={"Life Jackets!": 3}),
        aid_body(incident["id"], note="x" * 501),
        aid_body(999_999),
        aid_body(0),
        {"to_jurisdiction": "suixi", "capabilities": ["boat"]},
    ]
    for body in bad_creates:
        _problem(client.post(URL, json=body, headers=headers["operator"]), 422, "validation-error")
    assert _requests_for(app, incident["id"]) == 0

    req = request_aid(client, tokens["operator"], incident["id"])
    base = f"{URL}/{req['id']}"
    team = make_neighbor_team(client, tokens["operator"])
    bad_moves: list[tuple[str, dict[str, Any]]] = [
        ("approve", {}),
        ("approve", {"lent_team_id": 0}),
        ("approve", {"lent_team_id": "many"}),
        ("approve", {"lent_team_id": 999_999}),
        ("approve", {"lent_team_id": team["id"], "status": "fulfilled"}),
        ("decline", {}),
        ("decline", {"note": "   "}),
        ("decline", {"note": "no", "lent_team_id": team["id"]}),
        ("fulfil", {"status": "fulfilled"}),
    ]
    for move, body in bad_moves:
        _problem(client.post(f"{base}/{move}", json=body, headers=headers["operator"]), 422, "validation-error")
    assert ok(client.get(base, headers=headers["operator"])) == req
    assert _requests_for(app, incident["id"]) == 1


def test_only_the_desk_handles_real_requests(client: TestClient, headers, tokens) -> None:
    incident = real_incident(client, tokens["operator"])
    for role in ("observer", "leader", "controller"):
        assert client.post(URL, json=aid_body(incident["id"]), headers=headers[role]).status_code == 403, role
    req = request_aid(client, tokens["operator"], incident["id"])
    team = make_neighbor_team(client, tokens["operator"])
    for role in ("observer", "leader", "controller"):
        r = client.post(f"{URL}/{req['id']}/approve", json={"lent_team_id": team["id"]}, headers=headers[role])
        assert r.status_code == 403, role
    assert ok(client.get(f"{URL}/{req['id']}", headers=headers["leader"]))["status"] == "requested"


def test_drill_requests_are_exercise_data_listed_only_when_asked_for(client: TestClient, headers, tokens) -> None:
    drill = start_drill(client, tokens["controller"])
    drill_incident = make_incident(client, tokens["controller"], drill_id=drill["id"])
    drill_req = request_aid(client, tokens["controller"], drill_incident["id"], to_jurisdiction="suixi")
    assert (drill_req["drill_id"], drill_req["is_drill"]) == (drill["id"], True)
    # The lent team is only simulated in a drill, so even a busy real team can be named.
    team = make_neighbor_team(client, tokens["operator"])
    ok(
        client.post(
            f"/api/v1/teams/{team['id']}/status", json={"status": "out_of_service"}, headers=headers["operator"]
        )
    )
    lent = client.post(
        f"{URL}/{drill_req['id']}/approve", json={"lent_team_id": team["id"]}, headers=headers["controller"]
    )
    assert ok(lent)["status"] == "approved"

    real_req = request_aid(client, tokens["operator"], real_incident(client, tokens["operator"])["id"])

    def ids(**params: Any) -> set[int]:
        page = ok(client.get(URL, params={"limit": 500, **params}, headers=headers["observer"]))
        return {r["id"] for r in page["items"]}

    assert ids(incident_id=drill_incident["id"]) == set()
    assert ids(incident_id=drill_incident["id"], drill_id=drill["id"]) == {drill_req["id"]}
    assert ids(incident_id=drill_incident["id"], include_drills="true") == {drill_req["id"]}
    assert real_req["id"] in ids(to_jurisdiction="suixi", status="requested")
    assert real_req["id"] not in ids(to_jurisdiction="suixi", status="approved")
    assert real_req["id"] not in ids(to_jurisdiction="baisha")

    ok(client.post(f"/api/v1/drills/{drill['id']}/end", headers=headers["controller"]))
    late = client.post(URL, json=aid_body(drill_incident["id"]), headers=headers["controller"])
    assert [e["field"] for e in _problem(late, 422, "validation-error")["errors"]] == ["body.incident_id"]


def test_a_retried_request_with_the_same_idempotency_key_is_recorded_once(
    client: TestClient, headers, tokens, app: FastAPI
) -> None:
    incident = real_incident(client, tokens["operator"])
    key = {**headers["operator"], "Idempotency-Key": f"aid-{incident['id']}"}
    first = client.post(URL, json=aid_body(incident["id"]), headers=key)
    again = client.post(URL, json=aid_body(incident["id"]), headers=key)
    assert ok(first, 201) == ok(again, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post(URL, json=aid_body(incident["id"], note="another body"), headers=key)
    assert other.status_code == 422
    assert _requests_for(app, incident["id"]) == 1
