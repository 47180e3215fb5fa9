"""The missing-persons rule over time: persons still missing 30 days after the accident (7 for road traffic
and fire) count as dead and the incident is re-graded — on read, and by `ercp housekeeping` — since the
window passes without anybody editing the incident. The re-grade is the system's and audited as such."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.service import diff
from api.changes import record_change
from api.deps import Principal
from api.incidents import escalation_steps
from api.incidents.grading import regrade
from api.incidents.service import event_data, snapshot
from api.rules import casualties
from api.rules import severity as severity_rules
from resources_db.base import utcnow
from resources_db.enums import IncidentStatus, Role
from resources_db.models import Incident

# Who re-grades an incident when the missing-persons window passes on its own.
SYSTEM = Principal(user_id=0, username="system", role=Role.admin, team_id=None)


def due(incident: Incident, now: datetime | None = None) -> bool:
    """Whether `apply_missing_rule` would re-grade the incident now: a read-only check for the read path."""
    if incident.missing == 0 or incident.status in (IncidentStatus.closed, IncidentStatus.dismissed):
        return False
    counted = casualties.grading_deaths(
        deaths=incident.deaths,
        missing=incident.missing,
        incident_type=incident.type,
        occurred_at=incident.occurred_at,
        now=now or utcnow(),
        enabled=True,
    )
    grade = severity_rules.grade(counted, incident.serious_injuries, incident.direct_loss_cny)
    return severity_rules.is_higher(grade, incident.severity)


def apply_missing_rule(*, session: Session, incident: Incident, now: datetime | None = None) -> bool:
    """Re-grade an incident whose missing persons now count as dead (the 30/7-day rule); True when it changed.

    Run on read and by housekeeping: the window passes without anybody editing
    the incident. The re-grade is the system's, with the chain extended as for any other.
    """
    now = now or utcnow()
    if incident.missing == 0 or incident.status in (IncidentStatus.closed, IncidentStatus.dismissed):
        return False
    before = snapshot(incident)
    old_severity, old_near_miss = incident.severity, incident.near_miss
    regrade(incident, now=now, missing_rule=True)
    if not severity_rules.is_higher(incident.severity, old_severity):
        incident.severity, incident.near_miss = old_severity, old_near_miss
        return False
    session.flush()
    old, new = diff(before, snapshot(incident))
    window = casualties.missing_window(incident.type).days
    record_change(
        session,
        principal=SYSTEM,
        action="incident.regrade_missing",
        entity="incident",
        entity_id=incident.id,
        before=old,
        after=new,
        event_type="incident.updated",
        event_data=event_data(incident),
        drill_id=incident.drill_id,
        incident_id=incident.id,
        message=(
            f"{incident.missing} still missing after {window} days count as dead: "
            f"re-graded {old_severity.value} → {incident.severity.value}"
        ),
    )
    escalation_steps.on_regrade(
        session=session,
        principal=SYSTEM,
        incident=incident,
        old=old_severity,
        old_near_miss=old_near_miss,
        casualties_changed=False,
    )
    escalation_steps.on_status(session=session, principal=SYSTEM, incident=incident, now=now)
    return True


def regrade_long_missing(*, session: Session, now: datetime | None = None) -> list[int]:
    """Housekeeping: apply the missing-persons rule to every open incident with persons missing; the re-graded ids."""
    now = now or utcnow()
    open_with_missing = select(Incident).where(
        Incident.missing > 0, Incident.status.not_in((IncidentStatus.closed, IncidentStatus.dismissed))
    )
    return [
        i.id
        for i in session.scalars(open_with_missing).all()
        if apply_missing_rule(session=session, incident=i, now=now)
    ]
