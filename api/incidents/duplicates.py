"""Repeat calls: find the open incidents a new report may repeat, and close a report as a duplicate of one.

Which incidents match is api.rules.duplicates; here are the query that
offers candidates (open, same drill or both real, inside the box and window)
and the link, which closes the duplicate, puts its caller's details on the
primary's timeline and withdraws the duplicate's reporting steps.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.common.geo import bounding_box
from api.common.refs import require
from api.deps import Principal
from api.errors import Conflict, InvalidInput
from api.incidents import escalation_steps
from api.incidents.service import event_data
from api.rules import duplicates as rules
from api.rules import transitions
from resources_db.enums import AllocationStatus, IncidentStatus
from resources_db.models import Allocation, Dispatch, Incident

CLOSED = (IncidentStatus.closed, IncidentStatus.dismissed)


def _as_report(i: Incident) -> rules.Report:
    return rules.Report(
        id=i.id, title=i.title, type=i.type, lat=i.lat, lon=i.lon, occurred_at=i.occurred_at, status=i.status
    )


def possible(*, session: Session, incident: Incident, radius_m: float, window: timedelta) -> list[rules.Match]:
    """Open incidents the report may repeat, nearest first; a drill report is only ever matched in its drill."""
    box = bounding_box(incident.lat, incident.lon, radius_m / 1000)
    drill = Incident.drill_id.is_(None) if incident.drill_id is None else Incident.drill_id == incident.drill_id
    stmt = select(Incident).where(
        Incident.id != incident.id,
        Incident.status.not_in(CLOSED),
        drill,
        Incident.occurred_at.between(incident.occurred_at - window, incident.occurred_at + window),
        Incident.lat.between(box.min_lat, box.max_lat),
        Incident.lon.between(box.min_lon, box.max_lon),
    )
    candidates = [_as_report(i) for i in session.scalars(stmt)]
    return rules.matches(_as_report(incident), candidates, radius_m=radius_m, window=window)


def _field_error(message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": "body.incident_id", "message": message}])


def _check(session: Session, duplicate: Incident, primary: Incident) -> None:
    if duplicate.duplicate_of is not None:
        raise Conflict(f"incident {duplicate.id} is already a duplicate of incident {duplicate.duplicate_of}")
    if duplicate.status in CLOSED:
        raise Conflict(f"incident {duplicate.id} is {duplicate.status.value}; only an open report can be a duplicate")
    if (primary.drill_id is None) != (duplicate.drill_id is None) or primary.drill_id != duplicate.drill_id:
        raise _field_error("a drill report and a real incident (or two drills) never duplicate each other")
    if primary.duplicate_of is not None:
        raise Conflict(
            f"incident {primary.id} is itself a duplicate of incident {primary.duplicate_of}; link to that one"
        )
    if primary.status in CLOSED:
        raise Conflict(f"incident {primary.id} is {primary.status.value}; link to an open incident")
    active = session.scalar(
        select(func.count())
        .select_from(Dispatch)
        .where(Dispatch.incident_id == duplicate.id, Dispatch.status.in_(transitions.ACTIVE_DISPATCH_STATUSES))
    )
    held = session.scalar(
        select(func.count())
        .select_from(Allocation)
        .where(
            Allocation.incident_id == duplicate.id,
            Allocation.status.in_((AllocationStatus.reserved, AllocationStatus.issued)),
        )
    )
    if active or held:
        raise Conflict(
            f"incident {duplicate.id} has {active} active dispatch(es) and {held} open allocation(s); "
            "release or move them before closing it as a duplicate, so nothing is sent twice"
        )


def caller_details(duplicate: Incident) -> dict[str, Any]:
    """What the repeat call told: kept on the primary's timeline, since the duplicate itself is closed."""
    return {
        "incident_id": duplicate.id,
        "title": duplicate.title,
        "type": duplicate.type,
        "reporter": duplicate.reporter,
        "reported_at": duplicate.reported_at,
        "occurred_at": duplicate.occurred_at,
        "address": duplicate.address,
        "lat": duplicate.lat,
        "lon": duplicate.lon,
        "deaths": duplicate.deaths,
        "serious_injuries": duplicate.serious_injuries,
        "missing": duplicate.missing,
        "trapped": duplicate.trapped,
    }


def link(*, session: Session, principal: Principal, duplicate: Incident, primary_id: int) -> Incident:
    """Close `duplicate` as a repeat of `primary_id`; 422 for itself or across drills, 409 when either is not open."""
    exercise.guard_role(principal, duplicate.drill_id)
    if primary_id == duplicate.id:
        raise _field_error("an incident cannot be a duplicate of itself")
    primary: Incident = require(session, Incident, primary_id, field="body.incident_id")
    _check(session, duplicate, primary)
    before = duplicate.status
    duplicate.status = IncidentStatus.closed
    duplicate.duplicate_of = primary.id
    session.flush()
    record_change(
        session,
        principal=principal,
        action="incident.duplicate_of",
        entity="incident",
        entity_id=duplicate.id,
        before={"status": before, "duplicate_of": None},
        after={"status": duplicate.status, "duplicate_of": primary.id},
        event_type="incident.status_changed",
        event_data=event_data(duplicate),
        drill_id=duplicate.drill_id,
        incident_id=duplicate.id,
        message=f"closed as a duplicate of incident {primary.id}",
    )
    withdrawn = escalation_steps.withdraw_open(
        session=session, principal=principal, incident=duplicate, why=f"duplicate of incident {primary.id}"
    )
    details = caller_details(duplicate)
    where = duplicate.address or f"{duplicate.lat:.5f}, {duplicate.lon:.5f}"
    record_change(
        session,
        principal=principal,
        action="incident.duplicate_linked",
        entity="incident",
        entity_id=primary.id,
        before=None,
        after={"duplicate": details, "withdrawn_escalations": withdrawn},
        event_type="incident.updated",
        event_data={**event_data(primary), "duplicate_linked": duplicate.id},
        drill_id=primary.drill_id,
        incident_id=primary.id,
        message=f"repeat call linked (incident {duplicate.id}, reported by {duplicate.reporter}): "
        f"{duplicate.title} at {where}",
    )
    return duplicate
