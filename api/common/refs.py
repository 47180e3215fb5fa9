"""Checks that a referenced row exists, answered as a 422 on the referring field."""

from typing import Any

from sqlalchemy.orm import Session

from api.errors import InvalidInput


def require(session: Session, model: type[Any], key: object, *, field: str) -> Any:
    row = session.get(model, key)
    if row is None:
        message = f"no {model.__tablename__} row with key {key!r}"
        raise InvalidInput(message, [{"field": field, "message": message}])
    return row
