"""Inputs taken only as their JSON type.

Pydantic's lax mode reads `false` as the number 0, `0` as the date 1970-01-01 and `"0.5"` as a moment half a
second after the epoch: each is a client bug that would otherwise be stored as a real value. Numbers here still
accept text, because CSV cells (api.common.csvio) are text; dates and times must be ISO 8601 text (or already a
date, from Python).
"""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator

_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


def no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is expected, not a boolean")
    return value


def iso_text(value: Any) -> Any:
    if isinstance(value, date):  # datetime is a date too
        return value
    if not isinstance(value, str) or not _ISO_DATE_START.match(value):
        raise ValueError("an ISO 8601 date (YYYY-MM-DD) or date-time with zone is expected")
    return value


Day = Annotated[date, BeforeValidator(iso_text)]
Moment = Annotated[AwareDatetime, BeforeValidator(iso_text)]


def json_integer(value: Any) -> Any:
    """JSON has one number type: `3.0` is the integer 3 (JSON Schema's `integer` includes it), so a strict integer
    field takes it; `true`, `"3"` and `3.5` stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
