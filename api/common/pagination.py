"""Opaque keyset cursors: base64 of a small JSON list of the sort key of the last item returned."""

import base64
import binascii
import math
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from api.common.ids import MAX_ID
from api.errors import InvalidInput

T = TypeVar("T")

MAX_LIMIT = 500
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (1..500)")]
# URL-safe base64, the alphabet encode_cursor writes; what it encodes is this server's business (422 if forged).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*={0,2}$"
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="`next_cursor` of the previous page",
        json_schema_extra={"pattern": CURSOR_PATTERN},
    ),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode()


def decode_cursor(cursor: str | None, *, length: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        key = None
    if not isinstance(key, list) or len(key) != length or not all(isinstance(k, (int, float, str)) for k in key):
        raise forged_cursor()
    return key


def forged_cursor() -> InvalidInput:
    return InvalidInput("cursor is not one this server issued", [{"field": "query.cursor", "message": "bad cursor"}])


# A decoded key is what encode_cursor wrote or a forgery; these take the former only, so that a forged one is a
# 422 naming the cursor and never reaches the database (a string is no id: a 500; past 2^31 - 1 PostgreSQL's
# INTEGER overflows: a 422 naming nothing).
def cursor_id(value: Any) -> int:
    """An entity id from a cursor."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise forged_cursor()
    return value


def cursor_number(value: Any) -> float:
    """A computed sort value (a distance term) from a cursor."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise forged_cursor()
    return float(value)
