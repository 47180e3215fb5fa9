"""The websocket endpoint `GET /api/v1/ws` (DESIGN §9, S5).

Authentication comes from the `Authorization` header (server-side clients)
or a first `{"type": "auth", "token": ...}` message (browsers) — never the
URL, which ends up in access logs. The API hands us `WsAuth` (check one
token; which of many tokens are still valid), so this package needs nothing
of api's.

Every `revalidate` seconds one sweep asks the API, in one call for all the
sockets of this process, which tokens are still valid; the sockets of a user
who logged out, was disabled or changed password are closed 4401. Unauthenticated
sockets waiting for their first message, and sockets per user, are capped.
"""

import asyncio
import contextlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from realtime.envelope import TOPICS
from realtime.hub import Hub, Subscriber

logger = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RESYNC = 4409
CLOSE_TOO_MANY = 4429
CLOSE_TRY_LATER = 1013
SCOPED_TOPIC = re.compile(r"^(incident|team):([0-9]{1,10})$")
# ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
NON_NEGATIVE = re.compile(r"^[0-9]{1,18}$")


class Identity(Protocol):
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def team_id(self) -> int | None: ...


@dataclass(frozen=True)
class WsAuth:
    authenticate: Callable[[str], Identity | None]
    # The tokens of the given ones that are still valid (one database round trip for all of them).
    still_valid: Callable[[Collection[str]], set[str]]


@dataclass(frozen=True)
class WsSettings:
    allowed_origins: frozenset[str]
    auth_timeout: float = 5.0
    revalidate: float = 1.0
    queue_size: int = 1000
    send_timeout: float = 10.0
    max_per_user: int = 50
    max_pending_auth: int = 100


@dataclass(eq=False)
class _Live:
    websocket: WebSocket
    token: str
    username: str
    revoked: asyncio.Event = field(default_factory=asyncio.Event)


class _Sessions:
    """The authenticated sockets of this process, swept for revoked tokens every `period` seconds."""

    def __init__(self, still_valid: Callable[[Collection[str]], set[str]], period: float) -> None:
        self.still_valid, self.period = still_valid, period
        self.live: set[_Live] = set()
        self.per_user: Counter[str] = Counter()
        self.pending = 0
        self._sweeper: asyncio.Task[None] | None = None

    def add(self, entry: _Live) -> None:
        self.live.add(entry)
        self.per_user[entry.username] += 1
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep(), name="ws-revalidate")

    def discard(self, entry: _Live) -> None:
        if entry in self.live:
            self.live.discard(entry)
            self.per_user[entry.username] -= 1
            if self.per_user[entry.username] <= 0:
                del self.per_user[entry.username]

    async def _sweep(self) -> None:
        while self.live:
            await asyncio.sleep(self.period)
            entries = list(self.live)
            try:
                valid = await asyncio.to_thread(self.still_valid, {e.token for e in entries})
            except Exception as exc:  # the database may be down for a while: one line per period, no traceback
                logger.warning("websocket revalidation failed (%s); trying again next period", exc)
                continue
            for entry in entries:
                if entry.token not in valid and not entry.revoked.is_set():
                    entry.revoked.set()
                    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                        await entry.websocket.close(code=CLOSE_UNAUTHENTICATED, reason="token expired or revoked")


class BadRequest(Exception):
    pass


@dataclass(frozen=True)
class Request:
    topics: frozenset[str]
    since: int | None
    epoch: str | None
    drill_ids: frozenset[int] | None


def parse_request(params: dict[str, str]) -> Request:
    raw = [t.strip() for t in params.get("topics", "incidents").split(",") if t.strip()]
    if not raw or len(raw) > 50:
        raise BadRequest("topics: give 1..50 of " + ", ".join(sorted(TOPICS)) + ", incident:ID, team:ID")
    for topic in raw:
        if topic not in TOPICS and not SCOPED_TOPIC.match(topic):
            raise BadRequest(f"unknown topic {topic!r}")
    since = params.get("since")
    if since is not None and not NON_NEGATIVE.match(since):
        raise BadRequest("since must be a non-negative integer")
    drill_id = params.get("drill_id")
    if drill_id is not None and not NON_NEGATIVE.match(drill_id):
        raise BadRequest("drill_id must be a positive integer")
    include = params.get("include_drills", "false").lower() in ("1", "true", "yes")
    drills: frozenset[int] | None = frozenset({int(drill_id)}) if drill_id else (frozenset() if include else None)
    return Request(frozenset(raw), int(since) if since is not None else None, params.get("epoch"), drills)


