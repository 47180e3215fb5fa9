"""Jurisdictions (towns, streets, the city, neighbouring counties): read, create, update. Callers commit."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.common.listing import PageParams
from api.common.pagination import decode_cursor, encode_cursor
from api.common.refs import get_or_404
from api.deps import Principal
from api.errors import DuplicateEntity
from api.jurisdictions.schemas import JurisdictionCreate, JurisdictionUpdate
from resources_db.enums import JurisdictionKind
from resources_db.models import Jurisdiction

FIELDS = ("name_zh", "name_en", "kind", "center_lat", "center_lon")


def snapshot(row: Jurisdiction) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def get(*, session: Session, code: str) -> Jurisdiction | None:
    """The jurisdiction with this code, if any."""
    return session.get(Jurisdiction, code)


def get_or_raise(*, session: Session, code: str) -> Jurisdiction:
    """The jurisdiction, or 404."""
    return get_or_404(session, Jurisdiction, code, what="jurisdiction")


def list_(
    *, session: Session, page: PageParams, kind: JurisdictionKind | None = None
) -> tuple[list[Jurisdiction], str | None]:
    """A page of jurisdictions ordered by code (the key is a string, so `fetch_page`'s int keyset does not fit)."""
    stmt = select(Jurisdiction).order_by(Jurisdiction.code)
    if kind:
        stmt = stmt.where(Jurisdiction.kind == kind)
    after = decode_cursor(page.cursor, length=1)
    if after is not None:
        stmt = stmt.where(Jurisdiction.code > str(after[0]))
    rows = list(session.scalars(stmt.limit(page.limit + 1)))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return rows, encode_cursor([rows[-1].code]) if more and rows else None


def create(*, session: Session, principal: Principal, data: JurisdictionCreate) -> Jurisdiction:
    """A new jurisdiction; 409 when the code is taken."""
    if get(session=session, code=data.code) is not None:
        raise DuplicateEntity(f"jurisdiction {data.code!r} already exists")
    row = Jurisdiction(**data.model_dump())
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        # Another request inserted the same code between our check and this flush.
        raise DuplicateEntity(f"jurisdiction {data.code!r} already exists") from exc
    audit.record(
        session,
        principal=principal,
        action="jurisdiction.create",
        entity="jurisdiction",
        entity_id=row.code,
        after=snapshot(row),
    )
    return row


def update(*, session: Session, principal: Principal, row: Jurisdiction, data: JurisdictionUpdate) -> Jurisdiction:
    """Apply the fields given; unchanged values write nothing (no version bump, no audit row)."""
    audit.update_row(
        session,
        principal=principal,
        row=row,
        changes=data.model_dump(exclude_unset=True),
        snapshot=snapshot,
        action="jurisdiction.update",
        entity="jurisdiction",
        entity_id=row.code,
    )
    return row
