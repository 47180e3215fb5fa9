"""The one id type of the API: every path, query and body id is bounded the same way.

An unbounded `int` lets `…/9223372036854775808` reach the database driver, which overflows (a 500); the
bound makes it a 422 like any other bad input. Entity keys are 32-bit INTEGER columns on PostgreSQL, so an id past
2^31 - 1 names nothing and is refused as such; a keyset position (audit `after_id`) is compared, never stored, and
takes anything up to 2^63 - 1, the widest integer either database handles.
A JSON `true` is not an id either (pydantic would take it as 1).
"""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

MAX_ID = 2**31 - 1
MAX_POSITION = 2**63 - 1


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("an id is an integer, not a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON's 7.0 is the integer 7, also where a field is strict
    return value


# Bounds before the validator: pydantic then documents them as JSON Schema `minimum`/`maximum`.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_not_bool)]
# A keyset position: 0 means "from the start".
AfterId = Annotated[int, Field(ge=0, le=MAX_POSITION), BeforeValidator(_not_bool)]
