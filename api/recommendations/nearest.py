"""The database's cut of the team library: the `keep` fastest available teams per required capability.

A county-wide radius holds thousands of teams; building and ranking them all
in Python was most of the request. The database orders each (capability,
own / mutual aid) group by a cheap stand-in for the ETA — squared
equirectangular distance ÷ squared speed, which sorts the same as distance ÷
speed — and hands over the first `keep` of each; the exact ranking then runs
on a few hundred rows. A team can only be missed if more than `keep` faster
teams hold each of its capabilities, far beyond what a list of `limit` shows.
Capabilities are bits of the team row (resources_db.capability_bits), so the
query reads each team near the incident once and joins it to a one-column
table of the wanted bits.

Ordering every team of the search box was still most of the request, so own
teams are first searched near the incident, and further out only where that
provably gives the same cut as the whole box:

- A team outside a box centred on the incident is farther than the box's
  half-width (in degrees, longitude scaled) in latitude or in longitude, so
  its stand-in is at least `below = half-width² ÷ fastest speed²`
  (`stand_in_below`). Inside the search box, then, every team with a
  stand-in under `below` lies in the small box, and the query asks for
  exactly those (small box and stand-in filter).
- A group that gets `keep` such teams is final: every team the small box
  left out orders after all of them. Groups short of `keep` are asked again
  with a larger box, at most the search box itself, where the query is the
  plain one without the filter.

Mutual-aid teams are few (they come from the neighbours only), so their
groups are cut from the whole search box at once, in the first query.
"""

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from api.common.geo import BoundingBox, bounding_box
from api.rules.recommend import EtaParams
from resources_db.capability_bits import bit_of
from resources_db.enums import TeamKind, TeamStatus
from resources_db.models import RescueTeam

# Half-width of the first own-team box at keep=50 (limit 20). In a city-sized library
# (10,000 teams) it settles most capabilities of most incidents in one query.
FIRST_RADIUS_KM = 16.0
FIRST_RADIUS_KEEP = 50
# Relative: covers the few units in the last place by which the SQL's rounding may differ from ours.
BELOW_MARGIN = 1e-9
# Growing the box: at least this factor per step, and guesses padded by this one.
MIN_GROWTH = 1.25
GUESS_MARGIN = 1.15

# team id, name, kind, home, lat, lon, personnel, capability mask, bit of the capability cut for, mutual aid
CutRow = tuple[int, str, TeamKind, str, float, float, int, int, int, int]


@dataclass(slots=True)
class NearTeam:
    """An available team in reach, with the required capabilities it holds."""

    name: str
    kind: TeamKind
    home_jurisdiction: str
    lat: float
    lon: float
    personnel: int
    capabilities: set[str] = field(default_factory=set)


def first_radius_km(keep: int, radius_km: float) -> float:
    """Where the search starts: a box expected to hold `keep` teams per capability (area ∝ keep)."""
    return min(radius_km, FIRST_RADIUS_KM * math.sqrt(max(keep, 1) / FIRST_RADIUS_KEEP))


def stand_in_below(lat: float, lon: float, box: BoundingBox, params: EtaParams) -> float:
    """A stand-in no team outside `box` (centred on lat, lon) gets below.

    Each floating-point operation is monotonic, so rounding cannot take an
    outside team below the exact bound by more than a few units in the last
    place (the SQL multiplies the longitude term in another order, as
    `d·cos·d·cos`); the margin, far above that, absorbs it.
    tests/unit/test_recommend_search.py checks the bound against the SQL's order.
    """
    cos_lat = math.cos(math.radians(lat))
    half = min(lat - box.min_lat, box.max_lat - lat, (lon - box.min_lon) * cos_lat, (box.max_lon - lon) * cos_lat)
    fastest = max([*params.speed_kmh_by_kind.values(), params.default_speed_kmh])
    return (half * half) / (fastest * fastest) * (1 - BELOW_MARGIN)


