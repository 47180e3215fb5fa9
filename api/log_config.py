"""How a served process logs: uvicorn's own loggers and the application's, as text or as JSON lines.

JSON lines carry the request id the answer carried (`X-Request-ID`, and `request_id` in a problem+json body), so
an operator holding a failed answer finds its log lines with one grep. Token-like query parameters are redacted
on uvicorn's loggers before any formatter sees a record (api.access_log); the JSON access line is built from the
redacted arguments.
"""

import logging
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS

from api.middleware import request_id_var

LogFormat = Literal["json", "text"]
# uvicorn's access record: args = (client address, method, path with query, HTTP version, status).
_ACCESS_ARGS = ("client", "method", "path", "http_version", "status")
# uvicorn repeats some messages with terminal colour codes for its own formatter; not for a log shipper.
_LEFT_OUT = [*RESERVED_ATTRS, "color_message"]


class RequestId(logging.Filter):
    """Stamps every record with the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class AccessFields(logging.Filter):
    """Turns uvicorn's positional access arguments into named fields of the JSON line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == len(_ACCESS_ARGS):
            for name, value in zip(_ACCESS_ARGS, record.args, strict=True):
                setattr(record, name, value)
            record.msg, record.args = "%s %s %s", (record.method, record.path, record.status)  # type: ignore[attr-defined]
        return True


def config(fmt: LogFormat, level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn's `log_config`: uvicorn, the access log and the app's loggers."""
    level = level.upper()
    json_fields = "%(levelname)s %(name)s %(message)s %(request_id)s"
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": json_fields,
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
            "reserved_attrs": _LEFT_OUT,
            "json_ensure_ascii": False,
        },
        "json_access": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": json_fields + " %(client)s %(method)s %(path)s %(status)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
            "reserved_attrs": _LEFT_OUT,
            "json_ensure_ascii": False,
        },
        "text": {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(name)s: %(message)s"},
        "text_access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
        },
    }
    filters = {"request_id": {"()": RequestId}, "access_fields": {"()": AccessFields}}
    access_filters = ["request_id", "access_fields"] if fmt == "json" else ["request_id"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": formatters,
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": fmt,
                "filters": ["request_id"],
            },
            "access": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": f"{fmt}_access",
                "filters": access_filters,
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
        # The application's own loggers (api.*, realtime.*) propagate here.
        "root": {"handlers": ["default"], "level": level},
    }
