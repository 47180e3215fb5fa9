"""App factory: the one place that wires settings, database, routers and realtime (relay, hub, websocket)."""

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from api import access_log, health, openapi_errors, problems
from api.agreements.views import router as agreements_router
from api.allocations.views import router as allocations_router
from api.audit.views import router as audit_router
from api.auth import keys
from api.auth.gate import PasswordGate
from api.auth.views import router as auth_router
from api.cap.views import router as cap_router
from api.common.query_text import refuse_control_characters
from api.compensation.views import router as compensation_router
from api.compliance.views import router as compliance_router
from api.depots.views import router as depots_router
from api.deps import Principal, PrincipalCache, VerifiedTokens, principal_for_token, valid_tokens
from api.dispatches.views import router as dispatches_router
from api.drills.views import router as drills_router
from api.enterprises.csv_views import router as enterprises_csv_router
from api.enterprises.plan_views import router as plan_revisions_router
from api.enterprises.views import router as enterprises_router
from api.escalations.views import router as escalations_router
from api.hazards.views import router as hazards_router
from api.incidents.views import router as incidents_router
from api.jurisdictions.views import router as jurisdictions_router
from api.metrics import Metrics, MetricsMiddleware
from api.middleware import BodyReader, DeclaredBodyLimitMiddleware, RequestIdMiddleware, SQLiteWriteSerializer
from api.mutual_aid.views import router as mutual_aid_router
from api.plans.views import router as plans_router
from api.ratelimit import RateLimitMiddleware, make_storage
from api.recommendations.views import router as recommendations_router
from api.settings import Settings, docs_exposed, get_settings
from api.shutdown import Drain, RefuseWebsocketsWhileDraining
from api.situation.views import router as situation_router
from api.supplies.views import router as supplies_router
from api.teams.csv_views import router as teams_csv_router
from api.teams.views import router as teams_router
from realtime.bus import Bus
from realtime.hub import Hub
from realtime.memory_bus import MemoryBus
from realtime.redis_bus import RedisBus
from realtime.relay import Relay
from realtime.ws import WsAuth, WsSettings
from realtime.ws import make_router as make_ws_router
from resources_db.engine import is_sqlite, make_engine, make_session_factory

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; api.auth.keys.InsecureKey when ERCP_SECRET_KEY is missing or guessable."""
    settings = settings or get_settings()
    access_log.install()
    signing_key = keys.require(settings.secret_key)
    verified_tokens = VerifiedTokens(secret=signing_key, max_age_seconds=settings.token_ttl_seconds)
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)

    session_factory = make_session_factory(engine)
    bus: Bus = RedisBus(settings.redis_url) if settings.redis_url else MemoryBus()
    hub = Hub(engine, bus, heartbeat=settings.ws_heartbeat_seconds, max_replay=settings.ws_max_replay_events)
    metrics = Metrics()
    relay = Relay(engine, bus, on_publish=metrics.observe_published)
    drain = Drain(hub, relay, drain_seconds=settings.shutdown_drain_seconds)
    metrics.watch(engine=engine, ws_clients=lambda: len(hub.subscribers), relay_leader=lambda: relay.is_leader)

    def authenticate(token: str) -> Principal | None:
        with session_factory() as session:
            return principal_for_token(session, verified_tokens, token)

    def still_valid(candidates: Collection[str]) -> set[str]:
        with session_factory() as session:
            return valid_tokens(session, verified_tokens, candidates)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await bus.connect()
        await hub.start()
        relay_task = asyncio.create_task(relay.run(), name="outbox-relay")
        drain.install()  # SIGTERM drains first (api.shutdown); only where uvicorn owns the main thread
        # Everything imported and built so far lives as long as the process; moving it out of the collector's
        # reach cuts full collections from ~30 ms to a few on a request that allocates many rows (recommendations).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await relay.stop()
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
            await hub.stop()
            await bus.disconnect()
            engine.dispose()

    title, version = "Leizhou emergency response command platform", "0.1.0"
    if docs_exposed(settings):
        # A command center may sit on an isolated network: /docs and /redoc load their assets from this server,
        # never from a CDN, and Swagger UI's online validator badge (an image from swagger.io) is switched off.
        app = FastAPIOffline(
            title=title,
            version=version,
            lifespan=lifespan,
            static_url="/docs-assets",
            swagger_ui_parameters={"validatorUrl": None},
        )
    else:
        app = FastAPI(title=title, version=version, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.principal_cache = PrincipalCache(ttl=settings.principal_cache_seconds)
    app.state.verified_tokens = verified_tokens
    app.state.password_gate = PasswordGate(
        concurrency=settings.password_check_concurrency,
        queue=settings.password_check_queue,
        wait_seconds=settings.password_check_wait_seconds,
    )
    app.state.hub = hub
    app.state.relay = relay
    app.state.metrics = metrics
    app.state.drain = drain

    problems.install(app)
    # Starlette's limiter counts streamed bodies; the outer one answers declared lengths in problem+json.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    if is_sqlite(settings.database_url):
        # Signing in only reads: it neither waits for nor holds up the writers (a password check takes ~0.1 s).
        app.add_middleware(SQLiteWriteSerializer, read_only_paths=frozenset({f"{API_PREFIX}/auth/token"}))
    # Outside the writer queue: a writing request joins it only once its whole body is here.
    app.add_middleware(BodyReader, timeout=settings.body_read_timeout_seconds, max_bytes=settings.max_body_bytes)
    app.add_middleware(DeclaredBodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware,
        storage=make_storage(settings.redis_url, settings.database_url),
        metrics=metrics,
        verified_tokens=verified_tokens,
        token_path=f"{API_PREFIX}/auth/token",
        per_address=settings.rate_limit_token_per_address or None,
        per_principal=settings.rate_limit_per_principal or None,
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(RefuseWebsocketsWhileDraining, drain=drain)
    # Outermost: a request's time includes every middleware's, and refusals (413, 408, 429) are counted too.
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    v1 = APIRouter(prefix=API_PREFIX, dependencies=[Depends(refuse_control_characters)])
    for router in (
        auth_router,
        incidents_router,
        recommendations_router,
        cap_router,
        escalations_router,
        dispatches_router,
        allocations_router,
        teams_csv_router,
        teams_router,
        jurisdictions_router,
        hazards_router,
        plans_router,
        audit_router,
        depots_router,
        supplies_router,
        drills_router,
        mutual_aid_router,
        agreements_router,
        compensation_router,
        situation_router,
        enterprises_csv_router,
        enterprises_router,
        plan_revisions_router,
        compliance_router,
    ):
        v1.include_router(router)
    ws_settings = WsSettings(
        allowed_origins=frozenset(settings.cors_origins),
        queue_size=settings.ws_queue_size,
        auth_timeout=settings.ws_auth_timeout_seconds,
        revalidate=settings.ws_revalidate_seconds,
        send_timeout=settings.ws_send_timeout_seconds,
        max_per_user=settings.ws_max_per_user,
        max_pending_auth=settings.ws_max_pending_auth,
    )
    app.state.ws_auth = WsAuth(authenticate=authenticate, still_valid=still_valid)
    v1.include_router(make_ws_router(hub, app.state.ws_auth, ws_settings))
    app.include_router(v1)
    app.include_router(health.router)
    openapi_errors.install(app)
    return app
