"""The SQL of the report path (`POST /incidents`), built once at import.

Reporting is the intake desk's hot path. Building a statement and computing
its cache key on every request cost more CPU than running it, so these are
module constants with bound parameters. Expanding `IN (...)` parameters are
avoided too: they are re-rendered on every execution.
"""

import math
from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, case, exists, func, insert, or_, select

from api.common.geo import BoundingBox
from resources_db.enums import JurisdictionKind, RiskLevel
from resources_db.models import HazardSource, Incident, Jurisdiction

INCIDENTS = cast(Table, Incident.__table__)
_JURISDICTIONS = cast(Table, Jurisdiction.__table__)
_HAZARDS = cast(Table, HazardSource.__table__)

# Every column a report sets; `jurisdiction` is given by the client or resolved in SQL.
REPORT_COLUMNS = (
    "title",
    "type",
    "lat",
    "lon",
    "address",
    "hazard_source_id",
    "occurred_at",
    "reported_at",
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
    "investigation_due_at",
    "drill_id",
    "reporter",
    "version",
)

# Red and orange hazard sources in a bounding box (bound as min_lat, max_lat, min_lon, max_lon).
_HAZARD_IN_BOX = (
    or_(_HAZARDS.c.risk_level == RiskLevel.red, _HAZARDS.c.risk_level == RiskLevel.orange),
    _HAZARDS.c.lat.between(bindparam("min_lat", type_=Float()), bindparam("max_lat", type_=Float())),
    _HAZARDS.c.lon.between(bindparam("min_lon", type_=Float()), bindparam("max_lon", type_=Float())),
)
HAZARDS_IN_BOX = select(
    _HAZARDS.c.id, _HAZARDS.c.name, _HAZARDS.c.kind, _HAZARDS.c.risk_level, _HAZARDS.c.lat, _HAZARDS.c.lon
).where(*_HAZARD_IN_BOX)

# The INSERT also answers whether any such source lies in the box around the report: most reports have
# none, and then the answer needs no query of its own.
_REPORTED = (INCIDENTS.c.id, INCIDENTS.c.jurisdiction, exists().where(*_HAZARD_IN_BOX).label("hazards_near"))
INSERT_REPORT = insert(INCIDENTS).returning(*_REPORTED)


def _nearest_jurisdiction_first() -> tuple[Any, ...]:
    """ORDER BY terms: Leizhou towns and streets before anything else, then nearest centre first.

    Neighbouring counties never own an incident while a town or street exists
    (they come last). Nearness is the cosine of the central angle between the
    report and a centre: larger is nearer, the same order as the haversine
    distance, and the database computes it for every centre without the
    rows ever leaving it. The report's own sine/cosine are bound parameters.
    """
    centre_lat = func.radians(_JURISDICTIONS.c.center_lat)
    centre_lon = func.radians(_JURISDICTIONS.c.center_lon)
    sin_lat, cos_lat, lon_rad = (bindparam(name, type_=Float()) for name in ("sin_lat", "cos_lat", "lon_rad"))
    closeness = sin_lat * func.sin(centre_lat) + cos_lat * func.cos(centre_lat) * func.cos(centre_lon - lon_rad)
    owning = or_(_JURISDICTIONS.c.kind == JurisdictionKind.town, _JURISDICTIONS.c.kind == JurisdictionKind.street)
    return case((owning, 0), else_=1), closeness.desc(), _JURISDICTIONS.c.code


# INSERT … SELECT: the incident row takes the code of the first jurisdiction in that order, in the same
# statement; no row is inserted (and none returned) when no jurisdiction exists at all.
INSERT_REPORT_RESOLVED = (
    insert(INCIDENTS)
    .from_select(
        [*REPORT_COLUMNS, "jurisdiction"],
        select(
            *(bindparam(c, type_=INCIDENTS.c[c].type) for c in REPORT_COLUMNS),
            _JURISDICTIONS.c.code,
        )
        .order_by(*_nearest_jurisdiction_first())
        .limit(1),
    )
    .returning(*_REPORTED)
)


# The same rule on its own, for an incident that moves.
RESOLVE_JURISDICTION = select(_JURISDICTIONS.c.code).order_by(*_nearest_jurisdiction_first()).limit(1)


def resolve_params(lat: float, lon: float) -> dict[str, float]:
    """The bound parameters the nearest-centre rule needs (`INSERT_REPORT_RESOLVED`, `RESOLVE_JURISDICTION`)."""
    lat_rad = math.radians(lat)
    return {"sin_lat": math.sin(lat_rad), "cos_lat": math.cos(lat_rad), "lon_rad": math.radians(lon)}


def box_params(box: BoundingBox) -> dict[str, float]:
    return {"min_lat": box.min_lat, "max_lat": box.max_lat, "min_lon": box.min_lon, "max_lon": box.max_lon}
