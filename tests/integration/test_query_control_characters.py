"""Issue 10 (S1 on PostgreSQL): a control character in a query parameter is a 422 naming it, on both backends.

Before: `GET /hazard-sources?jurisdiction=a%00b` reached PostgreSQL, whose text cannot hold a NUL, and answered a
422 naming no field (an empty page on SQLite); the document let any text through.
"""

import re

import pytest
from fastapi.testclient import TestClient

from api.common.schemas import PRINTABLE_PATTERN
from tests.factories import ok
from tests.registry_factories import assert_problem_422


@pytest.mark.parametrize(
    ("path", "name", "user"),
    [
        ("/api/v1/hazard-sources", "jurisdiction", "operator"),
        ("/api/v1/teams", "jurisdiction", "operator"),
        ("/api/v1/depots", "jurisdiction", "operator"),
        ("/api/v1/audit", "entity", "admin"),
    ],
)
@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1f"], ids=["nul", "soh", "us"])
def test_a_control_character_in_a_query_is_refused(
    client: TestClient, headers, path: str, name: str, user: str, text: str
) -> None:
    r = client.get(path, params={name: text}, headers=headers[user])
    assert_problem_422(r, f"query.{name}")


def test_tab_and_ordinary_text_still_filter(client: TestClient, headers) -> None:
    assert (
        ok(client.get("/api/v1/teams", params={"jurisdiction": "no\tsuch"}, headers=headers["operator"]))["items"] == []
    )
    assert ok(client.get("/api/v1/teams", params={"jurisdiction": "leicheng"}, headers=headers["operator"]))["items"]


def test_the_document_states_it(client: TestClient) -> None:
    params = client.get("/openapi.json").json()["paths"]["/api/v1/hazard-sources"]["get"]["parameters"]
    jurisdiction = next(p for p in params if p["name"] == "jurisdiction")["schema"]
    patterns = [b["pattern"] for b in jurisdiction.get("anyOf", [jurisdiction]) if b.get("type") == "string"]
    assert patterns == [PRINTABLE_PATTERN]
    assert re.match(PRINTABLE_PATTERN, "雷城街道")
    assert not re.match(PRINTABLE_PATTERN, "a\x00b")
