"""Who did what: each dispatch status records who moved it and when; allocations show what was reserved,
issued, returned and consumed; every state-changing answer carries the entity's new ETag."""

from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.factories import auth, make_team, ok
from tests.supply_factories import make_item
from tests.workflow_factories import make_incident, outbox_events, team_row


def etagged(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The body, after checking that the answer's ETag is the body's version."""
    body: dict[str, Any] = ok(response, status)
    assert response.headers.get("ETag") == f'"{body["version"]}"', response.headers
    return body


def test_dispatch_history_names_the_leader_who_advanced_it(
    app: FastAPI, client: TestClient, tokens, headers, world: World
) -> None:
    assert team_row(app, world.team_id).status == "available", "the leader's team must start available"
    incident = make_incident(client, tokens["operator"])
    body = {"incident_id": incident["id"], "team_id": world.team_id}
    d = etagged(client.post("/api/v1/dispatches", json=body, headers=headers["operator"]), 201)
    for status in ("acknowledged", "en_route", "on_scene", "released"):
        r = client.post(f"/api/v1/dispatches/{d['id']}/status", json={"status": status}, headers=headers["leader"])
        d = etagged(r)
    assert d["actor"] == "operator"
    assert [(h["status"], h["actor"]) for h in d["history"]] == [
        ("dispatched", "operator"),
        ("acknowledged", "leader"),
        ("en_route", "leader"),
        ("on_scene", "leader"),
        ("released", "leader"),
    ]
    assert [h["at"] for h in d["history"]] == [
        d["dispatched_at"],
        d["acknowledged_at"],
        d["en_route_at"],
        d["on_scene_at"],
        d["released_at"],
    ]
    assert (d["en_route_by"], d["cancelled_by"]) == ("leader", None)
    events = outbox_events(app, "dispatch.status_changed", value=d["id"])
    assert [(e.data["status"], e.data["actor"]) for e in events][-1] == ("released", "leader")


def test_operator_cancelling_is_recorded_as_the_operator(client: TestClient, tokens, headers) -> None:
    team = make_team(client, tokens["admin"])
    incident = make_incident(client, tokens["operator"])
    body = {"incident_id": incident["id"], "team_id": team["id"]}
    d = etagged(client.post("/api/v1/dispatches", json=body, headers=headers["operator"]), 201)
    r = client.post(f"/api/v1/dispatches/{d['id']}/status", json={"status": "cancelled"}, headers=headers["admin"])
    cancelled = etagged(r)
    assert [(h["status"], h["actor"]) for h in cancelled["history"]] == [
        ("dispatched", "operator"),
        ("cancelled", "admin"),
    ]


def test_allocation_quantities_through_return_and_consumption(client: TestClient, tokens, headers) -> None:
    item = make_item(client, tokens["admin"])
    incident = make_incident(client, tokens["operator"])
    h = headers["operator"]

    def reserve(quantity: int) -> dict[str, Any]:
        body = {"incident_id": incident["id"], "supply_item_id": item["id"], "quantity": quantity}
        return etagged(client.post("/api/v1/allocations", json=body, headers=h), 201)

    def quantities(a: dict[str, Any]) -> tuple[int, int, int, int]:
        return a["quantity_reserved"], a["quantity_issued"], a["quantity_returned"], a["quantity_consumed"]

    a = reserve(10)
    assert quantities(a) == (10, 0, 0, 0)
    a = etagged(client.post(f"/api/v1/allocations/{a['id']}/issue", json={}, headers=h))
    assert quantities(a) == (0, 10, 0, 0)
    a = etagged(client.post(f"/api/v1/allocations/{a['id']}/return", json={"quantity": 4}, headers=h))
    assert quantities(a) == (0, 10, 4, 6)
    assert quantities(ok(client.get(f"/api/v1/allocations/{a['id']}", headers=h))) == (0, 10, 4, 6)

    b = reserve(5)
    b = etagged(client.post(f"/api/v1/allocations/{b['id']}/issue", json={}, headers=h))
    b = etagged(client.post(f"/api/v1/allocations/{b['id']}/consume", json={}, headers=h))
    assert quantities(b) == (0, 5, 0, 5)
    c = reserve(3)
    c = etagged(client.post(f"/api/v1/allocations/{c['id']}/cancel", json={}, headers=h))
    assert quantities(c) == (0, 0, 0, 0)
    everything = etagged(client.post(f"/api/v1/allocations/{reserve(2)['id']}/issue", json={}, headers=h))
    everything = etagged(client.post(f"/api/v1/allocations/{everything['id']}/return", json={}, headers=h))
    assert quantities(everything) == (0, 2, 2, 0)


def test_incident_and_escalation_writes_answer_with_the_new_etag(client: TestClient, tokens, headers) -> None:
    op = headers["operator"]
    incident = etagged(
        client.post("/api/v1/incidents", json={"title": "t", "type": "fire", "lat": 20.9, "lon": 110.1}, headers=op),
        201,
    )
    url = f"/api/v1/incidents/{incident['id']}"
    incident = etagged(client.patch(url, json={"trapped": 1}, headers={**op, "If-Match": f'"{incident["version"]}"'}))
    incident = etagged(client.post(f"{url}/transitions", json={"status": "verified"}, headers=op))
    county = ok(client.get(url, headers=op))["escalations"][0]
    step = etagged(client.post(f"/api/v1/escalations/{county['id']}/report", json={}, headers=op))
    assert step["reported_by"] == "operator"
    repeat = make_incident(client, tokens["operator"], lat=20.9, lon=110.1)
    etagged(
        client.post(
            f"/api/v1/incidents/{repeat['id']}/duplicate-of",
            json={"incident_id": incident["id"]},
            headers=auth(tokens["operator"]),
        )
    )
