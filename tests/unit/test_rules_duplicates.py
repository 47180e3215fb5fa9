"""Which open incidents a new report may repeat: type compatibility, distance and time window edges, order."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from api.common.geo import EARTH_RADIUS_KM
from api.rules.duplicates import Match, Report, compatible, matches
from resources_db.enums import IncidentType as T

T0 = datetime(2024, 9, 6, 14, 20, tzinfo=UTC)
LAT, LON = 20.9, 110.1
WINDOW = timedelta(minutes=30)
METRES_PER_DEG_LAT = EARTH_RADIUS_KM * 1000 * math.pi / 180


def report(id_: int, *, north_m: float = 0.0, minutes: float = 0.0, type_: T = T.typhoon_flood) -> Report:
    return Report(
        id=id_,
        title=f"call {id_}",
        type=type_,
        lat=LAT + north_m / METRES_PER_DEG_LAT,
        lon=LON,
        occurred_at=T0 + timedelta(minutes=minutes),
    )


NEW = report(100)


def ids(found: list[Match]) -> list[int]:
    return [m.report.id for m in found]


@pytest.mark.parametrize(
    ("north_m", "listed"), [(0, True), (499, True), (499.99, True), (500.01, False), (-501, False)]
)
def test_distance_edge(north_m: float, listed: bool) -> None:
    assert ids(matches(NEW, [report(1, north_m=north_m)], radius_m=500, window=WINDOW)) == ([1] if listed else [])


@pytest.mark.parametrize(("minutes", "listed"), [(-30, True), (30, True), (30.02, False), (-30.02, False)])
def test_time_edge(minutes: float, listed: bool) -> None:
    assert ids(matches(NEW, [report(1, minutes=minutes)], radius_m=500, window=WINDOW)) == ([1] if listed else [])


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        (T.typhoon_flood, T.typhoon_flood, True),
        (T.typhoon_flood, T.water_rescue, True),
        (T.fire, T.fireworks_explosion, True),
        (T.hazchem_leak, T.ammonia_leak, True),
        (T.other, T.mine, True),
        (T.fire, T.water_rescue, False),
        (T.mine, T.crowd_crush, False),
        (T.special_equipment, T.typhoon_flood, False),
    ],
)
def test_type_compatibility_is_symmetric(a: T, b: T, ok: bool) -> None:
    assert compatible(a, b) is ok
    assert compatible(b, a) is ok


def test_nearest_first_with_the_reason() -> None:
    found = matches(
        NEW,
        [
            report(1, north_m=300, minutes=1),
            report(2, north_m=50, minutes=20, type_=T.water_rescue),
            report(3, north_m=120),
            report(4, north_m=10, type_=T.fire),
            NEW,
        ],
        radius_m=500,
        window=WINDOW,
    )
    assert ids(found) == [2, 3, 1]
    assert [m.distance_m for m in found] == [50, 120, 300]
    assert found[0].reason == "compatible type (water_rescue ~ typhoon_flood), 50 m away, accident times 20 min apart"
    assert found[1].reason == "same type, 120 m away, accident times 0 min apart"
