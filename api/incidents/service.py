"""Incidents: report, grade, update, move through their states. Callers commit."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, make_transient_to_detached

from api.audit.service import diff
from api.changes import batch, record_change
from api.common import area, exercise
from api.common.geo import bounding_box, haversine_km
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.errors import Conflict, InvalidTransition, NotFound
from api.incidents import escalation_steps, statements
from api.incidents.grading import grade_of, regrade
from api.incidents.schemas import IncidentCreate, IncidentTransition, IncidentUpdate, NearbyHazard
from api.rules import transitions
from api.rules.reporting import investigation_due
from resources_db.base import utcnow
from resources_db.enums import IncidentStatus, IncidentType, Severity
from resources_db.models import HazardSource, Incident, Jurisdiction

FIELDS = (
    "title",
    "type",
    "lat",
    "lon",
    "address",
    "jurisdiction",
    "deaths",
    "serious_injuries",
    "direct_loss_cny",
    "missing",
    "trapped",
    "at_risk",
    "evacuated",
    "near_miss",
    "severity",
    "status",
)
# Figures whose change is a casualty change of art. 13 (art. 12 (4) counts the missing among casualties).
CASUALTY_FIELDS = ("deaths", "serious_injuries", "missing")
# Every figure that may re-grade the incident or make it a near-miss.
GRADING_FIELDS = frozenset({*CASUALTY_FIELDS, "direct_loss_cny", "trapped", "at_risk", "evacuated"})

HAZARD_RADIUS_KM = 1.0


def snapshot(incident: Incident) -> dict[str, Any]:
    return {f: getattr(incident, f) for f in FIELDS}


def event_data(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, **snapshot(incident), "version": incident.version, "drill_id": incident.drill_id}


def get_or_raise(*, session: Session, incident_id: int) -> Incident:
    """The incident, or 404."""
    return get_or_404(session, Incident, incident_id, what="incident")


def nearby_hazards(
    *, session: Session, lat: float, lon: float, radius_km: float = HAZARD_RADIUS_KM
) -> list[NearbyHazard]:
    """Red and orange hazard sources within `radius_km`, nearest first (DESIGN §7)."""
    box = bounding_box(lat, lon, radius_km)
    found = []
    for h in session.connection().execute(statements.HAZARDS_IN_BOX, statements.box_params(box)):
        d = haversine_km(lat, lon, h.lat, h.lon)
        if d <= radius_km:
            found.append(
                NearbyHazard(
                    id=h.id, name=h.name, kind=h.kind.value, risk_level=h.risk_level.value, distance_km=round(d, 3)
                )
            )
    return sorted(found, key=lambda h: h.distance_km)


def filtered(
    *,
    status: IncidentStatus | None,
    severity: Severity | None,
    type_: IncidentType | None,
    jurisdiction: str | None,
    since: datetime | None,
) -> Select[Any]:
    """Incidents matching every given filter (drill scoping is applied by the caller)."""
    stmt = select(Incident)
    if status:
        stmt = stmt.where(Incident.status == status)
    if severity:
        stmt = stmt.where(Incident.severity == severity)
    if type_:
        stmt = stmt.where(Incident.type == type_)
    if jurisdiction:
        stmt = stmt.where(Incident.jurisdiction == jurisdiction)
    if since:
        stmt = stmt.where(Incident.reported_at >= since)
    return stmt


@dataclass(frozen=True, slots=True)
class Report:
    """A report as inserted (detached), and whether a red/orange hazard source lies in the search box around it."""

    incident: Incident
    hazards_near: bool
    chain: list[escalation_steps.Scheduled]


def report_hazards(*, session: Session, report: Report) -> list[NearbyHazard]:
    """`nearby_hazards` of a new report, without a query when its INSERT found none in the box."""
    if not report.hazards_near:
        return []
    return nearby_hazards(session=session, lat=report.incident.lat, lon=report.incident.lon)


def create(*, session: Session, principal: Principal, data: IncidentCreate, missing_rule: bool = True) -> Report:
    """Record a report: grade it, schedule its reporting chain, log it, queue `incident.created`.

    The intake desk's hot path, so it runs prepared Core statements
    (api.incidents.statements): the incident (its jurisdiction resolved in the
    same INSERT), its chain, and the audit/timeline/outbox rows of all of them
    (`batch`). The incident comes back detached, as inserted, with what the
    INSERT found out about hazard sources nearby.
    """
    exercise.guard_role(principal, data.drill_id)
    exercise.require_running(session, data.drill_id)
    area.require_inside(session, data.lat, data.lon)
    if data.jurisdiction is not None:
        require(session, Jurisdiction, data.jurisdiction, field="body.jurisdiction")
    if data.hazard_source_id is not None:
        require(session, HazardSource, data.hazard_source_id, field="body.hazard_source_id")
    now = utcnow()
    occurred = data.occurred_at or now
    g = grade_of(
        type_=data.type,
        occurred_at=occurred,
        deaths=data.deaths,
        serious_injuries=data.serious_injuries,
        direct_loss_cny=data.direct_loss_cny,
        missing=data.missing,
        trapped=data.trapped,
        at_risk=data.at_risk,
        evacuated=data.evacuated,
        now=now,
        missing_rule=missing_rule,
    )
    values: dict[str, Any] = {
        "title": data.title,
        "type": data.type,
        "lat": data.lat,
        "lon": data.lon,
        "address": data.address,
        "hazard_source_id": data.hazard_source_id,
        "occurred_at": occurred,
        "reported_at": now,
        "deaths": data.deaths,
        "serious_injuries": data.serious_injuries,
        "direct_loss_cny": data.direct_loss_cny,
        "missing": data.missing,
        "trapped": data.trapped,
        "at_risk": data.at_risk,
        "evacuated": data.evacuated,
        "near_miss": g.near_miss,
        "severity": g.severity,
        "status": IncidentStatus.reported,
        "investigation_due_at": investigation_due(occurred),
        "drill_id": data.drill_id,
        "reporter": principal.username,
        "version": 1,
    }
    conn = session.connection()
    box = statements.box_params(bounding_box(data.lat, data.lon, HAZARD_RADIUS_KM))
    if data.jurisdiction is not None:
        params = {**values, **box, "jurisdiction": data.jurisdiction}
        inserted = conn.execute(statements.INSERT_REPORT, params).one()
    else:
        params = {**values, **box, **statements.resolve_params(data.lat, data.lon)}
        found = conn.execute(statements.INSERT_REPORT_RESOLVED, params).one_or_none()
        if found is None:
            raise NotFound("no jurisdictions are defined; load the resource library first")
        inserted = found
    incident = Incident(id=inserted.id, jurisdiction=inserted.jurisdiction, duplicate_of=None, **values)
    make_transient_to_detached(incident)
    with batch(session):
        record_change(
            session,
            principal=principal,
            action="incident.create",
            entity="incident",
            entity_id=incident.id,
            before=None,
            after=snapshot(incident),
            event_type="incident.created",
            event_data=event_data(incident),
            drill_id=incident.drill_id,
            incident_id=incident.id,
            message=f"reported: {incident.title} ({incident.severity.value})",
        )
        chain = escalation_steps.schedule_initial(session=session, principal=principal, incident=incident)
    return Report(incident=incident, hazards_near=bool(inserted.hazards_near), chain=chain)


def update(
    *, session: Session, principal: Principal, incident: Incident, data: IncidentUpdate, missing_rule: bool = True
) -> Incident:
    """Apply changed fields; casualty or loss changes re-grade and may add reporting steps."""
    exercise.guard_role(principal, incident.drill_id)
    _require_not_duplicate(incident)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if GRADING_FIELDS & changes.keys() and not transitions.casualties_editable(incident.status):
        raise InvalidTransition(incident.status.value, "casualty update", [])
    if "jurisdiction" in changes:
        require(session, Jurisdiction, changes["jurisdiction"], field="body.jurisdiction")
    before = snapshot(incident)
    old_severity, old_near_miss = incident.severity, incident.near_miss
    for field, value in changes.items():
        setattr(incident, field, value)
    moved = (incident.lat, incident.lon) != (before["lat"], before["lon"])
    if moved:
        area.require_inside(session, incident.lat, incident.lon)
    if moved and "jurisdiction" not in changes:
        # The town that owns an incident is where it is: a corrected location may hand it to another.
        params = statements.resolve_params(incident.lat, incident.lon)
        incident.jurisdiction = session.connection().execute(statements.RESOLVE_JURISDICTION, params).scalar_one()
    regrade(incident, now=utcnow(), missing_rule=missing_rule)
    if snapshot(incident) == before:
        return incident
    session.flush()
    old, new = diff(before, snapshot(incident))
    record_change(
        session,
        principal=principal,
        action="incident.update",
        entity="incident",
        entity_id=incident.id,
        before=old,
        after=new,
        event_type="incident.updated",
        event_data=event_data(incident),
        drill_id=incident.drill_id,
        incident_id=incident.id,
        message="updated: " + ", ".join(f"{k} {old[k]} → {new[k]}" for k in new),
    )
    casualties_changed = any(before[f] != getattr(incident, f) for f in CASUALTY_FIELDS)
    escalation_steps.on_regrade(
        session=session,
        principal=principal,
        incident=incident,
        old=old_severity,
        old_near_miss=old_near_miss,
        casualties_changed=casualties_changed,
    )
    if incident.severity != old_severity or incident.near_miss != old_near_miss:
        # A grade that now needs follow-ups (or a final report) starts them as a status change would.
        escalation_steps.on_status(session=session, principal=principal, incident=incident)
    return incident


def _require_not_duplicate(incident: Incident) -> None:
    if incident.duplicate_of is not None:
        raise Conflict(f"incident {incident.id} was closed as a duplicate of incident {incident.duplicate_of}")


def transition(*, session: Session, principal: Principal, incident: Incident, data: IncidentTransition) -> Incident:
    """Move along the incident state machine (DESIGN §5); 409 names the allowed next states."""
    exercise.guard_role(principal, incident.drill_id)
    if not transitions.can_incident(incident.status, data.status):
        raise InvalidTransition(incident.status.value, data.status.value, transitions.allowed_incident(incident.status))
    before = incident.status
    incident.status = data.status
    session.flush()
    record_change(
        session,
        principal=principal,
        action="incident.status",
        entity="incident",
        entity_id=incident.id,
        before={"status": before},
        after={"status": incident.status, "note": data.note},
        event_type="incident.status_changed",
        event_data=event_data(incident),
        drill_id=incident.drill_id,
        incident_id=incident.id,
        message=f"status {before.value} → {incident.status.value}" + (f": {data.note}" if data.note else ""),
    )
    escalation_steps.on_status(session=session, principal=principal, incident=incident)
    return incident
