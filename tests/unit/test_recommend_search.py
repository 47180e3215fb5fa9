"""The bound behind api.recommendations.nearest's growing search box, on plain floats."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from api.common.geo import bounding_box, haversine_from, haversine_km
from api.recommendations.nearest import MIN_GROWTH, first_radius_km, next_radius_km, stand_in_below
from api.rules.recommend import EtaParams
from resources_db.enums import TeamKind


def sql_stand_in(lat: float, lon: float, team_lat: float, team_lon: float, speed: float) -> float:
    """The stand-in as the database evaluates the SQL, operation by operation.

    SQLAlchemy renders dlon * dlon, with dlon = (base_lon - lon) * cos_lat, as
    `(base_lon - lon) * cos_lat * (base_lon - lon) * cos_lat`: left to right.
    """
    cos_lat = math.cos(math.radians(lat))
    dlat = team_lat - lat
    d = team_lon - lon
    return (dlat * dlat + d * cos_lat * d * cos_lat) / (speed * speed)


speeds = st.floats(min_value=5.0, max_value=120.0)


@settings(max_examples=400, deadline=None)
@given(
    lat=st.floats(min_value=-60.0, max_value=60.0),
    lon=st.floats(min_value=-170.0, max_value=170.0),
    radius=st.floats(min_value=0.01, max_value=300.0),
    side=st.sampled_from(["south", "north", "west", "east"]),
    beyond=st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=2.0)),
    along=st.floats(min_value=-1.0, max_value=1.0),
    kind_speeds=st.lists(speeds, min_size=len(TeamKind), max_size=len(TeamKind)),
    default_speed=speeds,
    pick=st.integers(min_value=0, max_value=len(TeamKind)),
)
def test_no_team_outside_the_box_gets_below_the_bound(
    lat: float,
    lon: float,
    radius: float,
    side: str,
    beyond: float,
    along: float,
    kind_speeds: list[float],
    default_speed: float,
    pick: int,
) -> None:
    params = EtaParams(speed_kmh_by_kind=dict(zip(TeamKind, kind_speeds, strict=True)), default_speed_kmh=default_speed)
    box = bounding_box(lat, lon, radius)
    # Just past an edge (the next float beyond it when `beyond` is 0), anywhere along it.
    if side in ("south", "north"):
        edge = box.min_lat if side == "south" else box.max_lat
        away = -math.inf if side == "south" else math.inf
        t_lat, t_lon = math.nextafter(edge, away) + math.copysign(beyond, away), lon + along * (box.max_lon - lon)
    else:
        edge = box.min_lon if side == "west" else box.max_lon
        away = -math.inf if side == "west" else math.inf
        t_lat, t_lon = lat + along * (box.max_lat - lat), math.nextafter(edge, away) + math.copysign(beyond, away)
    speed = [*kind_speeds, default_speed][pick]
    assert sql_stand_in(lat, lon, t_lat, t_lon, speed) >= stand_in_below(lat, lon, box, params)


def test_the_bound_is_tight_enough_to_settle_a_group_inside_the_box() -> None:
    """A fastest-kind team halfway to the edge is well below the bound: the box can settle groups."""
    params = EtaParams()
    lat, lon = 20.9, 110.1
    box = bounding_box(lat, lon, 10.0)
    fastest = max(params.speed_kmh_by_kind.values())
    halfway = sql_stand_in(lat, lon, (lat + box.max_lat) / 2, lon, fastest)
    assert halfway < stand_in_below(lat, lon, box, params) / 3


def test_the_box_grows_by_the_teams_it_lacks_and_at_least_a_quarter() -> None:
    assert first_radius_km(50, 80.0) == 16.0
    assert first_radius_km(410, 80.0) > 40.0  # limit=200: a bigger first box
    assert first_radius_km(50, 3.0) == 3.0  # a small radius is searched at once
    assert next_radius_km(10.0, [49], 50) == 10.0 * MIN_GROWTH
    assert next_radius_km(10.0, [49, 5], 50) > 10.0 * math.sqrt(50 / 5)
    assert next_radius_km(10.0, [0], 50) > 10.0 * math.sqrt(50)


coordinates = st.tuples(st.floats(min_value=-90.0, max_value=90.0), st.floats(min_value=-180.0, max_value=180.0))


@settings(max_examples=300, deadline=None)
@given(origin=coordinates, points=st.lists(coordinates, min_size=1, max_size=5))
def test_distances_from_a_fixed_point_are_bit_for_bit_haversine(
    origin: tuple[float, float], points: list[tuple[float, float]]
) -> None:
    """Ranking and shortlist must see the very same ETAs, ties included."""
    distance = haversine_from(*origin)
    assert [distance(*p) for p in points] == [haversine_km(*origin, *p) for p in points]
