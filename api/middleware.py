"""Request ids: taken from `X-Request-ID` or made, echoed back, and kept for the audit log;
a declared-length body limit that answers in problem+json; request bodies read whole, within a time limit,
before anything else happens; and SQLite's one-writer-at-a-time queue, held only while the request's work runs.
"""

import asyncio
import contextvars
import re
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resources_db.engine import sqlite_write_intent

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
client_request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_request_id", default=None)
# What a client may call its own request: enough for UUIDs and trace ids, nothing that could forge a log line.
CLIENT_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")


class RequestIdMiddleware:
    """Every request gets a server-made id (X-Request-ID, audit rows); a client's X-Request-ID, when it is a
    plain token of at most 64 characters, is kept apart (X-Client-Request-ID, audit `client_request_id`).

    Also the headers every answer carries: `nosniff`, and `no-store` unless the route chose its own caching.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"")
        client_rid = incoming.decode("ascii") if CLIENT_REQUEST_ID.match(incoming) else None
        rid = uuid.uuid4().hex
        token = request_id_var.set(rid)
        client_token = client_request_id_var.set(client_rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", rid.encode("ascii")))
                if client_rid is not None:
                    headers.append((b"x-client-request-id", client_rid.encode("ascii")))
                headers.append((b"x-content-type-options", b"nosniff"))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            client_request_id_var.reset(client_token)
            request_id_var.reset(token)


async def send_problem(
    send: Send, status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    """A problem+json answer from a middleware (outside FastAPI's handlers); the connection is closed after it."""
    body = {"type": f"https://ercp.leizhou.example/problems/{slug}", "title": title, "status": status, "detail": detail}
    if (request_id := request_id_var.get()) is not None:
        body["request_id"] = request_id
    payload = orjson.dumps(body)
    raw = [
        (b"content-type", b"application/problem+json"),
        (b"connection", b"close"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


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
                detail = f"request bodies are limited to {self.max_bytes} bytes"
                await send_problem(send, 413, "payload-too-large", "Payload too large", detail)
                return
        await self.app(scope, receive, send)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyReader:
    """Read a writing request's whole body before the app sees it, within `timeout` seconds and `max_bytes`.

    A client that declares 100 bytes and sends 10 then holds a connection,
    never a lock or a thread: after `timeout` it gets 408 and is closed. The
    app then reads the body from memory, so nothing inside (SQLite's writer
    queue, a database transaction) waits on a client's network.
    """

    def __init__(self, app: ASGIApp, *, timeout: float, max_bytes: int) -> None:
        self.app, self.timeout, self.max_bytes = app, timeout, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        detail = f"request bodies are limited to {self.max_bytes} bytes"
                        await send_problem(send, 413, "payload-too-large", "Payload too large", detail)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            detail = f"the request body did not arrive within {self.timeout:g} s"
            await send_problem(send, 408, "request-timeout", "Request timeout", detail)
            return
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only a disconnect can come

        await self.app(scope, replay, send)


class SQLiteWriteSerializer:
    """Embedded mode only: one writing request at a time per event loop, reads unhindered.

    A request's database work spans several threadpool hops (dependencies,
    the view, teardown). If a writer held SQLite's write lock between hops
    while every pool thread sat in `BEGIN IMMEDIATE` waiting for that lock,
    the holder could never get a thread back: a deadlock until busy_timeout.
    Queueing writers here, on the event loop, keeps waiting off the threads.
    Reads run as deferred transactions (see resources_db.engine).

    The turn starts after BodyReader has the whole body (outside this one)
    and ends when the response starts: views commit and close their session
    before they return (api.routing), so a client slow to send or to read
    holds no other writer up.
    """

    READ_METHODS = READ_METHODS

    def __init__(self, app: ASGIApp, read_only_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        # POSTs that only read (signing in): served like GETs, in a deferred transaction, outside the queue.
        self.read_only_paths = read_only_paths
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in self.READ_METHODS or scope["path"] in self.read_only_paths:
            token = sqlite_write_intent.set(False)
            try:
                await self.app(scope, receive, send)
            finally:
                sqlite_write_intent.reset(token)
            return
        lock = self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        await lock.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:  # once: by then the lock may be another request's
                held = False
                lock.release()

        async def send_then_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            release()
