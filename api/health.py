import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.problems import problem
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive (touches nothing else)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is unreachable"}}, response_model=None)
def readyz(request: Request) -> dict[str, str] | Response:
    """The database answers and the process is not shutting down; a 503 problem otherwise."""
    drain = getattr(request.app.state, "drain", None)
    if drain is not None and drain.draining:
        return problem(503, "not-ready", "Not ready", "shutting down", headers={"Retry-After": "1"})
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return problem(
            503, "not-ready", "Not ready", f"database unreachable: {type(exc).__name__}", headers={"Retry-After": "2"}
        )
    return {"status": "ready", "database": "ok"}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics: open in development; with ERCP_METRICS_TOKEN set, only for that bearer token;
    in production without a token, not served at all (they tell an attacker what runs and how busy it is)."""
    settings = request.app.state.settings
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {settings.metrics_token}".encode()):
            return problem(401, "not-authenticated", "Not authenticated", "send the metrics bearer token")
    elif settings.environment == "production":
        return problem(404, "not-found", "Not found", "metrics are off; set ERCP_METRICS_TOKEN to serve them")
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
