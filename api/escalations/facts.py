"""Gathering what an art. 12 report says from the database (the rendering is api.escalations.document)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.escalations.document import FIGURES, Facts, Measure, Unit
from api.incidents.service import nearby_hazards
from resources_db.enums import EscalationKind
from resources_db.models import (
    Allocation,
    AuditLog,
    Dispatch,
    Escalation,
    HazardSource,
    Incident,
    Jurisdiction,
    RescueTeam,
    SupplyItem,
)

# Kinds that report what changed since the previous filed report (art. 13 and the follow-ups).
COMPARING = frozenset({EscalationKind.supplementary, EscalationKind.follow_up, EscalationKind.final})


def figures_of(incident: Incident) -> dict[str, Any]:
    return {name: getattr(incident, name).value if name == "severity" else getattr(incident, name) for name in FIGURES}


def baseline(session: Session, incident: Incident, escalation: Escalation) -> dict[str, Any]:
    """The figures of the last report filed before this one; the figures as first reported when none was."""
    docs = session.scalars(
        select(Escalation.document)
        .where(
            Escalation.incident_id == incident.id,
            Escalation.id != escalation.id,
            Escalation.document.is_not(None),
        )
        .order_by(Escalation.reported_at.desc(), Escalation.id.desc())
        .limit(1)
    ).all()
    if docs and docs[0] is not None:
        return dict(docs[0]["figures"])
    created = session.scalars(
        select(AuditLog.after)
        .where(
            AuditLog.entity == "incident", AuditLog.entity_id == str(incident.id), AuditLog.action == "incident.create"
        )
        .limit(1)
    ).first()
    first = created or {}
    return {name: first.get(name, 0 if name != "severity" else "ordinary") for name in FIGURES}


def _measures(session: Session, incident_id: int) -> list[Measure]:
    out = []
    teams = session.execute(
        select(RescueTeam.name, Dispatch.status)
        .join(Dispatch, Dispatch.team_id == RescueTeam.id)
        .where(Dispatch.incident_id == incident_id)
        .order_by(Dispatch.id)
    )
    for name, status in teams:
        out.append(Measure(f"调派 {name}（{status.value}）", f"dispatched {name} ({status.value})"))
    supplies = session.execute(
        select(SupplyItem.name, SupplyItem.unit, Allocation.quantity, Allocation.status)
        .join(Allocation, Allocation.supply_item_id == SupplyItem.id)
        .where(Allocation.incident_id == incident_id)
        .order_by(Allocation.id)
    )
    for name, unit, quantity, held in supplies:
        out.append(
            Measure(f"调拨 {name} {quantity} {unit}（{held.value}）", f"{quantity} {unit} of {name} ({held.value})")
        )
    return out


def gather(session: Session, escalation: Escalation, incident: Incident) -> Facts:
    place = session.get(Jurisdiction, incident.jurisdiction)
    source = session.get(HazardSource, incident.hazard_source_id) if incident.hazard_source_id is not None else None
    unit = (
        Unit(source.name, source.enterprise, source.responsible_person, source.kind.value)
        if source is not None
        else None
    )
    now = figures_of(incident)
    changes: list[dict[str, Any]] = []
    if escalation.kind in COMPARING:
        before = baseline(session, incident, escalation)
        changes = [{"field": k, "before": before.get(k), "after": now[k]} for k in FIGURES]
    return Facts(
        escalation_id=escalation.id,
        level=escalation.level,
        kind=escalation.kind,
        sequence=escalation.sequence,
        due_at=escalation.due_at,
        incident_id=incident.id,
        title=incident.title,
        type=incident.type,
        occurred_at=incident.occurred_at,
        reported_at=incident.reported_at,
        address=incident.address,
        lat=incident.lat,
        lon=incident.lon,
        jurisdiction_zh=place.name_zh if place is not None else incident.jurisdiction,
        jurisdiction_en=place.name_en if place is not None else incident.jurisdiction,
        figures=now,
        near_miss=incident.near_miss,
        status=incident.status.value,
        drill_id=incident.drill_id,
        unit=unit,
        measures=_measures(session, incident.id),
        hazards_near=[h.name for h in nearby_hazards(session=session, lat=incident.lat, lon=incident.lon)],
        changes=changes,
    )
