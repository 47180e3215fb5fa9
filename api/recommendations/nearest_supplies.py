"""The database's cut of the supply library: per needed category, the few nearest items that can be sent.

`rank_supplies` lists at most `per_category` items of each category, nearest
first. Loading every item of a category to find those few grows with the
depot library (a chemical-leak plan asking for absorbent, breathing apparatus
and pumps reads every depot of the county three times), so the database
orders each category by great-circle distance and hands over the first few.

It orders by the haversine term `a = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)`,
which grows with the distance (the distance is `2R·asin(√a)`), so no `asin`
or `sqrt` is needed, and ties are broken as `rank_supplies` breaks them
(more available first, then item id). The database's trigonometry may differ
from Python's in the last bits, which can only swap two items whose
distances agree to about 1e-15; `SLACK` more rows per category absorb that,
and `rank_supplies` makes the final order.
"""

import math
from datetime import date

from sqlalchemy import Float, bindparam, func, or_, select
from sqlalchemy.orm import Session

from api.rules.recommend import SupplyCandidate
from resources_db.models import Depot, SupplyItem

SLACK = 2  # rows per category beyond what is listed (see the module docstring)

_AVAILABLE = SupplyItem.quantity_on_hand - SupplyItem.quantity_reserved - SupplyItem.min_reserve
_HALF_DLAT = func.sin((func.radians(Depot.lat) - bindparam("lat_rad", type_=Float)) / 2)
_HALF_DLON = func.sin(func.radians(Depot.lon - bindparam("lon", type_=Float)) / 2)
_HAVERSINE_A = _HALF_DLAT * _HALF_DLAT + bindparam("cos_lat", type_=Float) * func.cos(func.radians(Depot.lat)) * (
    _HALF_DLON * _HALF_DLON
)
# The SupplyCandidate fields, in order.
CANDIDATE_COLUMNS = (
    SupplyItem.id,
    SupplyItem.depot_id,
    Depot.name.label("depot_name"),
    SupplyItem.category,
    SupplyItem.name,
    SupplyItem.unit,
    SupplyItem.quantity_on_hand,
    SupplyItem.quantity_reserved,
    SupplyItem.min_reserve,
    Depot.lat,
    Depot.lon,
    SupplyItem.expires_on,
)
_PLACE = func.row_number().over(
    partition_by=SupplyItem.category, order_by=(_HAVERSINE_A, _AVAILABLE.desc(), SupplyItem.id)
)
_RANKED = (
    select(*CANDIDATE_COLUMNS, _PLACE.label("place"))
    .join(Depot, Depot.id == SupplyItem.depot_id)
    .where(
        SupplyItem.category.in_(bindparam("categories", expanding=True)),
        _AVAILABLE > 0,
        # Expired items are never suggested, so they must not take a place in the cut either.
        or_(SupplyItem.expires_on.is_(None), SupplyItem.expires_on >= bindparam("today")),
    )
    .subquery()
)
# Built once: constructing a statement costs more Python than executing a cached one.
_CUT = select(*(c for c in _RANKED.c if c.name != "place")).where(_RANKED.c.place <= bindparam("keep"))


def nearest_supplies(
    *, session: Session, lat: float, lon: float, categories: frozenset[str], per_category: int, today: date
) -> list[SupplyCandidate]:
    """The `per_category` + SLACK nearest items of each category that can be sent, in no particular order.

    Items that can be sent have stock above the minimum reserve and are unexpired
    on `today`; a category with fewer gives them all. `rank_supplies` orders them.
    """
    if not categories:
        return []
    values = {
        "lat_rad": math.radians(lat),
        "lon": lon,
        "cos_lat": math.cos(math.radians(lat)),
        "categories": sorted(categories),
        "today": today,
        "keep": per_category + SLACK,
    }
    rows = session.connection().execute(_CUT, values)
    return [SupplyCandidate(*row) for row in rows]
