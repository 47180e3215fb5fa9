"""The one settings object; everything configurable is an environment variable (DESIGN §3)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    cors_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8501"], alias="ERCP_ALLOWED_ORIGINS")

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> "Settings":
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("ERCP_SECRET_KEY must be set to a real secret when ERCP_ENV=production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
