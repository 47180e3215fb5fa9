"""Issue 10: every id in a path, query or body is bounded, so an id past the databases' integers is a 422 problem.

Before: `GET /audit?after_id=9223372036854775808`, `GET /teams/9223372036854775808` and a body id such as
`hazard_source_id` past 2^63 - 1 reached the driver and answered 500 (OverflowError), and an integer ≥ 2^64
with an Idempotency-Key failed in the body hash (TypeError).
"""

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import ok, unique
from tests.registry_factories import assert_problem_422
from tests.workflow_factories import incident_body

TOO_BIG = 2**31  # one past the widest entity key (INTEGER on PostgreSQL)
BIGGEST = 2**63 - 1  # the widest keyset position
PROBLEM = "application/problem+json"
METHODS = ("get", "post", "patch", "put", "delete")


def _integer_params(operation: dict[str, Any], where: str) -> list[str]:
    names = []
    for p in operation.get("parameters", []):
        schema = p.get("schema", {})
        types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
        if p["in"] == where and "integer" in types and p["name"].endswith("id"):
            names.append(p["name"])
    return names


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_every_path_id_past_the_database_integer_is_a_422_problem(
    app: FastAPI, client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    checked, wrong = 0, []
    for method, path, op in _operations(app):
        names = _integer_params(op, "path")
        if not names:
            continue
        url = path
        for name in names:
            url = url.replace("{" + name + "}", str(TOO_BIG))
        url = re.sub(r"\{[a-z_]+\}", "x", url)  # non-integer parameters (a jurisdiction code)
        r = client.request(method, url, json={}, headers={**headers["admin"], "If-Match": '"1"'})
        if r.status_code == 403:  # a role check runs before validation: not the admin's action (drill control)
            continue
        checked += 1
        fields = {e["field"] for e in r.json().get("errors", [])} if r.status_code == 422 else set()
        if r.status_code != 422 or r.headers["content-type"] != PROBLEM or not {f"path.{n}" for n in names} <= fields:
            wrong.append((method.upper(), path, r.status_code, sorted(fields)))
    assert checked >= 40, f"only {checked} operations checked: did the OpenAPI document change?"
    assert wrong == []


def test_every_id_filter_past_the_database_integer_is_a_422_problem(
    app: FastAPI, client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    checked, wrong = 0, []
    for method, path, op in _operations(app):
        if method != "get" or "{" in path:
            continue
        for name in _integer_params(op, "query"):
            if (path, name) == ("/api/v1/audit", "after_id"):
                continue  # a keyset position, not an id: bounded at 2^63 - 1 (test_audit_after_id_is_bounded)
            r = client.get(path, params={name: TOO_BIG}, headers=headers["admin"])
            checked += 1
            fields = {e["field"] for e in r.json().get("errors", [])} if r.status_code == 422 else set()
            if r.status_code != 422 or f"query.{name}" not in fields:
                wrong.append((path, name, r.status_code))
    assert checked >= 12, f"only {checked} id filters found"
    assert wrong == []


def test_audit_after_id_is_bounded(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    r = client.get("/api/v1/audit", params={"after_id": BIGGEST + 1}, headers=headers["admin"])
    assert_problem_422(r, "query.after_id")
    ok(client.get("/api/v1/audit", params={"after_id": 2**31 - 1}, headers=headers["admin"]))
    # PostgreSQL's id columns are 32-bit, but a position is compared as a BIGINT: past every row, on both
    # backends (S1 on PostgreSQL found a 422 naming no field here).
    widest = ok(client.get("/api/v1/audit", params={"after_id": BIGGEST}, headers=headers["admin"]))
    assert widest == {"items": [], "next_after_id": None}
    assert ok(client.get("/api/v1/audit", params={"after_id": 2**31}, headers=headers["admin"]))["items"] == []


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/incidents", incident_body(hazard_source_id=TOO_BIG)),
        ("/api/v1/incidents", incident_body(drill_id=TOO_BIG)),
        ("/api/v1/dispatches", {"incident_id": TOO_BIG, "team_id": 1}),
        ("/api/v1/dispatches", {"incident_id": 1, "team_id": TOO_BIG}),
        ("/api/v1/allocations", {"incident_id": 1, "supply_item_id": TOO_BIG, "quantity": 1}),
        ("/api/v1/supply-items", {"depot_id": TOO_BIG, "category": "sandbags", "name": "x", "unit": "bag"}),
    ],
    ids=[
        "incident.hazard_source_id",
        "incident.drill_id",
        "dispatch.incident_id",
        "dispatch.team_id",
        "allocation.supply_item_id",
        "supply_item.depot_id",
    ],
)
def test_body_ids_past_the_database_integer_are_422(
    client: TestClient, headers: dict[str, dict[str, str]], url: str, body: dict[str, Any]
) -> None:
    field = "body." + next(k for k, v in body.items() if v == TOO_BIG)
    assert_problem_422(client.post(url, json=body, headers=headers["admin"]), field)


@pytest.mark.parametrize("huge", [2**64, 10**30], ids=["2^64", "10^30"])
def test_idempotent_create_with_a_huge_integer_is_a_422_not_a_hash_failure(
    client: TestClient, headers: dict[str, dict[str, str]], huge: int
) -> None:
    hdrs = {**headers["operator"], "Idempotency-Key": unique("idem")}
    r = client.post("/api/v1/incidents", json=incident_body(hazard_source_id=huge), headers=hdrs)
    assert_problem_422(r, "body.hazard_source_id")


def test_a_team_leader_sees_an_out_of_range_team_id_once(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    """The own-team check and the view both read `team_id`; the 422 names the mistake once, not twice."""
    r = client.patch(f"/api/v1/teams/{TOO_BIG}", json={"name": "x"}, headers={**headers["leader"], "If-Match": '"1"'})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["path.team_id"]
