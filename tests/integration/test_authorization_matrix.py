"""S2: one table of route × role → expected status; a route missing from the table fails the test.

Each route is probed with an empty JSON body and ids that do not exist
(except `{team_id}`, which names a team the `leader` does not lead), so a role
that passes the permission check gets the route's "allowed" status (404,
422, 428, ...) and a role that does not gets 403. Anonymous calls get 401.
"""

import re
from typing import Any, NamedTuple

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.passwords import hash_password
from resources_db.enums import Role
from resources_db.models import User
from tests.conftest import PASSWORD, World
from tests.factories import auth, ok, unique

ALL = frozenset({"admin", "operator", "leader", "observer", "controller"})
LIBRARY = frozenset({"admin", "operator"})
ADMIN = frozenset({"admin"})
TEAM = frozenset({"admin", "operator", "leader"})
PUBLIC = frozenset({"anonymous", *ALL})
INCIDENT = frozenset({"admin", "operator", "controller"})
DISPATCH_REPORTER = frozenset({"admin", "operator", "leader", "controller"})
DRILL = frozenset({"admin", "controller"})
PAYROLL = frozenset({"admin", "operator", "observer"})


class Rule(NamedTuple):
    allowed: frozenset[str]
    status: int  # what an allowed role gets for the probe request


