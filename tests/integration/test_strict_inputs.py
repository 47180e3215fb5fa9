"""Issue 10: inputs are taken only as their JSON type, and places must lie in the service area.

Before: `POST /depots` with `"lon": false` was stored at longitude 0.0, `"expires_on": 0` became 1970-01-01,
`GET /incidents?since=0.5` answered 200, and an incident at lat 0, lon 0 ("Null Island") was filed under a
Leizhou town thousands of kilometres away.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ok, team_body
from tests.registry_factories import assert_problem_422, hazard_body, if_match
from tests.supply_factories import depot_body, item_body, make_depot
from tests.workflow_factories import incident_body, make_incident


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/depots", depot_body(lon=False), "body.lon"),
        ("/api/v1/depots", depot_body(lat=True), "body.lat"),
        ("/api/v1/teams", team_body(base_lon=False), "body.base_lon"),
        ("/api/v1/hazard-sources", hazard_body(lon=False), "body.lon"),
        ("/api/v1/incidents", incident_body(lat=True), "body.lat"),
        ("/api/v1/incidents", incident_body(deaths=True), "body.deaths"),
        ("/api/v1/incidents", incident_body(occurred_at=0), "body.occurred_at"),
        ("/api/v1/incidents", incident_body(occurred_at="1700000000"), "body.occurred_at"),
    ],
    ids=[
        "depot lon false",
        "depot lat true",
        "team base_lon false",
        "hazard lon false",
        "incident lat true",
        "incident deaths true",
        "incident occurred_at 0",
        "incident occurred_at epoch text",
    ],
)
def test_booleans_and_numbers_are_not_taken_for_numbers_and_moments(
    client: TestClient, headers: dict[str, dict[str, str]], url: str, body: dict[str, Any], field: str
) -> None:
    assert_problem_422(client.post(url, json=body, headers=headers["admin"]), field)


def test_a_number_is_not_a_date(client: TestClient, headers: dict[str, dict[str, str]], tokens) -> None:
    depot = make_depot(client, tokens["operator"])
    body = item_body(depot["id"], expires_on=0)
    assert_problem_422(client.post("/api/v1/supply-items", json=body, headers=headers["operator"]), "body.expires_on")
    made = ok(
        client.post("/api/v1/supply-items", json={**body, "expires_on": "2030-01-31"}, headers=headers["operator"]), 201
    )
    assert made["expires_on"] == "2030-01-31"


@pytest.mark.parametrize("since", ["0.5", "0", "1700000000"])
def test_since_must_be_an_iso_moment(client: TestClient, headers: dict[str, dict[str, str]], since: str) -> None:
    r = client.get("/api/v1/incidents", params={"since": since}, headers=headers["observer"])
    assert_problem_422(r, "query.since")
    ok(client.get("/api/v1/incidents", params={"since": "2026-01-01T00:00:00+08:00"}, headers=headers["observer"]))


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/incidents", incident_body(lat=0, lon=0), "body.lat"),
        ("/api/v1/incidents", incident_body(lat=51.5, lon=-0.12), "body.lon"),
        ("/api/v1/depots", depot_body(lat=0.0, lon=0.0), "body.lat"),
        ("/api/v1/teams", team_body(base_lat=0.0, base_lon=0.0), "body.base_lat"),
        ("/api/v1/hazard-sources", hazard_body(lat=0.0, lon=0.0), "body.lat"),
    ],
    ids=["incident Null Island", "incident London", "depot", "team", "hazard source"],
)
def test_places_outside_the_service_area_are_refused_naming_it(
    client: TestClient, headers: dict[str, dict[str, str]], url: str, body: dict[str, Any], field: str
) -> None:
    error = assert_problem_422(client.post(url, json=body, headers=headers["admin"]), field)
    assert "outside the service area" in error["message"]
    listed = ok(client.get(url, params={"limit": 500}, headers=headers["admin"]))["items"]
    assert not [i for i in listed if i.get("lat", i.get("base_lat")) == body.get("lat", body.get("base_lat"))]


def test_moving_an_incident_out_of_the_service_area_is_refused(
    client: TestClient, headers: dict[str, dict[str, str]], tokens
) -> None:
    incident = make_incident(client, tokens["operator"])
    url = f"/api/v1/incidents/{incident['id']}"
    r = client.patch(url, json={"lat": 0.0, "lon": 0.0}, headers=if_match(headers["operator"], incident["version"]))
    assert_problem_422(r, "body.lat")
    assert ok(client.get(url, headers=headers["operator"]))["lat"] == incident["lat"]


def test_places_inside_the_service_area_are_taken(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    ok(client.post("/api/v1/incidents", json=incident_body(lat=20.92, lon=110.09), headers=headers["operator"]), 201)


def test_an_integral_json_number_is_an_integer(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    """JSON Schema's `integer` includes 3.0: S1 found `"trapped": 3.0` (and `"depot_id": 7.0`) refused as not an
    integer although the document allowed it; 3.5 and `true` stay refused."""
    made = ok(client.post("/api/v1/incidents", json=incident_body(trapped=3.0), headers=headers["operator"]), 201)
    assert made["incident"]["trapped"] == 3 if "incident" in made else made["trapped"] == 3
    for bad in (3.5, True, "3"):
        r = client.post("/api/v1/incidents", json=incident_body(trapped=bad), headers=headers["operator"])
        assert r.status_code == 422, bad
