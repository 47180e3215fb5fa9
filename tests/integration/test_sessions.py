"""Tokens end when they should: a maximum age whatever `exp` says, and logout, disable and password change
end every token of the user at once, over REST and on open websockets (within a second)."""

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import tokens
from api.auth.passwords import hash_password
from api.auth.revocation import end_all_tokens
from resources_db.enums import Role
from resources_db.models import User
from tests.conftest import PASSWORD, World
from tests.factories import auth, ok, unique
from tests.workflow_factories import incident_body
from tests.ws_helpers import bearer, frames_until, make_app, mint, open_ws, recv_json, serve, until_closed, user_id

# The factory's default: websockets of a revoked user close within a second.
WS_CLOSE_BOUND_S = 1.0


def _new_user(app: FastAPI, role: Role = Role.observer) -> str:
    name = unique("session-user")
    with app.state.session_factory() as s:
        s.add(User(username=name, password_hash=hash_password(PASSWORD), role=role))
        s.commit()
    return name


def _login(client: Any, name: str) -> str:
    return str(ok(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}))["access_token"])


def test_a_token_expiring_in_2100_is_refused(app: FastAPI, client: TestClient, world: World) -> None:
    name = _new_user(app)
    now = int(time.time())
    forever = jwt.encode(
        {"sub": str(user_id(app, name)), "iat": now, "exp": 4102444800, "jti": "x", "gen": 0},
        app.state.verified_tokens.secret,
        algorithm=tokens.ALGORITHM,
    )
    r = client.get("/api/v1/auth/me", headers=auth(forever))
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"


def test_logout_ends_every_token_of_the_user_and_a_new_login_works(
    app: FastAPI, client: TestClient, world: World
) -> None:
    name = _new_user(app)
    first, second = _login(client, name), _login(client, name)
    assert client.get("/api/v1/auth/me", headers=auth(first)).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=auth(first)).status_code == 204
    assert client.get("/api/v1/auth/me", headers=auth(first)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=auth(second)).status_code == 401  # the other device too
    again = _login(client, name)
    assert ok(client.get("/api/v1/auth/me", headers=auth(again)))["username"] == name


def test_a_re_enabled_user_logs_in_again_their_old_token_stays_dead(
    app: FastAPI, client: TestClient, world: World
) -> None:
    name = _new_user(app)
    old = _login(client, name)
    with app.state.session_factory() as s:
        user = s.scalars(select(User).where(User.username == name)).one()
        user.active = False
        end_all_tokens(s, user.id)
        s.commit()
    with app.state.session_factory() as s:
        s.scalars(select(User).where(User.username == name)).one().active = True
        s.commit()
    app.state.principal_cache.forget(user_id(app, name))  # what another process sees after its cache period
    assert client.get("/api/v1/auth/me", headers=auth(old)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=auth(_login(client, name))).status_code == 200


@pytest.fixture(scope="module")
def live(database_url: str, world: World) -> Iterator[tuple[FastAPI, str]]:
    app = make_app(database_url)  # the factory's websocket settings, as `ercp serve` runs them
    with serve(app) as url:
        yield app, url


def test_logout_closes_the_users_websockets_within_a_second(live: tuple[FastAPI, str]) -> None:
    app, url = live
    name = _new_user(app, Role.operator)
    with httpx.Client(base_url=url, timeout=10) as http:
        token = _login(http, name)

        async def main() -> tuple[float, list[dict[str, Any]], int | None]:
            async with open_ws(url, token, topics="incidents") as a, open_ws(url, token, topics="teams") as b:
                assert (await recv_json(a))["type"] == "hello"
                assert (await recv_json(b))["type"] == "hello"
                r = await asyncio.to_thread(http.post, "/api/v1/auth/logout", headers=auth(token))
                assert r.status_code == 204, r.text
                t0 = time.monotonic()
                frames, code = await until_closed(a, timeout=5)
                _, code_b = await until_closed(b, timeout=5)
                assert code_b == 4401
                return time.monotonic() - t0, frames, code

        elapsed, frames, code = asyncio.run(main())
        print(f"ws_logout: closed={code} after_ms={elapsed * 1000:.0f} bound_ms={WS_CLOSE_BOUND_S * 1000:.0f}")
        assert code == 4401
        assert all(f["type"] == "heartbeat" for f in frames)
        # One sweep period, plus the sweep's own query.
        assert elapsed <= WS_CLOSE_BOUND_S + 0.3
        assert http.get("/api/v1/auth/me", headers=auth(token)).status_code == 401


def test_another_users_websocket_stays_open_when_one_user_logs_out(live: tuple[FastAPI, str]) -> None:
    app, url = live
    leaving, staying = _new_user(app), _new_user(app)
    with httpx.Client(base_url=url, timeout=10) as http:
        leaving_token, staying_token = _login(http, leaving), _login(http, staying)

        async def main() -> dict[str, Any]:
            async with open_ws(url, staying_token, topics="incidents") as ws:
                assert (await recv_json(ws))["type"] == "hello"
                async with open_ws(url, leaving_token, topics="incidents") as gone:
                    assert (await recv_json(gone))["type"] == "hello"
                    await asyncio.to_thread(http.post, "/api/v1/auth/logout", headers=auth(leaving_token))
                    _, code = await until_closed(gone, timeout=5)
                    assert code == 4401
                # The sweep that closed the other socket left this one open: it still gets the next event.
                r = await asyncio.to_thread(
                    http.post, "/api/v1/incidents", json=incident_body(), headers=bearer(mint(app, "operator"))
                )
                assert r.status_code == 201, r.text
                got = await frames_until(ws, lambda f: f.get("type") == "incident.created", timeout=5)
                return got[-1]

        assert asyncio.run(main())["type"] == "incident.created"
