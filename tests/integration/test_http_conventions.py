"""DESIGN §10 / S6: problem+json everywhere, body size limit, health probes, request ids."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from resources_db.models import AuditLog
from tests.factories import ok, team_body, unique

LIMIT = 1024 * 1024
PROBLEM = "application/problem+json"


def test_body_over_one_mebibyte_is_refused_unparsed_with_413(client: TestClient, headers) -> None:
    before = ok(client.get("/api/v1/teams", params={"limit": 500}, headers=headers["admin"]))
    r = client.post("/api/v1/teams", content=b"{" + b" " * LIMIT, headers={**headers["operator"],
                    "content-type": "application/json"})  # fmt: skip
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"].endswith("/payload-too-large")
    after = ok(client.get("/api/v1/teams", params={"limit": 500}, headers=headers["admin"]))
    assert after["items"] == before["items"]


def test_exactly_one_mebibyte_is_parsed_not_refused(client: TestClient, headers) -> None:
    body = b'{"pad": "' + b"x" * (LIMIT - 11) + b'"}'
    assert len(body) == LIMIT
    r = client.post("/api/v1/teams", content=body, headers={**headers["operator"], "content-type": "application/json"})
    assert r.status_code == 422  # parsed, then refused for its content


def test_streamed_body_without_length_is_cut_off_at_the_limit(live_url: str, headers) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 100_000

    with httpx.Client(base_url=live_url) as http:
        r = http.post("/api/v1/teams", content=chunks(), headers={**headers["operator"],
                      "content-type": "application/json"})  # fmt: skip
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM


def test_unknown_enum_value_names_the_allowed_values(client: TestClient, headers) -> None:
    r = client.post("/api/v1/teams", json=team_body(kind="spaceship"), headers=headers["operator"])
    assert r.status_code == 422
    error = next(e for e in r.json()["errors"] if e["field"] == "body.kind")
    for allowed in ("fire_rescue", "hazmat", "water_rescue", "militia"):
        assert allowed in error["message"]


def test_coordinates_outside_the_globe_are_refused(client: TestClient, headers) -> None:
    r = client.post("/api/v1/teams", json=team_body(base_lat=90.5, base_lon=-181), headers=headers["operator"])
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"body.base_lat", "body.base_lon"}


def test_limit_over_the_maximum_is_422(client: TestClient, headers) -> None:
    r = client.get("/api/v1/teams", params={"limit": 501}, headers=headers["observer"])
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM


def test_unknown_route_and_wrong_method_answer_in_problem_json(client: TestClient, headers) -> None:
    missing = client.get("/api/v1/no-such-thing", headers=headers["admin"])
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    wrong = client.delete("/api/v1/teams", headers=headers["admin"])
    assert (wrong.status_code, wrong.headers["content-type"]) == (405, PROBLEM)


def test_bad_and_missing_tokens_are_401_problems(client: TestClient) -> None:
    for hdrs in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
        r = client.get("/api/v1/teams", headers=hdrs)
        assert r.status_code == 401
        assert r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_password_is_refused(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "operator", "password": "wrong"})
    assert r.status_code == 401
    assert "access_token" not in r.json()


def test_request_ids_are_the_servers_and_a_clients_own_is_echoed_apart(client: TestClient) -> None:
    answer = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert len(answer.headers["x-request-id"]) == 32
    assert answer.headers["x-request-id"] != "abc-123"
    assert answer.headers["x-client-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    assert "x-client-request-id" not in client.get("/healthz").headers


@pytest.mark.parametrize(
    "sent", [b"a b", b"x" * 65, b'forged"audit', "é".encode()], ids=["space", "too-long", "quote", "non-ascii"]
)
def test_a_client_request_id_that_is_not_a_plain_token_is_dropped(
    app: FastAPI, client: TestClient, tokens, sent: bytes
) -> None:
    body = {"title": unique("rid"), "type": "fire", "lat": 20.92, "lon": 110.09}
    r = client.post(
        "/api/v1/incidents",
        json=body,
        headers={b"Authorization": f"Bearer {tokens['operator']}".encode(), b"X-Request-ID": sent},
    )
    assert r.status_code == 201, r.text
    assert "x-client-request-id" not in r.headers
    with app.state.session_factory() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.request_id == r.headers["x-request-id"])).all()
    assert rows  # the incident's audit rows carry the server's id
    assert {row.client_request_id for row in rows} == {None}


@pytest.mark.parametrize("path", ["/api/v1/incidents", "/api/v1/auth/me", "/api/v1/nowhere", "/healthz"])
def test_answers_are_nosniff_and_no_store(client: TestClient, headers, path: str) -> None:
    r = client.get(path, headers=headers["observer"])
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"


def test_health_readiness_and_docs(client: TestClient) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}
    assert ok(client.get("/readyz"))["database"] == "ok"
    assert "/api/v1/teams" in ok(client.get("/openapi.json"))["paths"]
    assert client.get("/docs").status_code == 200
