"""Factories for drills, mutual aid, agreements and dispatch walks, through the API."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import auth, make_team, ok, unique
from tests.workflow_factories import make_incident

# The dispatch chain of DESIGN §5, in order, from `dispatched`.
DISPATCH_WALK = ("acknowledged", "en_route", "on_scene", "released")


def start_drill(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    body = {"name": unique("drill"), "scenario": "typhoon landfall at Wushi port", **overrides}
    return ok(client.post("/api/v1/drills", json=body, headers=auth(token)), 201)  # type: ignore[no-any-return]


def make_neighbor_team(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    """A team of Suixi County (遂溪县, kind neighbor): dispatchable only on loan through mutual aid."""
    return make_team(client, token, home_jurisdiction="suixi", base_lat=21.37, base_lon=110.25, **overrides)


def aid_body(incident_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "incident_id": incident_id,
        "to_jurisdiction": "suixi",
        "capabilities": ["water_rescue", "boat"],
        "supplies": {"life_jackets": 40},
        "note": "two fishing vessels capsized off Qishui",
    }
    body.update(overrides)
    return body


def request_aid(client: TestClient, token: str, incident_id: int, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/mutual-aid-requests", json=aid_body(incident_id, **overrides), headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def dispatch(client: TestClient, token: str, incident_id: int, team_id: int) -> dict[str, Any]:
    r = client.post("/api/v1/dispatches", json={"incident_id": incident_id, "team_id": team_id}, headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def walk_dispatch(client: TestClient, token: str, dispatch_id: int, until: str = "released") -> dict[str, Any]:
    """Report each status of the chain up to and including `until`."""
    body: dict[str, Any] = {}
    for status in DISPATCH_WALK[: DISPATCH_WALK.index(until) + 1]:
        r = client.post(f"/api/v1/dispatches/{dispatch_id}/status", json={"status": status}, headers=auth(token))
        body = ok(r)
    return body


def make_agreement(client: TestClient, token: str, team_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "team_id": team_id,
        "hourly_rate_per_person_cny": "80.00",
        "callout_fee_cny": "500.00",
        "valid_from": "2020-01-01",
        **overrides,
    }
    return ok(client.post("/api/v1/agreements", json=body, headers=auth(token)), 201)  # type: ignore[no-any-return]


def real_incident(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    return make_incident(client, token, jurisdiction="leicheng", **overrides)