MATRIX: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/auth/token"): Rule(PUBLIC, 422),
    ("GET", "/api/v1/auth/me"): Rule(ALL, 200),
    ("POST", "/api/v1/auth/logout"): Rule(ALL, 204),
    ("GET", "/api/v1/audit"): Rule(ADMIN, 200),
    ("GET", "/api/v1/teams"): Rule(ALL, 200),
    ("POST", "/api/v1/teams"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/teams/{team_id}"): Rule(ALL, 200),
    ("PATCH", "/api/v1/teams/{team_id}"): Rule(TEAM, 428),
    ("POST", "/api/v1/teams/{team_id}/status"): Rule(TEAM, 422),
    ("GET", "/api/v1/teams/export.csv"): Rule(ALL, 200),
    ("POST", "/api/v1/teams/import"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/jurisdictions"): Rule(ALL, 200),
    ("POST", "/api/v1/jurisdictions"): Rule(ADMIN, 422),
    ("GET", "/api/v1/jurisdictions/{code}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/jurisdictions/{code}"): Rule(ADMIN, 404),
    ("GET", "/api/v1/hazard-sources"): Rule(ALL, 200),
    ("POST", "/api/v1/hazard-sources"): Rule(ADMIN, 422),
    ("GET", "/api/v1/hazard-sources/{hazard_source_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/hazard-sources/{hazard_source_id}"): Rule(ADMIN, 404),
    ("GET", "/api/v1/plans"): Rule(ALL, 200),
    ("POST", "/api/v1/plans"): Rule(ADMIN, 422),
    ("GET", "/api/v1/plans/{plan_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/plans/{plan_id}"): Rule(ADMIN, 404),
    ("GET", "/api/v1/depots"): Rule(ALL, 200),
    ("POST", "/api/v1/depots"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/depots/{depot_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/depots/{depot_id}"): Rule(LIBRARY, 404),
    ("GET", "/api/v1/supply-items"): Rule(ALL, 200),
    ("POST", "/api/v1/supply-items"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/supply-items/export.csv"): Rule(ALL, 200),
    ("POST", "/api/v1/supply-items/import"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/supply-items/{item_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/supply-items/{item_id}"): Rule(LIBRARY, 404),
    ("POST", "/api/v1/supply-items/{item_id}/movements"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/supply-items/{item_id}/movements"): Rule(ALL, 404),
    ("GET", "/api/v1/incidents"): Rule(ALL, 200),
    ("POST", "/api/v1/incidents"): Rule(INCIDENT, 422),
    ("GET", "/api/v1/incidents/{incident_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/incidents/{incident_id}"): Rule(INCIDENT, 404),
    ("POST", "/api/v1/incidents/{incident_id}/transitions"): Rule(INCIDENT, 422),
    ("POST", "/api/v1/incidents/{incident_id}/duplicate-of"): Rule(INCIDENT, 422),
    ("GET", "/api/v1/incidents/{incident_id}/timeline"): Rule(ALL, 404),
    ("GET", "/api/v1/escalations"): Rule(ALL, 200),
    ("POST", "/api/v1/escalations/{escalation_id}/report"): Rule(INCIDENT, 404),
    ("GET", "/api/v1/escalations/{escalation_id}/report-document"): Rule(ALL, 404),
    ("GET", "/api/v1/dispatches"): Rule(ALL, 200),
    ("POST", "/api/v1/dispatches"): Rule(INCIDENT, 422),
    ("GET", "/api/v1/dispatches/{dispatch_id}"): Rule(ALL, 404),
    ("POST", "/api/v1/dispatches/{dispatch_id}/status"): Rule(DISPATCH_REPORTER, 422),
    ("GET", "/api/v1/incidents/{incident_id}/recommendations"): Rule(ALL, 404),
    ("GET", "/api/v1/incidents/{incident_id}/cap"): Rule(ALL, 404),
    ("GET", "/api/v1/drills"): Rule(ALL, 200),
    ("POST", "/api/v1/drills"): Rule(DRILL, 422),
    ("GET", "/api/v1/drills/{drill_id}"): Rule(ALL, 404),
    ("POST", "/api/v1/drills/{drill_id}/end"): Rule(DRILL, 404),
    ("POST", "/api/v1/drills/{drill_id}/injects"): Rule(DRILL, 422),
    ("GET", "/api/v1/drills/{drill_id}/injects"): Rule(ALL, 404),
    ("GET", "/api/v1/drills/{drill_id}/evaluation"): Rule(ALL, 404),
    ("PATCH", "/api/v1/drills/{drill_id}/evaluation"): Rule(DRILL, 404),
    ("GET", "/api/v1/mutual-aid-requests"): Rule(ALL, 200),
    ("POST", "/api/v1/mutual-aid-requests"): Rule(INCIDENT, 422),
    ("GET", "/api/v1/mutual-aid-requests/{request_id}"): Rule(ALL, 404),
    ("POST", "/api/v1/mutual-aid-requests/{request_id}/approve"): Rule(INCIDENT, 422),
    ("POST", "/api/v1/mutual-aid-requests/{request_id}/decline"): Rule(INCIDENT, 422),
    ("POST", "/api/v1/mutual-aid-requests/{request_id}/fulfil"): Rule(INCIDENT, 404),
    ("GET", "/api/v1/agreements"): Rule(PAYROLL, 200),
    ("POST", "/api/v1/agreements"): Rule(ADMIN, 422),
    ("GET", "/api/v1/agreements/{agreement_id}"): Rule(PAYROLL, 404),
    ("GET", "/api/v1/compensation"): Rule(PAYROLL, 422),
    ("GET", "/api/v1/compensation/export.csv"): Rule(PAYROLL, 422),
    ("GET", "/api/v1/situation"): Rule(ALL, 200),
    ("GET", "/api/v1/allocations"): Rule(ALL, 200),
    ("POST", "/api/v1/allocations"): Rule(INCIDENT, 422),
    ("GET", "/api/v1/allocations/{allocation_id}"): Rule(ALL, 404),
    ("POST", "/api/v1/allocations/{allocation_id}/issue"): Rule(INCIDENT, 404),
    ("POST", "/api/v1/allocations/{allocation_id}/return"): Rule(INCIDENT, 404),
    ("POST", "/api/v1/allocations/{allocation_id}/consume"): Rule(INCIDENT, 404),
    ("POST", "/api/v1/allocations/{allocation_id}/cancel"): Rule(INCIDENT, 404),
    ("GET", "/api/v1/enterprises"): Rule(ALL, 200),
    ("POST", "/api/v1/enterprises"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/enterprises/{enterprise_id}"): Rule(ALL, 404),
    ("PATCH", "/api/v1/enterprises/{enterprise_id}"): Rule(LIBRARY, 404),
    ("GET", "/api/v1/enterprises/export.csv"): Rule(ALL, 200),
    ("POST", "/api/v1/enterprises/import"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/enterprises/{enterprise_id}/drills"): Rule(ALL, 404),
    ("POST", "/api/v1/enterprises/{enterprise_id}/drills"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/enterprises/{enterprise_id}/revision-reasons"): Rule(ALL, 404),
    ("GET", "/api/v1/plans/{plan_id}/revisions"): Rule(ALL, 404),
    ("POST", "/api/v1/plans/{plan_id}/revisions"): Rule(LIBRARY, 422),
    ("GET", "/api/v1/compliance"): Rule(ALL, 200),
    ("GET", "/api/v1/compliance/export.csv"): Rule(ALL, 200),
    ("GET", "/healthz"): Rule(PUBLIC, 200),
    ("GET", "/readyz"): Rule(PUBLIC, 200),
}

# The leader leads `world.team_id`; probes use the other team, so object-level checks answer 403.
LEADER_OTHER_TEAM_DENIED = {("PATCH", "/api/v1/teams/{team_id}"), ("POST", "/api/v1/teams/{team_id}/status")}

MISSING_ID = "999999"
# Routes that end the caller's tokens: probed with throwaway users of each role, not the session's tokens.
ENDS_SESSIONS = {("POST", "/api/v1/auth/logout")}


def _fill(path: str, world: World) -> str:
    filled = path.replace("{team_id}", str(world.other_team_id)).replace("{code}", "nosuchcode")
    return re.sub(r"\{\w+_id\}", MISSING_ID, filled)


def _expected(route: tuple[str, str], role: str, rule: Rule) -> int:
    if role == "anonymous":
        return rule.status if "anonymous" in rule.allowed else 401
    if role not in rule.allowed:
        return 403
    if role == "leader" and route in LEADER_OTHER_TEAM_DENIED:
        return 403
    return rule.status


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    routes = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the authorization matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that no longer exist"


def _throwaway_headers(app: FastAPI, client: TestClient, world: World) -> dict[str, dict[str, str]]:
    """A fresh user per role of the matrix (the leader leads the leader's team), logged in."""
    out = {}
    with app.state.session_factory() as s:
        names = {}
        for role in ALL:
            name = unique(f"matrix-{role}")
            team_id = world.team_id if role == "leader" else None
            s.add(
                User(
                    username=name, password_hash=hash_password(PASSWORD), role=Role(world.users[role]), team_id=team_id
                )
            )
            names[role] = name
        s.commit()
    for role, name in names.items():
        body = ok(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}))
        out[role] = auth(body["access_token"])
    return out


def test_authorization_matrix_has_no_mismatch(app: FastAPI, client: TestClient, headers, world: World) -> None:
    mismatches = []
    probes = 0
    throwaway = _throwaway_headers(app, client, world)
    for route, rule in sorted(MATRIX.items()):
        method, path = route
        url = _fill(path, world)
        for role in sorted({"anonymous", *ALL}):
            by_role = throwaway if route in ENDS_SESSIONS else headers
            hdrs = by_role[role] if role != "anonymous" else {}
            kwargs: dict[str, Any] = {"json": {}} if method in {"POST", "PATCH"} else {}
            r = client.request(method, url, headers=hdrs, **kwargs)
            probes += 1
            want = _expected(route, role, rule)
            if r.status_code != want:
                mismatches.append(f"{method} {path} as {role}: got {r.status_code}, want {want}")
            if r.status_code >= 400:
                assert r.headers["content-type"] == "application/problem+json", f"{method} {path} as {role}"
    print(f"S2 authorization_matrix: routes={len(MATRIX)} probes={probes} mismatches={len(mismatches)}")
    assert mismatches == []
