"""Incidents: report, grade, update, move through their states. Callers commit."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.audit.service import diff
from api.changes import record_change
from api.common import exercise
from api.common.geo import bounding_box, haversine_km
from api.common.refs import require
from api.deps import Principal
from api.errors import InvalidTransition, NotFound
from api.incidents import escalation_steps
from api.incidents.schemas import IncidentCreate, IncidentTransition, IncidentUpdate, NearbyHazard
from api.rules import severity as severity_rules
from api.rules import transitions
from api.rules.reporting import investigation_due
from resources_db.base import utcnow
from resources_db.enums import IncidentStatus, IncidentType, JurisdictionKind, RiskLevel, Severity
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
    "severity",
    "status",
)
HAZARD_RADIUS_KM = 1.0


def snapshot(incident: Incident) -> dict[str, Any]:
    return {f: getattr(incident, f) for f in FIELDS}


def event_data(incident: Incident) -> dict[str, Any]:
    return {"id": incident.id, **snapshot(incident), "version": incident.version, "drill_id": incident.drill_id}


def get_or_raise(*, session: Session, incident_id: int) -> Incident:
    """The incident, or 404."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def resolve_jurisdiction(*, session: Session, lat: float, lon: float) -> str:
    """The Leizhou town or street whose (synthetic) centre is nearest; neighbours never own an incident."""
    rows = session.execute(
        select(Jurisdiction.code, Jurisdiction.center_lat, Jurisdiction.center_lon).where(
            Jurisdiction.kind.in_([JurisdictionKind.town, JurisdictionKind.street])
        )
    ).all()
    if not rows:
        rows = session.execute(select(Jurisdiction.code, Jurisdiction.center_lat, Jurisdiction.center_lon)).all()
    if not rows:
        raise NotFound("no jurisdictions are defined; load the resource library first")
    return str(min(rows, key=lambda r: haversine_km(lat, lon, r.center_lat, r.center_lon)).code)


def nearby_hazards(
    *, session: Session, lat: float, lon: float, radius_km: float = HAZARD_RADIUS_KM
) -> list[NearbyHazard]:
    """Red and orange hazard sources within `radius_km`, nearest first (DESIGN §7)."""
    box = bounding_box(lat, lon, radius_km)
    stmt = select(HazardSource).where(
        HazardSource.risk_level.in_([RiskLevel.red, RiskLevel.orange]),
        HazardSource.lat.between(box.min_lat, box.max_lat),
        HazardSource.lon.between(box.min_lon, box.max_lon),
    )
    found = []
    for h in session.scalars(stmt):
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


def create(*, session: Session, principal: Principal, data: IncidentCreate) -> Incident:
    """Record a report: grade it, schedule its reporting chain, log it, queue `incident.created`."""
    exercise.guard_role(principal, data.drill_id)
    exercise.require_running(session, data.drill_id)
    if data.jurisdiction is not None:
        require(session, Jurisdiction, data.jurisdiction, field="body.jurisdiction")
    if data.hazard_source_id is not None:
        require(session, HazardSource, data.hazard_source_id, field="body.hazard_source_id")
    now = utcnow()
    occurred = data.occurred_at or now
    incident = Incident(
        **data.model_dump(exclude={"occurred_at", "jurisdiction"}),
        jurisdiction=data.jurisdiction or resolve_jurisdiction(session=session, lat=data.lat, lon=data.lon),
        occurred_at=occurred,
        reported_at=now,
        severity=severity_rules.grade(data.deaths, data.serious_injuries, data.direct_loss_cny),
        status=IncidentStatus.reported,
        investigation_due_at=investigation_due(occurred),
        reporter=principal.username,
    )
    session.add(incident)
    session.flush()
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
    escalation_steps.schedule_initial(session=session, principal=principal, incident=incident)
    return incident


def update(*, session: Session, principal: Principal, incident: Incident, data: IncidentUpdate) -> Incident:
    """Apply changed fields; casualty or loss changes re-grade and may add reporting steps."""
    exercise.guard_role(principal, incident.drill_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    casualty_fields = {"deaths", "serious_injuries", "direct_loss_cny"}
    if casualty_fields & changes.keys() and not transitions.casualties_editable(incident.status):
        raise InvalidTransition(incident.status.value, "casualty update", [])
    before = snapshot(incident)
    old_severity = incident.severity
    for field, value in changes.items():
        setattr(incident, field, value)
    incident.severity = severity_rules.grade(incident.deaths, incident.serious_injuries, incident.direct_loss_cny)
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
    casualties_changed = any(before[f] != getattr(incident, f) for f in ("deaths", "serious_injuries"))
    escalation_steps.on_regrade(
        session=session, principal=principal, incident=incident, old=old_severity, casualties_changed=casualties_changed
    )
    return incident


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
    return incident
