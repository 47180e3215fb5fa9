"""Enterprises on record: read, create, update, list. Callers commit.

Every write goes through `api.changes.record_change` (audit + outbox event)
in the caller's transaction.
"""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common.listing import PageParams, fetch_page
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.enterprises.schemas import EnterpriseCreate, EnterpriseUpdate, needs_duty_phone
from api.errors import DuplicateEntity, InvalidInput
from resources_db.enterprise_enums import EnterpriseCategory
from resources_db.models import Enterprise, Jurisdiction

FIELDS = (
    "name",
    "credit_code",
    "jurisdiction",
    "sector",
    "category",
    "large_scale",
    "contact_person",
    "contact_phone",
    "duty_phone",
)


def snapshot(row: Enterprise) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def event_data(row: Enterprise) -> dict[str, Any]:
    return {"id": row.id, "version": row.version, **snapshot(row)}


def get_or_raise(*, session: Session, enterprise_id: int) -> Enterprise:
    """The enterprise, or 404."""
    return get_or_404(session, Enterprise, enterprise_id, what="enterprise")


def filtered(*, jurisdiction: str | None = None, category: EnterpriseCategory | None = None) -> Select[Any]:
    """The select of enterprises matching every filter given."""
    stmt = select(Enterprise)
    if jurisdiction:
        stmt = stmt.where(Enterprise.jurisdiction == jurisdiction)
    if category:
        stmt = stmt.where(Enterprise.category == category)
    return stmt


def list_(*, session: Session, stmt: Select[Any], page: PageParams) -> tuple[list[Enterprise], str | None]:
    """A page of enterprises in id order."""
    rows, cursor = fetch_page(session, stmt, id_col=Enterprise.id, page=page)
    return [row for row, _ in rows], cursor


def _flush_unique(session: Session, row: Enterprise) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "credit_code" in text:
            raise DuplicateEntity(f"an enterprise with credit code {row.credit_code} is already on record") from exc
        if "name" in text:
            raise DuplicateEntity(f"an enterprise named {row.name!r} is already on record") from exc
        raise


def _check_duty_phone(row: Enterprise) -> None:
    if needs_duty_phone(row.category, row.large_scale) and not row.duty_phone:
        message = "a large hazardous-goods unit keeps 24-hour duty (Decree 708 art. 14): give duty_phone"
        raise InvalidInput(message, [{"field": "body.duty_phone", "message": message}])


def create(*, session: Session, principal: Principal, data: EnterpriseCreate) -> Enterprise:
    """A new enterprise; its jurisdiction must exist and its name and credit code be new."""
    require(session, Jurisdiction, data.jurisdiction, field="body.jurisdiction")
    row = Enterprise(**data.model_dump())
    session.add(row)
    _flush_unique(session, row)
    record_change(
        session,
        principal=principal,
        action="enterprise.create",
        entity="enterprise",
        entity_id=row.id,
        before=None,
        after=snapshot(row),
        event_type="enterprise.created",
        event_data=event_data(row),
        drill_id=None,
    )
    return row


def update(*, session: Session, principal: Principal, row: Enterprise, data: EnterpriseUpdate) -> Enterprise:
    """Apply the fields given; the version check happens at flush (optimistic lock)."""
    changes = data.model_dump(exclude_unset=True)
    if "jurisdiction" in changes:
        require(session, Jurisdiction, changes["jurisdiction"], field="body.jurisdiction")
    before = snapshot(row)
    for field, value in changes.items():
        setattr(row, field, value)
    _check_duty_phone(row)
    after = snapshot(row)
    old = {k: v for k, v in before.items() if after[k] != v}
    if not old:
        return row
    _flush_unique(session, row)
    record_change(
        session,
        principal=principal,
        action="enterprise.update",
        entity="enterprise",
        entity_id=row.id,
        before=old,
        after={k: after[k] for k in old},
        event_type="enterprise.updated",
        event_data=event_data(row),
        drill_id=None,
    )
    return row
