"""Great-circle distances and the bounding box that lets SQL pre-filter a radius search."""

import math
from collections.abc import Callable
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return haversine_from(lat1, lon1)(lat2, lon2)


def haversine_from(lat1: float, lon1: float) -> Callable[[float, float], float]:
    """Great-circle km from a fixed point, to many (`haversine_km` is the one-off use of it).

    Hoists the fixed point's radians and cosine out of a loop over hundreds of teams.
    """
    p1, cos_p1 = math.radians(lat1), math.cos(math.radians(lat1))
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM

    def to(lat2: float, lon2: float) -> float:
        p2 = radians(lat2)
        dp, dl = p2 - p1, radians(lon2 - lon1)
        a = sin(dp / 2) ** 2 + cos_p1 * cos(p2) * sin(dl / 2) ** 2
        return diameter * asin(min(1.0, sqrt(a)))

    return to


@dataclass(frozen=True, slots=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """A box that contains every point within `radius_km` (a superset; exact distance filters after)."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return BoundingBox(max(-90.0, lat - dlat), min(90.0, lat + dlat), lon - dlon, lon + dlon)
