"""Request ids: taken from `X-Request-ID` or made, echoed back, and kept for the audit log.

and a declared-length body limit that answers in problem+json.
"""

import asyncio
import contextvars
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resources_db.engine import sqlite_write_intent

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")[:64]
        rid = incoming or uuid.uuid4().hex
        token = request_id_var.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class DeclaredBodyLimitMiddleware:
    """Refuse a declared `Content-Length` over the limit with problem+json before anything reads the body.

    Starlette's RequestBodyLimitMiddleware (inside this one) still guards
    bodies sent without a length (chunked); this only shapes the common case's
    answer, which Starlette would otherwise send as plain text.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.max_bytes:
                payload = orjson.dumps(
                    {
                        "type": "https://ercp.leizhou.example/problems/payload-too-large",
                        "title": "Payload too large",
                        "status": 413,
                        "detail": f"request bodies are limited to {self.max_bytes} bytes",
                    }
                )
                headers = [
                    (b"content-type", b"application/problem+json"),
                    (b"connection", b"close"),
                    (b"content-length", str(len(payload)).encode()),
                ]
                await send({"type": "http.response.start", "status": 413, "headers": headers})
                await send({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send)


class SQLiteWriteSerializer:
    """Embedded mode only: one writing request at a time per event loop, reads unhindered.

    A request's database work spans several threadpool hops (dependencies,
    the view, teardown). If a writer held SQLite's write lock between hops
    while every pool thread sat in `BEGIN IMMEDIATE` waiting for that lock,
    the holder could never get a thread back: a deadlock until busy_timeout.
    Queueing writers here, on the event loop, keeps waiting off the threads.
    Reads run as deferred transactions (see resources_db.engine).
    """

    READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in self.READ_METHODS:
            token = sqlite_write_intent.set(False)
            try:
                await self.app(scope, receive, send)
            finally:
                sqlite_write_intent.reset(token)
            return
        lock = self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            await self.app(scope, receive, send)
