"""Websocket test helpers: a dedicated app behind a real uvicorn, tokens minted directly, a small asyncio client.

Waiting is always for a condition with a deadline (a frame, a close, a row), never a bare sleep.
"""

import asyncio
import dataclasses
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.auth.tokens import issue
from api.main import API_PREFIX, create_app
from api.settings import Settings
from realtime import log as event_log
from realtime.ws import WsSettings
from realtime.ws import make_router as make_ws_router
from resources_db.models import OutboxEvent, User

WS_PATH = f"{API_PREFIX}/ws"
ALLOWED_ORIGIN = "http://localhost:8501"
Frame = dict[str, Any]


def make_app(database_url: str, *, ws: dict[str, Any] | None = None, **env: Any) -> FastAPI:
    """A fresh app (own engine, bus, relay, hub); `env` are Settings aliases, `ws` overrides WsSettings fields.

    With `ws`, the websocket route is rebuilt with the overrides (timeouts shorter than Settings allows):
    the same realtime.ws router the factory mounts, same hub, same authentication.
    """
    app = create_app(Settings(DATABASE_URL=database_url, **env))
    if ws:
        settings: Settings = app.state.settings
        base = WsSettings(
            allowed_origins=frozenset(settings.cors_origins),
            queue_size=settings.ws_queue_size,
        )
        # Mount it in front of the factory's: routes match in order, so ours answers /api/v1/ws.
        routes = app.router.routes
        before = len(routes)
        app.include_router(
            make_ws_router(app.state.hub, app.state.ws_auth, dataclasses.replace(base, **ws)), prefix=API_PREFIX
        )
        added = routes[before:]
        del routes[before:]
        routes[0:0] = added
    return app


@contextmanager
def serve(app: FastAPI, *, sndbuf: int | None = None, **config: Any) -> Iterator[str]:
    """Like tests.live.serve, with uvicorn.Config overrides (ws_max_size, access_log, log_level).

    `sndbuf` caps the kernel send buffer of every accepted socket (they inherit it from the listener),
    so a client that stops reading backs the server up after kilobytes rather than megabytes.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if sndbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "lifespan": "on", "access_log": False, **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), name=f"uvicorn-ws-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        thread.join(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def user_id(app: FastAPI, username: str) -> int:
    with app.state.session_factory() as s:
        uid = s.scalar(select(User.id).where(User.username == username))
        assert uid is not None, username
        return int(uid)


def mint(app: FastAPI, username: str, *, ttl: int = 3600, now: float | None = None, secret: str | None = None) -> str:
    """A bearer token for `username` of their current generation, signed like the API signs them (or with `secret`)."""
    key = secret or app.state.verified_tokens.secret
    with app.state.session_factory() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None, username
        uid, generation = user.id, user.token_generation
    token, _ = issue(user_id=uid, secret=key, ttl_seconds=ttl, generation=generation, now=now)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ws_url(base: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return "ws" + base.removeprefix("http") + WS_PATH + (f"?{query}" if query else "")


@asynccontextmanager
async def open_ws(
    base: str,
    token: str | None = None,
    *,
    first_message: bool = False,
    origin: str | None = None,
    sock: socket.socket | None = None,
    max_queue: int | None = 1024,
    **params: Any,
) -> AsyncIterator[ClientConnection]:
    """A websocket to the server; the token goes in the header, or as the first message when `first_message`."""
    headers = bearer(token) if token and not first_message else {}
    extra: dict[str, Any] = {"sock": sock} if sock is not None else {}
    async with connect(
        ws_url(base, **params),
        additional_headers=headers,
        origin=origin,  # type: ignore[arg-type]
        compression=None,
        proxy=None,
        open_timeout=5,
        close_timeout=2,
        max_queue=max_queue,
        max_size=None,
        **extra,
    ) as ws:
        if first_message and token is not None:
            await ws.send(json.dumps({"type": "auth", "token": token}))
        yield ws


async def recv_json(ws: ClientConnection, timeout: float = 5.0) -> Frame:
    frame: Frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return frame


async def frames_until(ws: ClientConnection, done: Callable[[Frame], bool], timeout: float = 5.0) -> list[Frame]:
    """Frames (heartbeats left out) up to and including the first for which `done` holds."""
    out: list[Frame] = []
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "heartbeat":
                continue
            out.append(frame)
            if done(frame):
                return out


async def until_closed(ws: ClientConnection, timeout: float = 5.0) -> tuple[list[Frame], int | None]:
    """Every frame until the server closes the socket, and the close code."""
    out: list[Frame] = []
    async with asyncio.timeout(timeout):
        try:
            while True:
                out.append(json.loads(await ws.recv()))
        except ConnectionClosed:
            pass
    return out, ws.close_code


def log_events(app: FastAPI, *, after: int) -> list[Frame]:
    """The durable log after `after`, as envelopes (what a client resuming from `after` must get)."""
    return [json.loads(text) for _, text in event_log.read_after(app.state.engine, after=after, limit=100_000)]


async def all_published(app: FastAPI, timeout: float = 10.0) -> int:
    """Wait until the relay has numbered every committed outbox row; the log's last seq."""

    def pending() -> int:
        with app.state.session_factory() as s:
            return int(s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.seq.is_(None))) or 0)

    deadline = time.monotonic() + timeout
    while await asyncio.to_thread(pending):
        assert time.monotonic() < deadline, "the relay did not publish the outbox in time"
        await asyncio.sleep(0.02)  # polling a condition with a deadline
    return event_log.state(app.state.engine).last_seq


def seqs(frames: list[Frame]) -> list[int]:
    return [f["seq"] for f in frames if "seq" in f and f.get("type") not in ("hello", "heartbeat")]
