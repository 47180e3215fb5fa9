"""Control characters in a query parameter are refused as in a body (api.common.schemas.PrintableText).

A filter such as `?jurisdiction=` with a NUL reached PostgreSQL, whose text cannot hold one: a 422 naming no field
there, an empty page on SQLite. A dependency of every /api/v1 route makes it the same 422 naming the parameter on
both, and the document states it (api.openapi_errors gives each free query string PRINTABLE_PATTERN).
"""

from fastapi.requests import HTTPConnection

from api.common.schemas import FORBIDDEN_CHARACTERS
from api.errors import InvalidInput

MESSAGE = "control characters (other than tab, line feed, carriage return) are not allowed"


def refuse_control_characters(connection: HTTPConnection) -> None:
    bad = [
        name
        for name, value in connection.query_params.multi_items()
        if FORBIDDEN_CHARACTERS.search(name) or FORBIDDEN_CHARACTERS.search(value)
    ]
    if bad:
        errors = [{"field": f"query.{name}", "message": MESSAGE, "code": "string_pattern_mismatch"} for name in bad]
        raise InvalidInput("a query parameter holds control characters", errors)