def may_see(identity: Identity, topics: frozenset[str]) -> bool:
    """A team leader follows their own team's topic only; other roles any."""
    if str(identity.role) != "team_leader":
        return True
    return all(not t.startswith("team:") or t == f"team:{identity.team_id}" for t in topics)


def _bearer(websocket: WebSocket) -> str | None:
    value = websocket.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def make_router(hub: Hub, auth: WsAuth, settings: WsSettings) -> APIRouter:
    router = APIRouter()
    sessions = _Sessions(auth.still_valid, settings.revalidate)

    async def check(token: str) -> Identity | None:
        return await asyncio.to_thread(auth.authenticate, token)

    async def first_message_token(websocket: WebSocket) -> str | None:
        with contextlib.suppress(TimeoutError, ValueError, WebSocketDisconnect, orjson.JSONDecodeError):
            text = await asyncio.wait_for(websocket.receive_text(), timeout=settings.auth_timeout)
            message = orjson.loads(text)
            if isinstance(message, dict) and message.get("type") == "auth" and isinstance(message.get("token"), str):
                return str(message["token"])
        return None

    @router.websocket("/ws")
    async def events(websocket: WebSocket) -> None:
        origin = websocket.headers.get("origin")
        if origin is not None and origin not in settings.allowed_origins:
            await websocket.close(code=CLOSE_FORBIDDEN, reason="origin not allowed")
            return
        try:
            request = parse_request(dict(websocket.query_params))
        except BadRequest as exc:
            await websocket.accept()
            await websocket.close(code=CLOSE_BAD_REQUEST, reason=str(exc)[:120])
            return
        token = _bearer(websocket)
        identity = await check(token) if token else None
        await websocket.accept()
        if token and identity is None:
            # Accepted only to say why: closing before accept is an HTTP 403, the same as a bad Origin.
            await websocket.close(code=CLOSE_UNAUTHENTICATED, reason="invalid or expired token")
            return
        if identity is None:
            if sessions.pending >= settings.max_pending_auth:
                await websocket.close(code=CLOSE_TRY_LATER, reason="too many unauthenticated sockets; try later")
                return
            sessions.pending += 1
            try:
                token = await first_message_token(websocket)
                identity = await check(token) if token else None
            finally:
                sessions.pending -= 1
        if identity is None or token is None:
            await websocket.close(code=CLOSE_UNAUTHENTICATED, reason="authenticate first")
            return
        if not may_see(identity, request.topics):
            await websocket.close(code=CLOSE_FORBIDDEN, reason="topic not allowed for this role")
            return
        if sessions.per_user[identity.username] >= settings.max_per_user:
            await websocket.close(code=CLOSE_TOO_MANY, reason="too many sockets for this user")
            return
        entry = _Live(websocket, token, identity.username)
        sessions.add(entry)
        try:
            await serve(websocket, request, identity, entry)
        finally:
            sessions.discard(entry)

    async def serve(websocket: WebSocket, request: Request, identity: Identity, entry: _Live) -> None:
        sub = Subscriber(
            topics=request.topics,
            drill_ids=request.drill_ids,
            send=websocket.send_text,
            close=lambda code, reason: websocket.close(code=code, reason=reason),
            queue_size=settings.queue_size,
            send_timeout=settings.send_timeout,
            # A leader without a team follows no team: team ids start at 1.
            only_team=(identity.team_id or 0) if str(identity.role) == "team_leader" else None,
        )
        await websocket.send_text(orjson.dumps({"type": "hello", "epoch": hub.epoch, "seq": hub.last_seq}).decode())
        try:
            if not await hub.attach(sub, since=request.since, epoch=request.epoch):
                await websocket.close(code=CLOSE_RESYNC, reason="resync")
                return
            tasks = [
                asyncio.create_task(sub.finished.wait()),
                asyncio.create_task(drain(websocket)),
                asyncio.create_task(entry.revoked.wait()),
            ]
            # The first to finish (disconnect, overflow, revoked token) ends the connection.
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError, OSError):
                    await task
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            hub.detach(sub)

    async def drain(websocket: WebSocket) -> None:
        """Read (and ignore) client frames, so a disconnect is noticed and oversized frames are refused."""
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return

    return router
