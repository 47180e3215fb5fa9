"""Opaque keyset cursors: base64 of a small JSON list of the sort key of the last item returned."""

import base64
import binascii
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

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
        raise InvalidInput("cursor is not one this server issued", [{"field": "query.cursor", "message": "bad cursor"}])
    return key
