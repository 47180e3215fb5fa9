"""Issue 10: literal paths are not shadowed by `{id}` routes, and 405 names every method the path takes.

Before: `PATCH /teams/export.csv` (and the supply-item import/export paths) fell into `/{id}` and answered 422
`int_parsing`; `DELETE /teams` answered 405 with `Allow: GET` although the path also takes POST.
"""

import pytest
from fastapi.testclient import TestClient

from tests.workflow_factories import assert_problem


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/api/v1/teams/export.csv", "GET"),
        ("PATCH", "/api/v1/teams/import", "POST"),
        ("POST", "/api/v1/teams/export.csv", "GET"),
        ("PATCH", "/api/v1/supply-items/export.csv", "GET"),
        ("PATCH", "/api/v1/supply-items/import", "POST"),
        ("GET", "/api/v1/supply-items/import", "POST"),
        ("DELETE", "/api/v1/teams", "GET, POST"),
        ("DELETE", "/api/v1/teams/1", "GET, PATCH"),
        ("PUT", "/api/v1/incidents", "GET, POST"),
    ],
)
def test_a_method_a_path_does_not_take_is_405_naming_every_method_it_does(
    client: TestClient, headers: dict[str, dict[str, str]], method: str, path: str, allow: str
) -> None:
    r = client.request(method, path, headers=headers["admin"])
    assert_problem(r, 405)
    assert r.headers["allow"] == allow


def test_a_non_numeric_id_is_not_found_not_a_parsing_error(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    assert_problem(client.get("/api/v1/teams/not-a-team", headers=headers["admin"]), 404)
