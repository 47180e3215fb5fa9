"""Tokens never reach the logs: uvicorn writes each request's path with its query string.

A client that puts a bearer token in a URL (`/ws?token=…`, `?access_token=…`) is refused, but uvicorn has
already logged the request line, in its access log and, for a websocket handshake, in its error log. This
filter rewrites the value of token-like query parameters to `[redacted]` before any handler sees the record.
"""

import logging
import re

REDACTED = "[redacted]"
# Query parameters whose value is a credential (case-insensitive; `x-api-key`, `id_token`, `refresh_token`…).
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.-]*token|[\w.-]*api[_-]?key|key|password|passwd|secret|auth|authorization|jwt|session|sig"
    r"|signature|code)=)[^&;#\s\"']*"
)
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    return _SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)


class RedactTokens(logging.Filter):
    """Redacts credentials in a record's message and string arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install() -> None:
    """Filter uvicorn's loggers (once per process; the app factory may run several times)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
