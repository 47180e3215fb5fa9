"""Issue 10 (S1 on PostgreSQL): a cursor this server did not issue is a 422 naming `query.cursor`, on every listing.

Before: a forged key reached the database as it was: `["abc"]` answered 500 (int("abc")), and an id past 2^31 - 1
or a distance term of 1e300 a 422 naming no field on PostgreSQL (its INTEGER overflowed) but a page on SQLite.
"""

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.registry_factories import assert_problem_422

FORGED_IDS: list[Any] = ["abc", 2**31, 2**62, 1e300, -1, True, 1.5, None]
NEAR = {"near": "20.91,110.09", "radius_km": 50}


def _cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


@pytest.mark.parametrize("forged", FORGED_IDS, ids=repr)
@pytest.mark.parametrize("path", ["/api/v1/teams", "/api/v1/depots", "/api/v1/plans", "/api/v1/incidents"])
def test_a_forged_id_cursor_is_refused(client: TestClient, headers, path: str, forged: Any) -> None:
    r = client.get(path, params={"cursor": _cursor([forged])}, headers=headers["operator"])
    assert_problem_422(r, "query.cursor")


@pytest.mark.parametrize(
    "key", [["abc", 1], [None, 1], [0.5, "abc"], [0.5, 2**31], [True, 1]], ids=lambda k: json.dumps(k)
)
def test_a_forged_distance_cursor_is_refused(client: TestClient, headers, key: list[Any]) -> None:
    r = client.get("/api/v1/teams", params={**NEAR, "cursor": _cursor(key)}, headers=headers["operator"])
    assert_problem_422(r, "query.cursor")


def test_a_forged_escalation_cursor_id_is_refused(client: TestClient, headers) -> None:
    cursor = _cursor(["2026-01-01T00:00:00+00:00", 2**40])
    r = client.get("/api/v1/escalations", params={"cursor": cursor}, headers=headers["operator"])
    assert_problem_422(r, "query.cursor")


def test_an_issued_cursor_still_pages(client: TestClient, headers) -> None:
    first = client.get("/api/v1/teams", params={"limit": 1}, headers=headers["operator"]).json()
    assert first["next_cursor"], "the seeded world has two teams"
    second = client.get(
        "/api/v1/teams", params={"limit": 1, "cursor": first["next_cursor"]}, headers=headers["operator"]
    ).json()
    assert second["items"]
    assert second["items"][0]["id"] > first["items"][0]["id"]
