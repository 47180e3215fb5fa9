"""Repeat calls about one event (a typhoon night: ten callers, one flooded street): which open incidents a
new report may duplicate, and why. Pure; the query that finds the candidates is api.incidents.duplicates.

Two reports may be the same event when their types are compatible, they lie
within a distance of each other and their accident times within a window
(settings, 500 m and 30 min by default; both edges inclusive). Drill and real
incidents never match: the caller only offers candidates of the same drill.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.common.geo import haversine_km
from resources_db.enums import IncidentStatus, IncidentType

T = IncidentType
# Types a caller may reasonably give for the same event; `other` is compatible with every type.
# Data, not branches (DESIGN §6): one group per way an event shows itself to callers.
COMPATIBLE_GROUPS: tuple[frozenset[IncidentType], ...] = (
    frozenset({T.fire, T.fireworks_explosion, T.gas_pipeline, T.hazchem_leak}),
    frozenset({T.hazchem_leak, T.ammonia_leak, T.gas_pipeline}),
    frozenset({T.typhoon_flood, T.water_rescue, T.landslide}),
    frozenset({T.construction_collapse, T.landslide}),
    frozenset({T.road_traffic, T.hazchem_leak, T.fire}),
)


def compatible(a: IncidentType, b: IncidentType) -> bool:
    if a is b or T.other in (a, b):
        return True
    return any(a in group and b in group for group in COMPATIBLE_GROUPS)


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    title: str
    type: IncidentType
    lat: float
    lon: float
    occurred_at: datetime
    status: IncidentStatus | None = None


@dataclass(frozen=True, slots=True)
class Match:
    report: Report
    distance_m: int
    minutes_apart: int
    reason: str


def matches(new: Report, candidates: Iterable[Report], *, radius_m: float, window: timedelta) -> list[Match]:
    """Candidates within the radius and window with a compatible type, nearest first (then closest in time)."""
    found: list[tuple[float, float, Match]] = []
    for c in candidates:
        if c.id == new.id or not compatible(new.type, c.type):
            continue
        metres = haversine_km(new.lat, new.lon, c.lat, c.lon) * 1000
        apart = abs(c.occurred_at - new.occurred_at)
        if metres > radius_m or apart > window:
            continue
        same = "same type" if c.type is new.type else f"compatible type ({c.type.value} ~ {new.type.value})"
        minutes = apart.total_seconds() / 60
        reason = f"{same}, {metres:.0f} m away, accident times {minutes:.0f} min apart"
        match = Match(report=c, distance_m=round(metres), minutes_apart=round(minutes), reason=reason)
        found.append((metres, apart.total_seconds(), match))
    found.sort(key=lambda t: (t[0], t[1], t[2].report.id))
    return [m for _, _, m in found]
