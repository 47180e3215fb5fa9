"""Reporting steps: list them by deadline, record that one was reported (and whether late)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.deps import Principal
from api.errors import Conflict, NotFound
from api.escalations import document, facts
from api.incidents import escalation_steps
from api.rules.reporting import is_late
from resources_db.base import utcnow
from resources_db.enums import EscalationKind
from resources_db.models import Escalation, Incident


def get_or_raise(*, session: Session, escalation_id: int) -> tuple[Escalation, Incident]:
    """The step and its incident, or 404."""
    row = session.get(Escalation, escalation_id)
    if row is None:
        raise NotFound(f"no escalation {escalation_id}")
    incident = session.get(Incident, row.incident_id)
    assert incident is not None
    return row, incident


def filtered(
    *, incident_id: int | None, due_before: datetime | None, late: bool | None, open_only: bool, now: datetime
) -> Select[Escalation, int | None]:
    """Steps joined to their incident; `late` counts overdue open steps as late too (withdrawn ones owe nothing)."""
    stmt = select(Escalation, Incident.drill_id).join(Incident, Incident.id == Escalation.incident_id)
    if incident_id is not None:
        stmt = stmt.where(Escalation.incident_id == incident_id)
    if due_before is not None:
        stmt = stmt.where(Escalation.due_at < due_before)
    if open_only:
        stmt = stmt.where(Escalation.reported_at.is_(None), Escalation.withdrawn_at.is_(None))
    overdue = and_(Escalation.reported_at.is_(None), Escalation.withdrawn_at.is_(None), Escalation.due_at < now)
    if late is True:
        stmt = stmt.where(or_(Escalation.late.is_(True), overdue))
    elif late is False:
        stmt = stmt.where(Escalation.late.is_(False), ~overdue)
    return stmt


def draft(*, session: Session, escalation: Escalation, incident: Incident) -> dict[str, Any]:
    """The step's art. 12 document: as filed once filed (never rendered again), else a fresh draft."""
    if escalation.document is not None:
        return {
            **escalation.document,
            "filed": True,
            "filed_at": escalation.reported_at,
            "filed_by": escalation.reported_by,
        }
    return document.render(facts.gather(session, escalation, incident))


def report(
    *,
    session: Session,
    principal: Principal,
    escalation: Escalation,
    incident: Incident,
    note: str | None,
    completions: dict[int, str] | None = None,
) -> Escalation:
    """Record the report with the document as sent; a report after the due time is flagged late (迟报)."""
    exercise.guard_role(principal, incident.drill_id)
    if escalation.reported_at is not None:
        raise Conflict(f"escalation {escalation.id} was already reported at {escalation.reported_at.isoformat()}")
    if escalation.withdrawn_at is not None:
        raise Conflict(f"escalation {escalation.id} was withdrawn at {escalation.withdrawn_at.isoformat()}")
    # Rendered before the row changes: its queries autoflush, and the filing must be one UPDATE (the database
    # refuses any change to a row once it is filed).
    sent = document.render(facts.gather(session, escalation, incident), completions)
    now = utcnow()
    escalation.reported_at = now
    escalation.reported_by = principal.username
    escalation.late = is_late(escalation.due_at, now)
    escalation.note = note
    escalation.document = sent
    session.flush()
    data = {
        "id": escalation.id,
        "incident_id": incident.id,
        "level": escalation.level,
        "kind": escalation.kind,
        "due_at": escalation.due_at,
        "reported_at": now,
        "late": escalation.late,
    }
    record_change(
        session,
        principal=principal,
        action="escalation.report",
        entity="escalation",
        entity_id=escalation.id,
        before={"reported_at": None},
        after={"reported_at": now, "late": escalation.late},
        event_type="escalation.late" if escalation.late else "escalation.reported",
        event_data=data,
        drill_id=incident.drill_id,
        incident_id=incident.id,
        message=f"{escalation.kind.value} to {escalation.level.value} reported" + (" LATE" if escalation.late else ""),
    )
    if escalation.kind is EscalationKind.report:
        escalation_steps.rechain(session=session, principal=principal, incident=incident)
    elif escalation.kind is EscalationKind.follow_up:
        escalation_steps.on_follow_up_filed(session=session, principal=principal, incident=incident, filed=escalation)
    return escalation
