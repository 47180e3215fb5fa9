"""Writing the reporting chain (逐级上报, DESIGN §7) for an incident; the deadlines come from api.rules.reporting.

Report steps chain (art. 11): each is due 2 h after the level below has the
report. Scheduling, re-grading, filing a report and withdrawing a duplicate's
steps all go through here, so the stored `due_at` of every open step always
follows `reporting.rechain` of the steps as they stand.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from api.changes import batch, record_change
from api.deps import Principal
from api.rules import reporting
from resources_db.base import utcnow
from resources_db.enums import EscalationKind, EscalationLevel, IncidentStatus, Severity
from resources_db.models import Escalation, Incident

_ESCALATIONS = cast(Table, Escalation.__table__)
# Rows come back matched by (level, kind, sequence), unique within one call, rather than in parameter order:
# asking for the order makes SQLAlchemy wrap the INSERT on PostgreSQL and send one INSERT per row on SQLite.
_INSERT = insert(_ESCALATIONS).returning(
    _ESCALATIONS.c.id, _ESCALATIONS.c.level, _ESCALATIONS.c.kind, _ESCALATIONS.c.sequence
)
LEVEL_ORDER = {level: i for i, level in enumerate(EscalationLevel)}


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A step as written, with its new id."""

    id: int
    step: reporting.Step


def _add(
    session: Session, principal: Principal, incident: Incident, steps: list[reporting.Step], why: str
) -> list[Scheduled]:
    if not steps:
        return []
    if len({(s.level, s.kind, s.sequence) for s in steps}) != len(steps):
        raise ValueError("a reporting chain names each (level, kind, sequence) once")
    rows = [
        {
            "incident_id": incident.id,
            "level": s.level,
            "kind": s.kind,
            "due_at": s.due_at,
            "owed_from": s.owed_from,
            "sequence": s.sequence,
            "late": False,
            "version": 1,
        }
        for s in steps
    ]
    out: list[Scheduled] = []
    with batch(session):
        # One multi-row INSERT for the whole chain; the ids go into the audit rows and events.
        inserted = session.connection().execute(_INSERT, rows)
        ids = {(r.level, r.kind, r.sequence): r.id for r in inserted}
        for step in steps:
            row_id = ids[(step.level, step.kind, step.sequence)]
            out.append(Scheduled(row_id, step))
            data = {
                "id": row_id,
                "incident_id": incident.id,
                "level": step.level,
                "kind": step.kind,
                "sequence": step.sequence,
                "due_at": step.due_at,
            }
            number = f" #{step.sequence}" if step.sequence is not None else ""
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
                message=f"{why}: {step.kind.value}{number} to {step.level.value} due {step.due_at:%Y-%m-%d %H:%M}Z",
            )
    return out


def schedule_initial(*, session: Session, principal: Principal, incident: Incident) -> list[Scheduled]:
    """The chain for a newly graded incident (a near-miss reaches the province, as a major accident does)."""
    steps = reporting.chain_for(incident.severity, incident.occurred_at, near_miss=incident.near_miss)
    return _add(session, principal, incident, steps, "graded")


def report_steps(session: Session, incident_id: int) -> list[Escalation]:
    """The incident's report steps still in force, lowest level first."""
    rows = session.scalars(
        select(Escalation).where(
            Escalation.incident_id == incident_id,
            Escalation.kind == EscalationKind.report,
            Escalation.withdrawn_at.is_(None),
        )
    ).all()
    return sorted(rows, key=lambda e: LEVEL_ORDER[e.level])


def _links(rows: list[Escalation]) -> list[reporting.Link]:
    return [reporting.Link(r.level, r.due_at, r.reported_at, r.owed_from) for r in rows]


def on_regrade(
    *,
    session: Session,
    principal: Principal,
    incident: Incident,
    old: Severity,
    old_near_miss: bool,
    casualties_changed: bool,
) -> None:
    """A higher grade (or a new near-miss) extends the chain; a casualty change in the window adds a supplementary."""
    now = utcnow()
    target = reporting.levels_for(incident.severity, incident.near_miss)
    if len(target) > len(reporting.levels_for(old, old_near_miss)):
        links = _links(report_steps(session, incident.id))
        steps = reporting.extend_chain(links, target, occurred_at=incident.occurred_at, now=now)
        why = (
            f"re-graded {old.value} → {incident.severity.value}"
            if incident.severity != old
            else "major near-miss (较大涉险)"
        )
        _add(session, principal, incident, steps, why)
    if casualties_changed and reporting.supplementary_needed(incident.type, incident.occurred_at, now):
        _add(session, principal, incident, [reporting.supplementary_step(now)], "casualties changed")


