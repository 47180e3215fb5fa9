"""The incident as the recommendation reads it: where and what, the teams on their way, its plan and the neighbours.

Column reads executed on the session's connection (SQLAlchemy Core): the
recommendation only reads, and in Python an ORM entity load, or even an ORM
execution of a column select, costs a few times a plain Core one — a
noticeable share of a request whose p99 goal is 50 ms under load.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.rules.transitions import ACTIVE_DISPATCH_STATUSES
from resources_db.enums import IncidentType, JurisdictionKind, Severity
from resources_db.models import Dispatch, EmergencyPlan, HazardSource, Incident, Jurisdiction, RescueTeam


class Scene(NamedTuple):
    """What the recommendation needs of an incident."""

    id: int
    type: IncidentType
    lat: float
    lon: float
    jurisdiction: str
    severity: Severity
    hazard_source_id: int | None
    dispatched_masks: tuple[int, ...]
    """capability masks of the teams it has active dispatches for (dispatched, on their way or on scene)"""


@dataclass(frozen=True)
class Plan:
    """The emergency plan (预案) of the hazard source the incident happened at."""

    title: str
    source_name: str
    required_capabilities: dict[str, Any]
    required_supplies: dict[str, Any]


# Built once: constructing a statement costs more Python than executing a cached one.
# One row per team with an active dispatch to the incident (one row with no team when there is none):
# the teams already sent come in the same round trip as the incident.
_SCENE = (
    select(
        Incident.id,
        Incident.type,
        Incident.lat,
        Incident.lon,
        Incident.jurisdiction,
        Incident.severity,
        Incident.hazard_source_id,
        RescueTeam.capability_mask,
    )
    .outerjoin(
        Dispatch,
        and_(Dispatch.incident_id == Incident.id, Dispatch.status.in_(sorted(ACTIVE_DISPATCH_STATUSES))),
    )
    .outerjoin(RescueTeam, RescueTeam.id == Dispatch.team_id)
    .where(Incident.id == bindparam("incident_id"))
)
_PLAN = (
    select(EmergencyPlan.title, HazardSource.name, EmergencyPlan.required_capabilities, EmergencyPlan.required_supplies)
    .join(HazardSource, HazardSource.plan_id == EmergencyPlan.id)
    .where(HazardSource.id == bindparam("source_id"))
)
_NEIGHBOURS = select(Jurisdiction.code).where(Jurisdiction.kind == JurisdictionKind.neighbor)


def scene_or_raise(*, session: Session, incident_id: int) -> Scene:
    """The incident, or 404 (as `api.incidents.service.get_or_raise` answers)."""
    rows = session.connection().execute(_SCENE, {"incident_id": incident_id}).all()
    if not rows:
        raise NotFound(f"no incident {incident_id}")
    id_, type_, lat, lon, jurisdiction, severity, source_id, _ = rows[0]
    masks = tuple(row.capability_mask for row in rows if row.capability_mask is not None)
    return Scene(id_, type_, lat, lon, jurisdiction, severity, source_id, masks)


def plan_of(*, session: Session, scene: Scene) -> Plan | None:
    """The emergency plan of the hazard source the incident happened at, with that source's name (seed §12)."""
    if scene.hazard_source_id is None:
        return None
    row = session.connection().execute(_PLAN, {"source_id": scene.hazard_source_id}).first()
    return None if row is None else Plan(*row)


def neighbours(*, session: Session) -> frozenset[str]:
    """Codes of the neighbouring jurisdictions whose teams come as mutual aid."""
    return frozenset(session.connection().execute(_NEIGHBOURS).scalars())
