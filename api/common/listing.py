"""List queries shared by every resource: id-ordered pages, or radius searches ordered by distance."""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.common.geo import bounding_box, haversine_km
from api.common.pagination import CursorQuery, LimitQuery, decode_cursor, encode_cursor
from api.errors import InvalidInput

MAX_RADIUS_KM = 500.0


@dataclass(frozen=True, slots=True)
class Near:
    lat: float
    lon: float
    radius_km: float


def _near_error(message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": "query.near", "message": message}])


def near_query(
    near: Annotated[str | None, Query(description="LAT,LON: only items within radius_km, nearest first")] = None,
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
            stmt = stmt.where(id_col > int(after[0]))
        rows = list(session.scalars(stmt.order_by(id_col).limit(page.limit + 1)))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        next_cursor = encode_cursor([getattr(rows[-1], id_col.key)]) if more and rows else None
        return [(r, None) for r in rows], next_cursor

    assert lat_col is not None
    assert lon_col is not None
    box = bounding_box(near.lat, near.lon, near.radius_km)
    stmt = stmt.where(lat_col.between(box.min_lat, box.max_lat), lon_col.between(box.min_lon, box.max_lon))
    scored: list[tuple[float, int, Any]] = []
    for row in session.scalars(stmt):
        d = haversine_km(near.lat, near.lon, getattr(row, lat_col.key), getattr(row, lon_col.key))
        if d <= near.radius_km:
            scored.append((round(d, 3), getattr(row, id_col.key), row))
    scored.sort(key=lambda t: (t[0], t[1]))
    after = decode_cursor(page.cursor, length=2)
    if after is not None:
        key = (float(after[0]), int(after[1]))
        scored = [t for t in scored if (t[0], t[1]) > key]
    more = len(scored) > page.limit
    scored = scored[: page.limit]
    next_cursor = encode_cursor([scored[-1][0], scored[-1][1]]) if more and scored else None
    return [(row, d) for d, _, row in scored], next_cursor
