"""S5/S6 for `GET /api/v1/ws`: every rejection happens before any event frame; the token never reaches the logs.

One server for the module, on the shared database, with a short auth timeout and revalidation period
and uvicorn's websocket frame limit at 64 KiB. Rejected clients ask to resume from seq 0, so a socket
that slipped through would be flooded with replayed events at once.
"""

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.auth.passwords import hash_password
from realtime import log as event_log
from resources_db.enums import Role
from resources_db.models import User
from tests.conftest import World
from tests.factories import unique
from tests.workflow_factories import incident_body
from tests.ws_helpers import ALLOWED_ORIGIN, all_published, make_app, mint, open_ws, recv_json, serve, until_closed

AUTH_TIMEOUT = 0.5
REVALIDATE = 0.5
WS_MAX_SIZE = 65536


class Live:
    def __init__(self, app: FastAPI, url: str, world: World) -> None:
        self.app, self.url, self.world = app, url, world

    def replay_from_zero(self) -> dict[str, Any]:
        """Query parameters under which an admitted client gets every logged event right after hello."""
        return {"topics": "incidents", "since": 0, "epoch": event_log.state(self.app.state.engine).epoch}


@pytest.fixture(scope="module")
def live(database_url: str, world: World) -> Iterator[Live]:
    app = make_app(database_url, ws={"auth_timeout": AUTH_TIMEOUT, "revalidate": REVALIDATE})
    with serve(app, ws_max_size=WS_MAX_SIZE, access_log=True, log_level="info") as url:
        server = Live(app, url, world)
        # At least one incidents event in the log, so "no event frame before the rejection" means something.
        r = httpx.post(f"{url}/api/v1/incidents", json=incident_body(), headers=_h(mint(app, "operator")), timeout=30)
        assert r.status_code == 201, r.text
        asyncio.run(all_published(app))
        yield server


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def rejected(
    live: Live, token: str | None, *, first_message: bool = False, **params: Any
) -> tuple[list[Any], int | None]:
    async def main() -> tuple[list[Any], int | None]:
        query = {**live.replay_from_zero(), **params}
        async with open_ws(live.url, token, first_message=first_message, **query) as ws:
            return await until_closed(ws, timeout=5)

    return asyncio.run(main())


def test_an_admitted_client_resuming_from_zero_gets_events_right_away(live: Live) -> None:
    """The control for the rejections below: the same request with a good token is flooded with events."""

    async def main() -> list[dict[str, Any]]:
        async with open_ws(live.url, mint(live.app, "observer"), **live.replay_from_zero()) as ws:
            return [await recv_json(ws) for _ in range(2)]

    hello, first = asyncio.run(main())
    assert hello["type"] == "hello"
    assert first["type"].startswith("incident.")


def test_no_token_and_no_auth_message_is_closed_4401_after_the_auth_timeout(live: Live) -> None:
    t0 = time.monotonic()
    frames, code = rejected(live, None)
    elapsed = time.monotonic() - t0
    print(f"ws_auth_timeout: closed={code} after_ms={elapsed * 1000:.0f} frames_before_close={len(frames)}")
    assert (frames, code) == ([], 4401)
    assert AUTH_TIMEOUT * 0.9 <= elapsed < AUTH_TIMEOUT + 3


def test_a_first_message_that_is_not_an_auth_message_is_closed_4401(live: Live) -> None:
    async def main() -> tuple[list[Any], int | None]:
        async with open_ws(live.url, None, **live.replay_from_zero()) as ws:
            await ws.send('{"type": "subscribe", "token": 42}')
            return await until_closed(ws)

    assert asyncio.run(main()) == ([], 4401)


@pytest.mark.parametrize("first_message", [False, True], ids=["header", "first-message"])
def test_an_expired_token_is_closed_4401(live: Live, first_message: bool) -> None:
    token = mint(live.app, "observer", ttl=60, now=time.time() - 3600)
    assert rejected(live, token, first_message=first_message) == ([], 4401)


@pytest.mark.parametrize("first_message", [False, True], ids=["header", "first-message"])
def test_a_forged_token_is_closed_4401(live: Live, first_message: bool) -> None:
    token = mint(live.app, "admin", secret="another-secret-that-is-long-enough-0123456789")
    assert rejected(live, token, first_message=first_message) == ([], 4401)


def test_a_first_message_token_is_accepted(live: Live) -> None:
    async def main() -> dict[str, Any]:
        async with open_ws(live.url, mint(live.app, "observer"), first_message=True, topics="incidents") as ws:
            return await recv_json(ws)

    assert asyncio.run(main())["type"] == "hello"


