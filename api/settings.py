"""The one settings object; everything configurable is an environment variable (DESIGN §3)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, PositiveFloat, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.rules.recommend import DEFAULT_SPEED_KMH
from resources_db.enums import TeamKind

DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 (refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field("development", alias="ERCP_ENV")
    database_url: str = Field("sqlite:///./ercp.db", alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    secret_key: str = Field(DEV_SECRET, alias="ERCP_SECRET_KEY", min_length=32)
    token_ttl_seconds: int = Field(8 * 3600, alias="ERCP_TOKEN_TTL_SECONDS", gt=0)
    max_body_bytes: int = Field(1024 * 1024, alias="ERCP_MAX_BODY_BYTES", gt=0)
    db_pool_size: int = Field(20, alias="ERCP_DB_POOL_SIZE", gt=0)
    page_limit_default: int = 50
    page_limit_max: int = 500
    principal_cache_seconds: float = Field(5.0, alias="ERCP_PRINCIPAL_CACHE_SECONDS", ge=0.01)
    ws_heartbeat_seconds: float = Field(15.0, alias="ERCP_WS_HEARTBEAT_SECONDS", gt=0)
    ws_queue_size: int = Field(1000, alias="ERCP_WS_QUEUE_SIZE", ge=10)
    ws_auth_timeout_seconds: float = Field(5.0, alias="ERCP_WS_AUTH_TIMEOUT_SECONDS", gt=0)
    ws_revalidate_seconds: float = Field(30.0, alias="ERCP_WS_REVALIDATE_SECONDS", gt=0)
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8501"], alias="ERCP_ALLOWED_ORIGINS")
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

    # Possible duplicates of a new report (api.rules.duplicates): open incidents this near, this close in time.
    duplicate_radius_m: PositiveFloat = Field(500.0, alias="ERCP_DUPLICATE_RADIUS_M", le=50_000)
    duplicate_window_minutes: PositiveFloat = Field(30.0, alias="ERCP_DUPLICATE_WINDOW_MINUTES", le=24 * 60)
    # Persons missing past 30 days (7 for road traffic and fire) count as dead and re-grade the incident
    # (the work-safety regulator's 2013 rules; api.rules.casualties). On by default.
    missing_counts_as_dead: bool = Field(True, alias="ERCP_MISSING_COUNTS_AS_DEAD")

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("ERCP_SECRET_KEY must be set to a real secret when ERCP_ENV=production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