def rechain(*, session: Session, principal: Principal, incident: Incident) -> None:
    """Move the deadlines of the open report steps to follow the reports filed so far (art. 11)."""
    rows = report_steps(session, incident.id)
    for row, due in zip(rows, reporting.rechain(_links(rows), incident.occurred_at), strict=True):
        if row.reported_at is not None or row.due_at == due:
            continue
        before = row.due_at
        row.due_at = due
        session.flush()
        data = {"id": row.id, "incident_id": incident.id, "level": row.level, "kind": row.kind, "due_at": due}
        record_change(
            session,
            principal=principal,
            action="escalation.reschedule",
            entity="escalation",
            entity_id=row.id,
            before={"due_at": before},
            after={"due_at": due},
            event_type="escalation.due",
            event_data=data,
            drill_id=incident.drill_id,
            incident_id=incident.id,
            message=f"report to {row.level.value} now due {due:%Y-%m-%d %H:%M}Z (art. 11: 2 h after the level below)",
        )


def withdraw_open(*, session: Session, principal: Principal, incident: Incident, why: str) -> list[int]:
    """Withdraw every open step of the incident (a duplicate report owes nothing); their ids."""
    now = utcnow()
    rows = session.scalars(
        select(Escalation).where(
            Escalation.incident_id == incident.id,
            Escalation.reported_at.is_(None),
            Escalation.withdrawn_at.is_(None),
        )
    ).all()
    for row in rows:
        _withdraw_one(session, principal, incident, row, why, now)
    return [r.id for r in rows]


def _open_of_kind(session: Session, incident_id: int, kind: EscalationKind) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation).where(
                Escalation.incident_id == incident_id,
                Escalation.kind == kind,
                Escalation.reported_at.is_(None),
                Escalation.withdrawn_at.is_(None),
            )
        )
    )


def last_follow_up(session: Session, incident_id: int) -> Escalation | None:
    return session.scalars(
        select(Escalation)
        .where(Escalation.incident_id == incident_id, Escalation.kind == EscalationKind.follow_up)
        .order_by(Escalation.sequence.desc())
        .limit(1)
    ).first()


def on_status(*, session: Session, principal: Principal, incident: Incident, now: datetime | None = None) -> None:
    """Follow-ups start when the response does; containment replaces the open one with the final report."""
    interval = reporting.follow_up_interval(incident.severity, incident.near_miss)
    if interval is None:
        return
    now = now or utcnow()
    if incident.status is IncidentStatus.responding and not _open_of_kind(
        session, incident.id, EscalationKind.follow_up
    ):
        last = last_follow_up(session, incident.id)
        number = 1 if last is None or last.sequence is None else last.sequence + 1
        step = reporting.follow_up_step(number, now + interval)
        _add(session, principal, incident, [step], "responding")
    elif incident.status in (IncidentStatus.contained, IncidentStatus.closed):
        if _open_of_kind(session, incident.id, EscalationKind.final) or _filed_final(session, incident.id):
            return
        for row in _open_of_kind(session, incident.id, EscalationKind.follow_up):
            _withdraw_one(session, principal, incident, row, "the final report replaces it", now)
        _add(session, principal, incident, [reporting.final_step(now, interval)], incident.status.value)


def _filed_final(session: Session, incident_id: int) -> bool:
    return (
        session.scalar(
            select(Escalation.id).where(
                Escalation.incident_id == incident_id,
                Escalation.kind == EscalationKind.final,
                Escalation.reported_at.is_not(None),
            )
        )
        is not None
    )


def _withdraw_one(
    session: Session, principal: Principal, incident: Incident, row: Escalation, why: str, now: datetime
) -> None:
    row.withdrawn_at = now
    session.flush()
    data = {"id": row.id, "incident_id": incident.id, "level": row.level, "kind": row.kind, "withdrawn_at": now}
    record_change(
        session,
        principal=principal,
        action="escalation.withdraw",
        entity="escalation",
        entity_id=row.id,
        before={"withdrawn_at": None},
        after={"withdrawn_at": now},
        event_type="escalation.withdrawn",
        event_data=data,
        drill_id=incident.drill_id,
        incident_id=incident.id,
        message=f"{row.kind.value} to {row.level.value} withdrawn: {why}",
    )


def on_follow_up_filed(*, session: Session, principal: Principal, incident: Incident, filed: Escalation) -> None:
    """The next numbered follow-up, on the cadence's clock, while the incident is still responding."""
    interval = reporting.follow_up_interval(incident.severity, incident.near_miss)
    if interval is None or incident.status is not IncidentStatus.responding or filed.sequence is None:
        return
    if _open_of_kind(session, incident.id, EscalationKind.follow_up):
        return
    step = reporting.follow_up_step(filed.sequence + 1, reporting.next_follow_up_due(filed.due_at, interval))
    _add(session, principal, incident, [step], f"follow-up #{filed.sequence} filed")
