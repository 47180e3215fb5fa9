"""Writing the reporting chain (逐级上报, DESIGN §7) for an incident; the deadlines come from api.rules.reporting."""

from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from api.changes import batch, record_change
from api.deps import Principal
from api.rules import reporting
from api.rules.severity import is_higher
from resources_db.base import utcnow
from resources_db.enums import EscalationKind, Severity
from resources_db.models import Escalation, Incident

_ESCALATIONS = cast(Table, Escalation.__table__)
# Rows come back matched by (level, kind), unique within one call, rather than in parameter order: asking
# for the order makes SQLAlchemy wrap the INSERT on PostgreSQL and send one INSERT per row on SQLite.
_INSERT = insert(_ESCALATIONS).returning(_ESCALATIONS.c.id, _ESCALATIONS.c.level, _ESCALATIONS.c.kind)


def _add(session: Session, principal: Principal, incident: Incident, steps: list[reporting.Step], why: str) -> None:
    if not steps:
        return
    if len({(s.level, s.kind) for s in steps}) != len(steps):
        raise ValueError("a reporting chain names each (level, kind) once")
    rows = [
        {"incident_id": incident.id, "level": s.level, "kind": s.kind, "due_at": s.due_at, "late": False, "version": 1}
        for s in steps
    ]
    with batch(session):
        # One multi-row INSERT for the whole chain; the ids go into the audit rows and events.
        inserted = session.connection().execute(_INSERT, rows)
        ids = {(r.level, r.kind): r.id for r in inserted}
        for step in steps:
            row_id = ids[(step.level, step.kind)]
            data = {
                "id": row_id,
                "incident_id": incident.id,
                "level": step.level,
                "kind": step.kind,
                "due_at": step.due_at,
            }
            record_change(
                session,
                principal=principal,
                action="escalation.schedule",
                entity="escalation",
                entity_id=row_id,
                before=None,
                after=data,
                event_type="escalation.due",
                event_data=data,
                drill_id=incident.drill_id,
                incident_id=incident.id,
                message=f"{why}: {step.kind.value} to {step.level.value} due {step.due_at:%Y-%m-%d %H:%M}Z",
            )


def schedule_initial(*, session: Session, principal: Principal, incident: Incident) -> None:
    """The chain for a newly graded incident."""
    _add(session, principal, incident, reporting.chain_for(incident.severity, incident.occurred_at), "graded")


def on_regrade(
    *, session: Session, principal: Principal, incident: Incident, old: Severity, casualties_changed: bool
) -> None:
    """An upward re-grade extends the chain; a casualty change inside the window adds a supplementary report."""
    now = utcnow()
    if is_higher(incident.severity, old):
        levels = set(
            session.scalars(
                select(Escalation.level).where(
                    Escalation.incident_id == incident.id, Escalation.kind == EscalationKind.report
                )
            )
        )
        steps = reporting.extend_chain(levels, old, incident.severity, now=now)
        _add(session, principal, incident, steps, f"re-graded {old.value} → {incident.severity.value}")
    if casualties_changed and reporting.supplementary_needed(incident.type, incident.occurred_at, now):
        _add(session, principal, incident, [reporting.supplementary_step(now)], "casualties changed")
