"""The service area: where a place on record may be.

The jurisdictions' centres span the city and its neighbours; the area is their bounding box widened by
ERCP_SERVICE_AREA_MARGIN_KM. An incident, depot, team base or hazard source outside it is a typing slip (lat 0,
lon 0: "Null Island"), which would otherwise be filed under the nearest town thousands of kilometres away.

The extent is read once per EXTENT_TTL_S per database and process (incident intake is the hot path and its
statements are counted); a jurisdiction written through this process is seen at once (`forget`), one written
through another process within EXTENT_TTL_S.
"""

import math
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.common.geo import EARTH_RADIUS_KM
from api.errors import InvalidInput
from api.settings import get_settings
from resources_db.models import Jurisdiction

_EXTENT = select(
    func.min(Jurisdiction.center_lat),
    func.max(Jurisdiction.center_lat),
    func.min(Jurisdiction.center_lon),
    func.max(Jurisdiction.center_lon),
)

EXTENT_TTL_S = 30.0
_extents: dict[str, tuple[float, tuple[float, float, float, float]]] = {}


def forget() -> None:
    """Read the extent again on next use (after a jurisdiction is created or moved)."""
    _extents.clear()


def _extent(session: Session) -> tuple[float, float, float, float] | None:
    key = str(session.get_bind().engine.url)
    cached = _extents.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < EXTENT_TTL_S:
        return cached[1]
    min_lat, max_lat, min_lon, max_lon = session.execute(_EXTENT).one()
    if min_lat is None:
        return None  # not cached: the first jurisdiction may arrive any moment
    extent = (float(min_lat), float(max_lat), float(min_lon), float(max_lon))
    _extents[key] = (now, extent)
    return extent


@dataclass(frozen=True, slots=True)
class ServiceArea:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon

    def describe(self) -> str:
        return (
            f"the service area (latitude {self.min_lat:.3f}..{self.max_lat:.3f}, "
            f"longitude {self.min_lon:.3f}..{self.max_lon:.3f}: the jurisdictions plus "
            f"{get_settings().service_area_margin_km:g} km)"
        )


def service_area(session: Session) -> ServiceArea | None:
    """None while no jurisdiction is on record (nothing to measure against yet)."""
    extent = _extent(session)
    if extent is None:
        return None
    min_lat, max_lat, min_lon, max_lon = extent
    margin_km = get_settings().service_area_margin_km
    dlat = math.degrees(margin_km / EARTH_RADIUS_KM)
    lo, hi = max(-90.0, min_lat - dlat), min(90.0, max_lat + dlat)
    # Widest in longitude at the latitude nearest the equator, so the margin is at least margin_km everywhere.
    cos_lat = max(math.cos(math.radians(min(abs(lo), abs(hi)) if lo * hi > 0 else 0.0)), 1e-6)
    dlon = math.degrees(margin_km / (EARTH_RADIUS_KM * cos_lat))
    return ServiceArea(lo, hi, min_lon - dlon, max_lon + dlon)


def require_inside(session: Session, lat: float, lon: float, *, lat_field: str = "lat", lon_field: str = "lon") -> None:
    """A 422 naming the area (on both coordinate fields) when (lat, lon) lies outside it."""
    area = service_area(session)
    if area is None or area.contains(lat, lon):
        return
    message = f"({lat}, {lon}) is outside {area.describe()}"
    raise InvalidInput(
        message,
        [{"field": f"body.{lat_field}", "message": message}, {"field": f"body.{lon_field}", "message": message}],
    )
