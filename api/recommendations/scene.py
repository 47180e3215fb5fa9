"""The incident as the recommendation reads it: where and what, its emergency plan, the hazard sources and neighbours.

Column reads executed on the session's connection (SQLAlchemy Core): the
recommendation only reads, and in Python an ORM entity load, or even an ORM
execution of a column select, costs a few times a plain Core one — a
noticeable share of a request whose p99 goal is 50 ms under load.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Float, bindparam, select
from sqlalchemy.orm import Session

from api.common.geo import bounding_box, haversine_km
from api.errors import NotFound
from api.incidents.schemas import NearbyHazard
from api.rules.capability_table import HAZARD_RADIUS_KM
from resources_db.enums import IncidentType, JurisdictionKind, RiskLevel, Severity
from resources_db.models import EmergencyPlan, HazardSource, Incident, Jurisdiction


class Scene(NamedTuple):
    """What the recommendation needs of an incident."""

    id: int
    type: IncidentType
    lat: float
    lon: float
    jurisdiction: str
    severity: Severity
    hazard_source_id: int | None


@dataclass(frozen=True)
class Plan:
    """The emergency plan (预案) of the hazard source the incident happened at."""

    title: str
    source_name: str
    required_capabilities: dict[str, Any]
    required_supplies: dict[str, Any]


# Built once: constructing a statement costs more Python than executing a cached one.
_SCENE = select(
    Incident.id,
    Incident.type,
    Incident.lat,
    Incident.lon,
    Incident.jurisdiction,
    Incident.severity,
    Incident.hazard_source_id,
).where(Incident.id == bindparam("incident_id"))
_PLAN = (
    select(EmergencyPlan.title, HazardSource.name, EmergencyPlan.required_capabilities, EmergencyPlan.required_supplies)
    .join(HazardSource, HazardSource.plan_id == EmergencyPlan.id)
    .where(HazardSource.id == bindparam("source_id"))
)
_HAZARDS = select(
    HazardSource.id, HazardSource.name, HazardSource.kind, HazardSource.risk_level, HazardSource.lat, HazardSource.lon
).where(
    HazardSource.risk_level.in_([RiskLevel.red, RiskLevel.orange]),
    HazardSource.lat.between(bindparam("min_lat", type_=Float), bindparam("max_lat", type_=Float)),
    HazardSource.lon.between(bindparam("min_lon", type_=Float), bindparam("max_lon", type_=Float)),
)
_NEIGHBOURS = select(Jurisdiction.code).where(Jurisdiction.kind == JurisdictionKind.neighbor)


def scene_or_raise(*, session: Session, incident_id: int) -> Scene:
    """The incident, or 404 (as `api.incidents.service.get_or_raise` answers)."""
    row = session.connection().execute(_SCENE, {"incident_id": incident_id}).first()
    if row is None:
        raise NotFound(f"no incident {incident_id}")
    return Scene(*row)


def plan_of(*, session: Session, scene: Scene) -> Plan | None:
    """The emergency plan of the hazard source the incident happened at, with that source's name (seed §12)."""
    if scene.hazard_source_id is None:
        return None
    row = session.connection().execute(_PLAN, {"source_id": scene.hazard_source_id}).first()
    return None if row is None else Plan(*row)


def nearby_hazards(
    *, session: Session, lat: float, lon: float, radius_km: float = HAZARD_RADIUS_KM
) -> list[NearbyHazard]:
    """Red and orange hazard sources within `radius_km`, nearest first (DESIGN §7).

    The same answer as `api.incidents.service.nearby_hazards` (a test holds
    them together), from a column select instead of entities.
    """
    box = bounding_box(lat, lon, radius_km)
    bounds = {"min_lat": box.min_lat, "max_lat": box.max_lat, "min_lon": box.min_lon, "max_lon": box.max_lon}
    found = []
    for id_, name, kind, level, h_lat, h_lon in session.connection().execute(_HAZARDS, bounds):
        d = haversine_km(lat, lon, h_lat, h_lon)
        if d <= radius_km:
            found.append(
                NearbyHazard(id=id_, name=name, kind=kind.value, risk_level=level.value, distance_km=round(d, 3))
            )
    return sorted(found, key=lambda h: h.distance_km)


def neighbours(*, session: Session) -> frozenset[str]:
    """Codes of the neighbouring jurisdictions whose teams come as mutual aid."""
    return frozenset(session.connection().execute(_NEIGHBOURS).scalars())
