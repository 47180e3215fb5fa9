"""Issue 10: the OpenAPI document describes errors as they are sent (application/problem+json, one schema).

Before: every 422 was documented as FastAPI's `HTTPValidationError` (application/json), and no operation listed
400, 401, 403, 404, 409, 412 or 428, although the server answers them.
"""

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.common import if_match_syntax

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
    # A wrong password is a 401 (the S1 fuzz run found it undocumented).
    assert "401" in paths["/api/v1/auth/token"]["post"]["responses"]


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
    assert any(b["type"] == "number" and b["exclusiveMinimum"] == 0 for b in rate["anyOf"])


def test_what_the_fuzz_run_found_undocumented_is_documented(client: TestClient) -> None:
    """S1 (tests/contract): a body that is not JSON is a 400; 429 and 503 carry Retry-After; If-Match, `near`,
    `month` and `cursor` state the form the server parses; a form field is never null."""
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)
            if "429" in operation["responses"]:
                assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
    action = paths["/api/v1/dispatches/{dispatch_id}/status"]["post"]["parameters"]
    if_match = next(p for p in action if p["name"].lower() == "if-match")
    assert if_match["schema"]["pattern"] == if_match_syntax.IF_MATCH_PATTERN
    pattern = re.compile(if_match_syntax.IF_MATCH_PATTERN)
    assert pattern.match('"3"')
    assert pattern.match('W/"3", "4"')
    assert pattern.match("*")
    assert not pattern.match("0")
    assert not pattern.match("")
    # The example and named format a generator builds values from (tests/contract/st_hooks.py) are of that form.
    assert if_match["schema"]["format"] == if_match_syntax.IF_MATCH_FORMAT
    assert all(pattern.match(example) for example in if_match["schema"]["examples"])

    def query(path: str, name: str) -> dict[str, Any]:
        return next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)

    near = re.compile(query("/api/v1/teams", "near")["schema"]["pattern"])
    assert near.match("20.91,110.09")
    assert not near.match("91,0")
    assert not near.match("")
    month = re.compile(query("/api/v1/compensation", "month")["schema"]["pattern"])
    assert month.match("2025-03")
    assert not month.match("2025-13")
    assert not month.match("0000000")
    assert "pattern" in query("/api/v1/teams", "cursor")["schema"]
    form = doc["components"]["schemas"]["Body_issue_token_api_v1_auth_token_post"]["properties"]
    assert form["username"]["minLength"] == 1
    assert "anyOf" not in form["grant_type"]