@lru_cache(maxsize=64)
def _cut(kinds: tuple[str, ...], caps: int, *, with_mutual: bool, with_below: bool) -> Select[*CutRow]:
    """The first `keep` per (capability, mutual aid) group, one row per team and capability it was cut for.

    The `caps` capabilities come as bit parameters `bit0…`; one row each, joined
    to the teams whose mask holds the bit, partitions the teams by capability.
    Built once per shape (construction costs about a millisecond); the values are bound at execution.
    """
    dlat = RescueTeam.base_lat - bindparam("lat", type_=Float)
    dlon = (RescueTeam.base_lon - bindparam("lon", type_=Float)) * bindparam("cos_lat", type_=Float)
    # One CASE of squared speeds (squared here: the same IEEE product as squaring in SQL); kind names
    # rendered inline: psycopg caches its parsing of a statement only under 4 KiB and 50 parameters.
    squared = case(
        {literal(kind, literal_execute=True): bindparam(f"v{i}", type_=Float) for i, kind in enumerate(kinds)},
        value=RescueTeam.kind,
        else_=bindparam("v", type_=Float),
    )
    # Squared equirectangular distance ÷ squared speed: sorts as distance ÷ speed does, in plain arithmetic.
    key = (dlat * dlat + dlon * dlon) / squared
    is_mutual = RescueTeam.home_jurisdiction.in_(bindparam("mutual_homes", expanding=True))
    # The same list under a second name: SQLAlchemy renders an empty expanding list once per parameter, in
    # the form of its first use, so with no neighbours a shared one made either IN or NOT IN wrong for all.
    is_own = RescueTeam.home_jurisdiction.not_in(bindparam("own_homes_exclude", expanding=True))
    mutual = case((is_mutual, literal(1, literal_execute=True)), else_=literal(0, literal_execute=True))
    own = [is_own, *_inside("own")]
    if with_below:
        own.append(key < bindparam("below", type_=Float))
    reach = [and_(*own)]
    if with_mutual:
        reach.append(and_(is_mutual, *_inside("all")))
    wanted = union_all(*(select(bindparam(f"bit{i}", type_=BigInteger).label("bit")) for i in range(caps)))
    bit = wanted.subquery("wanted").c.bit
    mask = RescueTeam.capability_mask
    order = func.row_number().over(partition_by=(bit, mutual), order_by=(key, RescueTeam.id))
    ranked = (
        select(
            RescueTeam.id.label("team_id"),
            RescueTeam.name,
            RescueTeam.kind,
            RescueTeam.home_jurisdiction,
            RescueTeam.base_lat,
            RescueTeam.base_lon,
            RescueTeam.personnel,
            mask,
            bit,
            mutual.label("mutual"),
            order.label("place"),
        )
        .join_from(RescueTeam, bit.table, mask.op("&")(bit) != 0)
        .where(
            RescueTeam.status == TeamStatus.available,
            # Redundant with the join, but lets the database drop other teams while it reads the rows.
            mask.op("&")(bindparam("need", type_=BigInteger)) != 0,
            or_(*reach),
        )
        .subquery()
    )
    c = ranked.c
    return (
        select(
            c.team_id,
            c.name,
            c.kind,
            c.home_jurisdiction,
            c.base_lat,
            c.base_lon,
            c.personnel,
            c.capability_mask,
            c.bit,
        )
        .add_columns(c.mutual)
        .where(c.place <= bindparam("keep"))
    )


def _inside(name: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        RescueTeam.base_lat.between(
            bindparam(f"{name}_min_lat", type_=Float), bindparam(f"{name}_max_lat", type_=Float)
        ),
        RescueTeam.base_lon.between(
            bindparam(f"{name}_min_lon", type_=Float), bindparam(f"{name}_max_lon", type_=Float)
        ),
    )


def _box_values(name: str, box: BoundingBox) -> dict[str, float]:
    return {
        f"{name}_min_lat": box.min_lat,
        f"{name}_max_lat": box.max_lat,
        f"{name}_min_lon": box.min_lon,
        f"{name}_max_lon": box.max_lon,
    }