def test_a_bad_origin_is_refused_at_the_handshake_and_the_allowed_one_works(live: Live) -> None:
    token = mint(live.app, "observer")

    async def attempt(origin: str) -> dict[str, Any]:
        async with open_ws(live.url, token, origin=origin, **live.replay_from_zero()) as ws:
            return await recv_json(ws)

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(attempt("http://evil.example"))
    assert refused.value.response.status_code == 403
    assert asyncio.run(attempt(ALLOWED_ORIGIN))["type"] == "hello"


def test_a_team_leader_may_follow_their_own_team_only(live: Live) -> None:
    token = mint(live.app, "leader")
    other = live.world.other_team_id
    assert rejected(live, token, topics=f"team:{other}") == ([], 4403)
    assert rejected(live, token, topics=f"incidents,team:{live.world.team_id},team:{other}") == ([], 4403)

    async def own() -> dict[str, Any]:
        async with open_ws(live.url, token, topics=f"team:{live.world.team_id}") as ws:
            return await recv_json(ws)

    assert asyncio.run(own())["type"] == "hello"


def test_a_bad_query_is_closed_4400(live: Live) -> None:
    assert rejected(live, mint(live.app, "observer"), topics="secrets") == ([], 4400)
    assert rejected(live, mint(live.app, "observer"), since="-1") == ([], 4400)
    # str.isdigit() accepts a superscript two; int() does not: once a 500 at the handshake.
    assert rejected(live, mint(live.app, "observer"), since="²") == ([], 4400)
    assert rejected(live, mint(live.app, "observer"), drill_id="١") == ([], 4400)


def _user(live: Live) -> str:
    name = unique("ws-user")
    with live.app.state.session_factory() as s:
        s.add(User(username=name, password_hash=hash_password("irrelevant-password"), role=Role.observer))
        s.commit()
    return name


def _disable(live: Live, name: str) -> None:
    with live.app.state.session_factory() as s:
        user = s.query(User).filter_by(username=name).one()
        user.active = False
        s.commit()


def test_a_token_revoked_mid_session_is_closed_4401_within_the_revalidation_period(live: Live) -> None:
    name = _user(live)
    token = mint(live.app, name)

    async def main() -> tuple[float, list[Any], int | None]:
        async with open_ws(live.url, token, topics="incidents") as ws:
            assert (await recv_json(ws))["type"] == "hello"
            await asyncio.to_thread(_disable, live, name)
            t0 = time.monotonic()
            frames, code = await until_closed(ws, timeout=REVALIDATE + 5)
            return time.monotonic() - t0, frames, code

    elapsed, frames, code = asyncio.run(main())
    print(f"ws_revoked: closed={code} after_ms={elapsed * 1000:.0f} revalidate_s={REVALIDATE}")
    assert code == 4401
    assert all(f["type"] == "heartbeat" or "seq" in f for f in frames)
    assert elapsed <= REVALIDATE + 2


def test_the_token_never_appears_in_the_server_logs(live: Live, caplog: pytest.LogCaptureFixture) -> None:
    header_token, message_token = mint(live.app, "observer"), mint(live.app, "operator")
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            for logger in loggers:
                logger.setLevel(logging.INFO)

            async def main() -> None:
                for token, first in ((header_token, False), (message_token, True)):
                    async with open_ws(live.url, token, first_message=first, topics="incidents") as ws:
                        assert (await recv_json(ws))["type"] == "hello"

            asyncio.run(main())
            records = list(caplog.records)
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)
    # The client library's own debug log prints its request headers; only the server's logs count here.
    lines = [r.getMessage() for r in records if not r.name.startswith("websockets.client")]
    ws_lines = [line for line in lines if "/api/v1/ws" in line]
    print(f"ws_token_in_logs: log_lines={len(lines)} websocket_lines={len(ws_lines)} token_found=False")
    assert len(ws_lines) >= 2, lines  # the handshakes were logged, so the check below means something
    for line in lines:
        assert header_token not in line
        assert message_token not in line
        assert header_token.split(".")[2] not in line  # not even the signature


def test_an_oversized_client_frame_is_closed_1009(live: Live) -> None:
    async def main() -> int | None:
        async with open_ws(live.url, mint(live.app, "observer"), topics="incidents") as ws:
            assert (await recv_json(ws))["type"] == "hello"
            await ws.send("x" * (WS_MAX_SIZE + 1))
            try:
                async with asyncio.timeout(5):
                    while True:
                        await ws.recv()
            except ConnectionClosed:
                pass
            return ws.close_code

    assert asyncio.run(main()) == 1009


def test_an_oversized_first_message_is_closed_1009_before_any_event(live: Live) -> None:
    async def main() -> tuple[list[Any], int | None]:
        async with open_ws(live.url, None, **live.replay_from_zero()) as ws:
            await ws.send('{"type": "auth", "token": "' + "x" * WS_MAX_SIZE + '"}')
            return await until_closed(ws)

    assert asyncio.run(main()) == ([], 1009)
