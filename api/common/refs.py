"""Looking rows up by key: a referenced row must exist (422 on the referring field), an addressed one too (404)."""

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from api.errors import InvalidInput, NotFound

RowT = TypeVar("RowT")


def require(session: Session, model: type[Any], key: object, *, field: str) -> Any:
    row = session.get(model, key)
    if row is None:
        message = f"no {model.__tablename__} row with key {key!r}"
        raise InvalidInput(message, [{"field": field, "message": message}])
    return row


def get_or_404(session: Session, model: type[RowT], key: object, *, what: str) -> RowT:
    """The row with this primary key, or 404 `no <what> <key>` (a code shows quoted, an id bare)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"no {what} {key!r}")
    return row
