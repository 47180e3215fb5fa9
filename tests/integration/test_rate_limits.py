"""Rate limits (api.ratelimit): sign-ins per client address, requests per principal, in memory and in Redis.

S7: two app instances sharing Redis, twice the limit split between them: at most the limit is accepted.
With the store unreachable, authenticated incident intake still works (fail open, counted).
"""

import os
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.workflow_factories import incident_body
from tests.ws_helpers import bearer, make_app, mint

REDIS_URL = os.environ.get("REDIS_URL")
TOKEN = "/api/v1/auth/token"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def needs_redis() -> str:
    if not REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("needs REDIS_URL; CI must provide it")
        pytest.skip("needs REDIS_URL")
    return REDIS_URL


def address() -> tuple[str, int]:
    """A client address no other test uses, so counters in a shared store start at zero."""
    n = uuid.uuid4().int
    return (f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}", 40000)


def sign_in(client: TestClient) -> int:
    status: int = client.post(TOKEN, data={"username": "nobody", "password": "wrong-password"}).status_code
    return status


def rejections(app: FastAPI, limit: str) -> float:
    return app.state.metrics.rate_limited.labels(limit)._value.get()  # type: ignore[no-any-return]


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_sign_ins_per_address_get_429_problem_with_retry_after(database_url: str, store: str) -> None:
    env: dict[str, Any] = {"ERCP_RATE_LIMIT_TOKEN_PER_ADDRESS": "3/minute"}
    if store == "redis":
        env["REDIS_URL"] = needs_redis()
    app = make_app(database_url, **env)
    try:
        client = TestClient(app, client=address())
        assert [sign_in(client) for _ in range(3)] == [401, 401, 401]
        refused = client.post(TOKEN, data={"username": "nobody", "password": "wrong-password"})
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["status"] == 429
        assert refused.headers["x-request-id"]
        assert rejections(app, "token-per-address") == 1
        # Another address has its own allowance.
        assert sign_in(TestClient(app, client=address())) == 401
    finally:
        app.state.engine.dispose()


def test_requests_per_principal(database_url: str, world: World) -> None:
    app = make_app(database_url, ERCP_RATE_LIMIT_PER_PRINCIPAL="4/minute")
    try:
        client = TestClient(app)
        operator, observer = bearer(mint(app, "operator")), bearer(mint(app, "observer"))
        assert [client.get("/api/v1/auth/me", headers=operator).status_code for _ in range(4)] == [200] * 4
        refused = client.get("/api/v1/auth/me", headers=operator)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) >= 1
        assert client.get("/api/v1/auth/me", headers=observer).status_code == 200
        assert rejections(app, "per-principal") == 1
    finally:
        app.state.engine.dispose()


def test_s7_two_instances_share_one_allowance_through_redis(database_url: str) -> None:
    redis_url = needs_redis()
    limit = 5
    env: dict[str, Any] = {"ERCP_RATE_LIMIT_TOKEN_PER_ADDRESS": f"{limit}/minute", "REDIS_URL": redis_url}
    apps = [make_app(database_url, **env), make_app(database_url, **env)]
    try:
        where = address()
        clients = [TestClient(app, client=where) for app in apps]
        codes = [sign_in(clients[i % 2]) for i in range(2 * limit)]
        accepted = sum(code != 429 for code in codes)
        print(
            f"S7: {2 * limit} sign-ins over 2 instances, limit {limit}: {accepted} accepted, {codes.count(429)} refused"
        )
        assert accepted <= limit
        assert accepted == limit  # and the allowance is not lost either
        assert sum(rejections(app, "token-per-address") for app in apps) == limit
    finally:
        for app in apps:
            app.state.engine.dispose()


def test_incident_intake_fails_open_when_the_store_is_down(database_url: str, world: World) -> None:
    app = make_app(database_url, REDIS_URL=DEAD_REDIS, ERCP_RATE_LIMIT_PER_PRINCIPAL="1/minute")
    try:
        client = TestClient(app)
        operator = bearer(mint(app, "operator"))
        for _ in range(2):  # twice the limit: nothing counts, so nothing is refused
            r = client.post("/api/v1/incidents", json=incident_body(), headers=operator)
            assert r.status_code == 201, r.text
        assert app.state.metrics.rate_limit_errors._value.get() == 2
    finally:
        app.state.engine.dispose()
