"""Writing the reporting chain (逐级上报, DESIGN §7) for an incident; the deadlines come from api.rules.reporting."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.deps import Principal
from api.rules import reporting
from api.rules.severity import is_higher
from resources_db.base import utcnow
from resources_db.enums import EscalationKind, Severity
from resources_db.models import Escalation, Incident


def _add(session: Session, principal: Principal, incident: Incident, steps: list[reporting.Step], why: str) -> None:
    rows = [Escalation(incident_id=incident.id, level=s.level, kind=s.kind, due_at=s.due_at) for s in steps]
    session.add_all(rows)
    session.flush()  # one batched INSERT for the whole chain; the ids go into the events
    for row in rows:
        data = {"id": row.id, "incident_id": incident.id, "level": row.level, "kind": row.kind, "due_at": row.due_at}
        record_change(
            session,
            principal=principal,
            action="escalation.schedule",
            entity="escalation",
            entity_id=row.id,
            before=None,
            after=data,
            event_type="escalation.due",
            event_data=data,
            drill_id=incident.drill_id,
            incident_id=incident.id,
            message=f"{why}: {row.kind.value} to {row.level.value} due {row.due_at:%Y-%m-%d %H:%M}Z",
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
