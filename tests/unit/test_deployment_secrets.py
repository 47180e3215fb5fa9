"""Issue 11: outside development, placeholder and default secrets stop `ercp serve` and `ercp migrate`."""

import pytest

from api.deployment import placeholder_secrets
from api.settings import Settings

RANDOM = "Zq8vN3xKp2Lm7RtY4wHc"


def _settings(**env: str) -> Settings:
    return Settings.model_validate({"ERCP_ENV": "production", **env})


@pytest.mark.parametrize(
    ("alias", "value", "secret"),
    [
        ("DATABASE_URL", "postgresql://ercp:change-me@db/ercp", "change-me"),
        ("DATABASE_URL", "postgresql://ercp:Postgres@db/ercp", "Postgres"),
        ("DATABASE_URL", "postgresql://ercp:sh0rt9@db/ercp", "sh0rt9"),
        ("REDIS_URL", "redis://:your-password-here@cache:6379/0", "your-password-here"),
        ("ERCP_METRICS_TOKEN", "replace-with-a-metrics-token", "replace-with-a-metrics-token"),
    ],
)
def test_a_placeholder_is_refused_in_production_and_named(alias: str, value: str, secret: str) -> None:
    reasons = placeholder_secrets(_settings(**{alias: value}))
    assert len(reasons) == 1
    assert reasons[0].startswith(alias)
    assert secret not in reasons[0]  # the reason names the setting, never echoes the secret


def test_the_same_placeholder_is_fine_in_development() -> None:
    env = {"DATABASE_URL": "postgresql://ercp:change-me@db/ercp", "ERCP_METRICS_TOKEN": "replace-with-a-token"}
    assert placeholder_secrets(Settings.model_validate({"ERCP_ENV": "development", **env})) == []


@pytest.mark.parametrize(
    "url",
    [f"postgresql://ercp:{RANDOM}@db/ercp", "postgresql://ercp@/ercp?host=/run/postgresql", "sqlite:///./ercp.db"],
)
def test_random_or_passwordless_urls_pass(url: str) -> None:
    assert placeholder_secrets(_settings(DATABASE_URL=url, REDIS_URL=f"redis://:{RANDOM}@cache:6379/0")) == []
