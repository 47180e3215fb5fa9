"""The one helper every write calls: an AuditLog row in the writer's own transaction."""

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import BigInteger, literal, select
from sqlalchemy.orm import Session

from api.common.jsonable import jsonable
from api.deps import Principal
from api.middleware import client_request_id_var, request_id_var
from resources_db.base import utcnow
from resources_db.models import AuditLog


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: jsonable(before.get(k)) for k in keys}, {k: jsonable(after[k]) for k in keys}


def row(
    *,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The column values of one audit row (for `record`, or for a batched INSERT: api.changes.batch)."""
    return {
        "actor": principal.username,
        "role": principal.role.value,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "before": jsonable(before) if before is not None else None,
        "after": jsonable(after) if after is not None else None,
        "at": utcnow(),
        "request_id": request_id_var.get(),
        "client_request_id": client_request_id_var.get(),
    }


def record(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add the audit row for a write; flushed and committed with the write itself."""
    audit_row = AuditLog(
        **row(principal=principal, action=action, entity=entity, entity_id=entity_id, before=before, after=after)
    )
    session.add(audit_row)
    return audit_row


def list_(session: Session, *, entity: str | None, entity_id: str | None, after_id: int, limit: int) -> list[AuditLog]:
    """Audit rows in insertion order, optionally for one entity."""
    # A position goes up to 2^63 - 1 (api.common.ids.AfterId) while the key is a 32-bit INTEGER on PostgreSQL,
    # where a bind typed as the column overflows (a 422 for a valid position): compare it as a BIGINT.
    position = literal(after_id, BigInteger())
    stmt = select(AuditLog).where(AuditLog.id > position).order_by(AuditLog.id).limit(limit)
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditLog.entity_id == entity_id)
    return list(session.scalars(stmt))


def update_row(
    session: Session,
    *,
    principal: Principal,
    row: Any,
    changes: Mapping[str, Any],
    snapshot: Callable[[Any], dict[str, Any]],
    action: str,
    entity: str,
    entity_id: object,
    flush: Callable[[], None] | None = None,
) -> bool:
    """Set `changes` on `row`; if anything really changed, flush (the versioned UPDATE) and audit it.

    Unchanged values write nothing: no version bump, no audit row. `flush`
    replaces `session.flush` where a caller maps constraint errors itself.
    """
    before = snapshot(row)
    for field, value in changes.items():
        setattr(row, field, value)
    old, new = diff(before, snapshot(row))
    if not new:
        return False
    (flush or session.flush)()
    record(session, principal=principal, action=action, entity=entity, entity_id=entity_id, before=old, after=new)
    return True
