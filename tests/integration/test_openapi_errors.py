"""Issue 10: the OpenAPI document describes errors as they are sent (application/problem+json, one schema).

Before: every 422 was documented as FastAPI's `HTTPValidationError` (application/json), and no operation listed
400, 401, 403, 404, 409, 412 or 428, although the server answers them.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"
REF = {"$ref": "#/components/schemas/Problem"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def test_every_error_is_documented_as_a_problem_with_the_shared_schema(app: FastAPI, client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    wrong = []
    for path, method, op in _operations(document):
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")) and response.get("content") != {PROBLEM: {"schema": REF}}:
                wrong.append((method.upper(), path, status))
    assert wrong == []


def test_preconditions_and_auth_errors_are_listed_where_they_happen(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    patch = paths["/api/v1/teams/{team_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "422", "428"} <= patch.keys()
    action = paths["/api/v1/dispatches/{dispatch_id}/status"]["post"]["responses"]
    assert {"400", "412"} <= action.keys()
    assert "428" not in action
    assert "401" not in paths["/api/v1/auth/token"]["post"]["responses"]


def test_patch_declares_if_match_required_and_only_nullable_fields_nullable(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    patch = document["paths"]["/api/v1/teams/{team_id}"]["patch"]
    if_match = next(p for p in patch["parameters"] if p["name"].lower() == "if-match")
    assert if_match["required"] is True
    team = document["components"]["schemas"]["TeamUpdate"]["properties"]
    assert "anyOf" not in team["personnel"]
    assert team["personnel"]["type"] == "integer"
    supply = document["components"]["schemas"]["SupplyItemUpdate"]["properties"]
    assert {"type": "null"} in supply["expires_on"]["anyOf"]  # listed in NULLABLE: null clears it


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for value in node.values() for k in _keys(value)}
    if isinstance(node, list):
        return {k for item in node for k in _keys(item)}
    return set()


def test_bounds_use_json_schema_keywords(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert not {"gt", "ge", "lt", "le"} & _keys(document["components"]) - {"properties"}
    team_id = document["paths"]["/api/v1/teams/{team_id}"]["get"]["parameters"][0]["schema"]
    assert (team_id["minimum"], team_id["maximum"]) == (1, 2**31 - 1)
    rate = document["components"]["schemas"]["AgreementCreate"]["properties"]["hourly_rate_per_person_cny"]
    assert {"type": "number", "exclusiveMinimum": 0} in rate["anyOf"]
