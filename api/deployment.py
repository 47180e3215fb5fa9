"""Secrets a production deployment must not run with: the ones copied from an example file or left at a default.

`compose.yaml` takes every secret from the environment, so nothing in the repository is a usable password; but
an operator can still start it with `POSTGRES_PASSWORD=change-me` from a how-to, or with `postgres`. Outside
development, `ercp serve` and `ercp migrate` refuse to start on such a value and say which one to replace.
The signing key has its own, stricter check (api.auth.keys), applied in every environment.
"""

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from api.auth.keys import PLACEHOLDER_WORDS
from api.settings import Settings

# Passwords that ship as defaults or head every list of guesses.
DEFAULT_PASSWORDS = frozenset(
    {"postgres", "password", "passw0rd", "admin", "root", "ercp", "redis", "123456", "12345678", "test", "demo"}
)
MIN_PASSWORD_LENGTH = 12
# The signing key's placeholder words, and how example files spell a password to fill in.
_PLACEHOLDER = (*PLACEHOLDER_WORDS, "your-", "your_", "password", "xxx")


def _password_problem(what: str, password: str | None) -> str | None:
    if not password:
        return None  # no password in the URL: peer or certificate authentication, the operator's choice
    lowered = password.lower()
    if lowered in DEFAULT_PASSWORDS or any(word in lowered for word in _PLACEHOLDER):
        return f"{what} has a placeholder or default password; set a random one"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"{what} has a {len(password)}-character password, at least {MIN_PASSWORD_LENGTH} are needed"
    return None


def _url_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:
        return None  # not a URL SQLAlchemy reads; the engine will say so in its own words


def placeholder_secrets(settings: Settings) -> list[str]:
    """Why this deployment's secrets are unfit for production; empty in development or when they are fine."""
    if settings.environment != "production":
        return []
    found = [
        _password_problem("DATABASE_URL", _url_password(settings.database_url)),
        _password_problem("REDIS_URL", _url_password(settings.redis_url)) if settings.redis_url else None,
    ]
    token = settings.metrics_token
    if token and any(word in token.lower() for word in _PLACEHOLDER):
        found.append("ERCP_METRICS_TOKEN looks like a placeholder; set a random one")
    return [reason for reason in found if reason is not None]
