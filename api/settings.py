"""The one settings object; everything configurable is an environment variable (DESIGN §3)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, PositiveFloat
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.rules.recommend import DEFAULT_SPEED_KMH
from resources_db.enums import TeamKind


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field("development", alias="ERCP_ENV")
    database_url: str = Field("sqlite:///./ercp.db", alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    # No default: api.auth.keys refuses to sign with a missing or guessable key (`ercp demo` makes one per run).
    secret_key: str | None = Field(None, alias="ERCP_SECRET_KEY")
    # /docs, /redoc and /openapi.json: on by default in development, off in production unless set to true.
    expose_docs: bool | None = Field(None, alias="ERCP_EXPOSE_DOCS")
    # /metrics for Prometheus: with a token, only `Authorization: Bearer <token>`; without one, open in
    # development and not served in production.
    metrics_token: str | None = Field(None, alias="ERCP_METRICS_TOKEN", min_length=16)
    # A token lives this long, and no token is accepted that claims to live longer (whatever its `exp`).
    token_ttl_seconds: int = Field(8 * 3600, alias="ERCP_TOKEN_TTL_SECONDS", gt=0, le=7 * 24 * 3600)
    # Password checks (argon2id, 64 MiB each) at once, how many more may queue, and for how long; then 503.
    password_check_concurrency: int = Field(1, alias="ERCP_PASSWORD_CHECK_CONCURRENCY", ge=1, le=64)
    password_check_queue: int = Field(16, alias="ERCP_PASSWORD_CHECK_QUEUE", ge=0)
    password_check_wait_seconds: float = Field(5.0, alias="ERCP_PASSWORD_CHECK_WAIT_SECONDS", gt=0)
    # Log lines: "json" (one object a line, with the request id; what log shippers read) or "text" (for people at a
    # terminal). Unset: json in production, text in development. Tokens never reach either (api.access_log).
    log_format: Literal["json", "text"] | None = Field(None, alias="ERCP_LOG_FORMAT")
    max_body_bytes: int = Field(1024 * 1024, alias="ERCP_MAX_BODY_BYTES", gt=0)
    # A writing request's whole body must arrive within this time (408 otherwise); it holds nothing meanwhile.
    body_read_timeout_seconds: float = Field(30.0, alias="ERCP_BODY_READ_TIMEOUT_SECONDS", gt=0, le=300)
    db_pool_size: int = Field(20, alias="ERCP_DB_POOL_SIZE", gt=0)
    # Rate limits (api.ratelimit, `limits` notation, e.g. "10/minute"; empty turns one off): sign-ins per client
    # address, and requests per signed-in user; shared by all processes through REDIS_URL when it is set.
    rate_limit_token_per_address: str = Field("120/minute", alias="ERCP_RATE_LIMIT_TOKEN_PER_ADDRESS")
    rate_limit_per_principal: str = Field("1000/second", alias="ERCP_RATE_LIMIT_PER_PRINCIPAL")
    # On SIGTERM: readiness 503, websockets closed (1012), relay handed over, then this long before the process
    # stops accepting and finishes its in-flight requests (api.shutdown). Longer than the balancer's probe period.
    shutdown_drain_seconds: float = Field(2.0, alias="ERCP_SHUTDOWN_DRAIN_SECONDS", ge=0, le=60)
    page_limit_default: int = 50
    page_limit_max: int = 500
    principal_cache_seconds: float = Field(5.0, alias="ERCP_PRINCIPAL_CACHE_SECONDS", ge=0.01)
    ws_heartbeat_seconds: float = Field(15.0, alias="ERCP_WS_HEARTBEAT_SECONDS", gt=0)
    ws_queue_size: int = Field(1000, alias="ERCP_WS_QUEUE_SIZE", ge=10)
    # A websocket resuming further back than this many events gets `resync` (reload the snapshot), not a scan.
    ws_max_replay_events: int = Field(10_000, alias="ERCP_WS_MAX_REPLAY_EVENTS", ge=0)
    ws_auth_timeout_seconds: float = Field(5.0, alias="ERCP_WS_AUTH_TIMEOUT_SECONDS", gt=0)
    # How soon a websocket of a user who logged out, was disabled or changed password is closed.
    ws_revalidate_seconds: float = Field(1.0, alias="ERCP_WS_REVALIDATE_SECONDS", gt=0)
    # Caps per API process: sockets of one user, and sockets not yet authenticated (first-message auth).
    ws_max_per_user: int = Field(50, alias="ERCP_WS_MAX_PER_USER", ge=1)
    ws_max_pending_auth: int = Field(100, alias="ERCP_WS_MAX_PENDING_AUTH", ge=1)
    # A client whose socket takes longer than this to accept one frame is dropped (it stopped reading).
    ws_send_timeout_seconds: float = Field(10.0, alias="ERCP_WS_SEND_TIMEOUT_SECONDS", gt=0)
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:8501", "http://127.0.0.1:8501"], alias="ERCP_ALLOWED_ORIGINS"
    )
    # Recommendation (api.recommendations): search radius and the ETA model of api.rules.recommend.EtaParams.
    recommend_radius_km: PositiveFloat = Field(80.0, alias="ERCP_RECOMMEND_RADIUS_KM", le=500)
    road_factor: float = Field(1.3, alias="ERCP_ROAD_FACTOR", ge=1.0, le=5.0)
    # JSON, e.g. {"hazmat": 35}; kinds left out keep their default.
    team_speeds_kmh: dict[TeamKind, PositiveFloat] = Field(
        default_factory=lambda: dict(DEFAULT_SPEED_KMH), alias="ERCP_TEAM_SPEEDS_KMH"
    )
    # CAP 1.2 export (api.cap); CAP forbids spaces, commas and XML-reserved characters in `sender`.
    cap_sender: str = Field("ercp@leizhou.example", alias="ERCP_CAP_SENDER", pattern=r"^[^\s,<&]+$")
    cap_sender_name: str = Field("雷州市应急管理局 Leizhou Emergency Management Bureau", alias="ERCP_CAP_SENDER_NAME")
    cap_area_radius_km: PositiveFloat = Field(1.0, alias="ERCP_CAP_AREA_RADIUS_KM", le=1000)
    # Places on record (incidents, depots, team bases, hazard sources) must lie within the jurisdictions' extent
    # plus this margin (api.common.area); lat 0, lon 0 and other slips are refused.
    service_area_margin_km: PositiveFloat = Field(50.0, alias="ERCP_SERVICE_AREA_MARGIN_KM", le=2000)

    # Possible duplicates of a new report (api.rules.duplicates): open incidents this near, this close in time.
    duplicate_radius_m: PositiveFloat = Field(500.0, alias="ERCP_DUPLICATE_RADIUS_M", le=50_000)
    duplicate_window_minutes: PositiveFloat = Field(30.0, alias="ERCP_DUPLICATE_WINDOW_MINUTES", le=24 * 60)
    # Persons missing past 30 days (7 for road traffic and fire) count as dead and re-grade the incident
    # (the work-safety regulator's 2013 rules; api.rules.casualties). On by default.
    missing_counts_as_dead: bool = Field(True, alias="ERCP_MISSING_COUNTS_AS_DEAD")


def docs_exposed(settings: Settings) -> bool:
    return settings.expose_docs if settings.expose_docs is not None else settings.environment != "production"


def log_format(settings: Settings) -> Literal["json", "text"]:
    if settings.log_format is not None:
        return settings.log_format
    return "json" if settings.environment == "production" else "text"


@lru_cache
def get_settings() -> Settings:
    return Settings()
