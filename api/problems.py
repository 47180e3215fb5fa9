"""Every 4xx/5xx leaves as RFC 9457 application/problem+json with a stable `type`."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.errors import DomainError, ServiceBusy
from api.middleware import request_id_var

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://ercp.leizhou.example/problems/"
MEDIA_TYPE = "application/problem+json"

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_HTTP_SLUGS = {
    400: "bad-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path (Starlette names only the first route whose path matched)."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def problem(
    status: int, slug: str, title: str, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    # The id of this request's log lines (also X-Request-ID), for whoever reports the failure.
    if (request_id := request_id_var.get()) is not None:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # A path parameter read by a dependency and by the view (`team_id` of the own-team check) is validated twice;
    # the client should see its mistake once.
    out: list[dict[str, Any]] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        item = {"field": ".".join(loc), "message": err.get("msg", ""), "code": err.get("type", "")}
        if item not in out:
            out.append(item)
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, ServiceBusy):
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(exc.status, exc.slug, exc.title, exc.detail, headers=headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem(422, "validation-error", "Invalid input", f"invalid fields: {fields}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = _HTTP_SLUGS.get(exc.status_code, "http-error")
        title = slug.replace("-", " ").capitalize()
        detail = exc.detail if isinstance(exc.detail, str) else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
        return problem(exc.status_code, slug, title, detail, headers=headers)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem(412, "stale-version", "Stale version", "the entity changed since it was read; reload and retry")

    # Safety nets: services check first; these catch a race the check could not see (two creates at once)
    # or a value the schema let through that the column cannot hold. Never a 500 for the client's input.
    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = "the change conflicts with existing data (a duplicate or a reference)"
        return problem(409, "conflict", "Conflict", detail)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        log.info("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem(422, "validation-error", "Invalid input", "a value is out of range for its field", errors=[])

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError | PoolTimeout) -> JSONResponse:
        log.warning("database unavailable: %s", exc)
        return problem(
            503, "database-unavailable", "Database unavailable", "retry shortly", headers={"Retry-After": "2"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal-error", "Internal server error")