@contextmanager
def _planned_each_time(session: Session) -> Iterator[Connection]:
    """The session's connection, with psycopg's automatic server-side prepare off for the block.

    A prepared statement soon runs on PostgreSQL's generic plan, which cannot
    see how many teams the box holds; at 10,000 teams it cost the database
    1.7× the CPU of a plan made for the actual box, planning included.
    """
    conn = session.connection()
    raw = conn.connection.driver_connection
    if raw is None or not hasattr(raw, "prepare_threshold"):
        yield conn
        return
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield conn
    finally:
        raw.prepare_threshold = threshold


def nearest_teams(
    *,
    session: Session,
    lat: float,
    lon: float,
    radius_km: float,
    required: Iterable[str],
    params: EtaParams,
    mutual_homes: Iterable[str],
    keep: int,
) -> dict[int, NearTeam]:
    """Team id → team for the `keep` fastest of each required capability, own and mutual-aid teams apart.

    Exactly the teams one query over the whole `radius_km` box gives (module
    docstring); some may lie in the box's corners, beyond the radius.
    """
    need, homes = sorted(set(required)), sorted(set(mutual_homes))
    bits = {code: bit_of(code) for code in need}
    speeds = {kind.value: speed for kind, speed in params.speed_kmh_by_kind.items()}
    whole = bounding_box(lat, lon, radius_km)
    values: dict[str, Any] = {
        "lat": lat,
        "lon": lon,
        "cos_lat": math.cos(math.radians(lat)),
        "v": params.default_speed_kmh * params.default_speed_kmh,
        "mutual_homes": homes,
        "own_homes_exclude": homes,
        "keep": keep,
        **{f"v{i}": speed * speed for i, speed in enumerate(speeds.values())},
        **_box_values("all", whole),
    }
    out: dict[int, NearTeam] = {}
    pending, with_mutual = need, True
    radius = first_radius_km(keep, radius_km)
    while pending:
        final_pass = radius >= radius_km
        box = whole if final_pass else bounding_box(lat, lon, radius)
        below = stand_in_below(lat, lon, box, params)
        stmt = _cut(tuple(speeds), len(pending), with_mutual=with_mutual, with_below=not final_pass)
        bound = {
            **values,
            **_box_values("own", box),
            **{f"bit{i}": bits[code] for i, code in enumerate(pending)},
            "need": sum(bits[code] for code in pending),
            "below": below,
        }
        with _planned_each_time(session) as conn:
            # Core execution: plain column rows need none of the ORM's per-row loading machinery.
            rows = conn.execute(stmt, bound).all()
        found = _own_found(rows)
        final = {bits[c] for c in pending if final_pass or found.get(bits[c], 0) >= keep}
        for team_id, name, kind, home, t_lat, t_lon, personnel, mask, bit, mutual in rows:
            if (mutual or bit in final) and team_id not in out:
                held = {code for code, b in bits.items() if mask & b}
                out[team_id] = NearTeam(name, kind, home, t_lat, t_lon, personnel, held)
        pending, with_mutual = [c for c in pending if bits[c] not in final], False
        if pending:
            radius = min(radius_km, next_radius_km(radius, [found.get(bits[c], 0) for c in pending], keep))
    return out


def _own_found(rows: Iterable[Row[*CutRow]]) -> Counter[int]:
    """capability bit → how many own teams the query cut for it (one row per team and bit)."""
    return Counter(bit for *_, bit, mutual in rows if not mutual)


def next_radius_km(radius_km: float, found: Iterable[int], keep: int) -> float:
    """A guess at the box that settles every open group, from the teams found so far (area ∝ count).

    Only speed depends on the guess: `nearest_teams` checks each answer.
    """
    return max([radius_km * MIN_GROWTH, *(radius_km * math.sqrt(keep / max(n, 1)) * GUESS_MARGIN for n in found)])
