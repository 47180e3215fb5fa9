"""Request ids: taken from `X-Request-ID` or made, echoed back, and kept for the audit log.

and a declared-length body limit that answers in problem+json.
"""

import contextvars
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
