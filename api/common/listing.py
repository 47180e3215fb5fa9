"""List queries shared by every resource: id-ordered pages, or radius searches ordered by distance."""

import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import Select, and_, func, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.common.geo import EARTH_RADIUS_KM, bounding_box, haversine_km
from api.common.pagination import CursorQuery, LimitQuery, cursor_id, cursor_number, decode_cursor, encode_cursor
from api.errors import InvalidInput

MAX_RADIUS_KM = 500.0


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    radius_km: float


# What the parser below accepts, as the document states it: two decimals in range, e.g. `20.91,110.09`.
_LAT = r"-?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)"
_LON = r"-?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)"
NEAR_PATTERN = f"^{_LAT},{_LON}$"


def _near_error(message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": "query.near", "message": message}])


def near_query(
    near: Annotated[
        str | None,
        Query(
            description="LAT,LON: only items within radius_km, nearest first",
            json_schema_extra={"pattern": NEAR_PATTERN},
        ),
    ] = None,
    radius_km: Annotated[float, Query(gt=0, le=MAX_RADIUS_KM)] = 10.0,
) -> Near | None:
    if near is None:
        return None
    parts = near.split(",")
    if len(parts) != 2:
        raise _near_error("near must be 'LAT,LON', e.g. near=20.91,110.09")
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise _near_error("near must be two decimal numbers 'LAT,LON'") from None
    if not -90 <= lat <= 90:
        raise _near_error(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise _near_error(f"longitude {lon} is outside -180..180")
    return Near(lat, lon, radius_km)


NearDep = Annotated[Near | None, Depends(near_query)]


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


def page_params(limit: LimitQuery = 50, cursor: CursorQuery = None) -> PageParams:
    return PageParams(limit, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]


def fetch_page(
    session: Session,
    stmt: Select[Any],
    *,
    id_col: InstrumentedAttribute[int],
    page: PageParams,
    near: Near | None = None,
    lat_col: InstrumentedAttribute[float] | None = None,
    lon_col: InstrumentedAttribute[float] | None = None,
) -> tuple[list[tuple[Any, float | None]], str | None]:
    """One page of `stmt`'s rows with their distance (None without `near`) and the next cursor."""
    if near is None:
        after = decode_cursor(page.cursor, length=1)
        if after is not None:
            stmt = stmt.where(id_col > cursor_id(after[0]))
        rows = list(session.scalars(stmt.order_by(id_col).limit(page.limit + 1)))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        next_cursor = encode_cursor([getattr(rows[-1], id_col.key)]) if more and rows else None
        return [(r, None) for r in rows], next_cursor

    assert lat_col is not None
    assert lon_col is not None
    # The database orders by the haversine term a = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2), which grows with the
    # distance 2R·asin(√a), and keeps a page: a radius search never loads the whole box into Python. The
    # cursor is (a, id) as the database computed them, so the next page continues exactly where this one ended.
    half_dlat = func.sin((func.radians(lat_col) - math.radians(near.lat)) / 2)
    half_dlon = func.sin(func.radians(lon_col - near.lon) / 2)
    a = half_dlat * half_dlat + math.cos(math.radians(near.lat)) * func.cos(func.radians(lat_col)) * (
        half_dlon * half_dlon
    )
    a_max = math.sin(min(near.radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)) ** 2
    box = bounding_box(near.lat, near.lon, near.radius_km)
    stmt = stmt.where(lat_col.between(box.min_lat, box.max_lat), lon_col.between(box.min_lon, box.max_lon), a <= a_max)
    after = decode_cursor(page.cursor, length=2)
    if after is not None:
        a0, id0 = cursor_number(after[0]), cursor_id(after[1])
        stmt = stmt.where(or_(a > a0, and_(a == a0, id_col > id0)))
    found = session.execute(stmt.add_columns(a.label("haversine_a")).order_by(a, id_col).limit(page.limit + 1)).all()
    more = len(found) > page.limit
    found = found[: page.limit]
    next_cursor = encode_cursor([float(found[-1][1]), getattr(found[-1][0], id_col.key)]) if more and found else None
    # Shown distances come from the one Python formula; they can differ from the database's order only for
    # rows whose distances agree to ~1e-15 km, which show as equal at three decimals.
    return [
        (row, round(haversine_km(near.lat, near.lon, getattr(row, lat_col.key), getattr(row, lon_col.key)), 3))
        for row, _ in found
    ], next_cursor
