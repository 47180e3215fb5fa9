"""Issue 11: a problem+json answer names its request (`request_id`, the same as `X-Request-ID`), so whoever
reports a failure hands over the key to its log lines; from a view, from validation and from a middleware."""

import pytest
from fastapi.testclient import TestClient

LIMIT = 1024 * 1024


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/teams/2147483000", None, 404),
        ("GET", "/api/v1/incidents?since=0.5", None, 422),
        ("POST", "/api/v1/teams", b"{" + b" " * LIMIT, 413),
    ],
    ids=["view", "validation", "middleware"],
)
def test_a_problem_carries_the_request_id_of_its_answer(
    client: TestClient, headers, method: str, path: str, body: bytes | None, status: int
) -> None:
    sent = {**headers["operator"], "content-type": "application/json", "X-Request-ID": "client-given-1"}
    r = client.request(method, path, content=body, headers=sent)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    # The server's own id, never the client's (which is kept apart as X-Client-Request-ID).
    assert r.json()["request_id"] == r.headers["X-Request-ID"] != "client-given-1"


def test_an_unauthenticated_problem_carries_it_too(client: TestClient) -> None:
    r = client.get("/api/v1/teams")
    assert r.status_code == 401
    assert r.json()["request_id"] == r.headers["X-Request-ID"]
