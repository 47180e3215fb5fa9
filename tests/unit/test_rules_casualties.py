"""Major near-miss thresholds and the missing-persons rule (30 days, 7 for road traffic and fire) at their edges."""

from datetime import UTC, datetime, timedelta

import pytest

from api.rules.casualties import grading_deaths, is_near_miss
from resources_db.enums import IncidentType

T0 = datetime(2015, 10, 4, 6, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("figures", "near_miss"),
    [
        ({}, False),
        ({"trapped": 3}, True),
        ({"trapped": 2}, False),
        ({"missing": 3}, True),
        ({"trapped": 2, "missing": 1}, True),
        ({"at_risk": 10}, True),
        ({"at_risk": 9}, False),
        ({"evacuated": 500}, True),
        ({"evacuated": 499}, False),
        ({"trapped": 2, "at_risk": 9, "evacuated": 499}, False),
    ],
)
def test_near_miss_thresholds(figures: dict[str, int], near_miss: bool) -> None:
    counts = {"trapped": 0, "missing": 0, "at_risk": 0, "evacuated": 0, **figures}
    assert is_near_miss(**counts) is near_miss


@pytest.mark.parametrize(
    ("incident_type", "days"),
    [(IncidentType.water_rescue, 30), (IncidentType.mine, 30), (IncidentType.fire, 7), (IncidentType.road_traffic, 7)],
)
def test_missing_count_as_dead_only_after_the_window(incident_type: IncidentType, days: int) -> None:
    def deaths(now: datetime, *, enabled: bool = True) -> int:
        return grading_deaths(
            deaths=1, missing=16, incident_type=incident_type, occurred_at=T0, now=now, enabled=enabled
        )

    edge = T0 + timedelta(days=days)
    assert deaths(T0) == 1
    assert deaths(edge) == 1  # "after" 30 days: still within on the last instant
    assert deaths(edge + timedelta(seconds=1)) == 17
    assert deaths(edge + timedelta(days=1), enabled=False) == 1


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        grading_deaths(
            deaths=0,
            missing=1,
            incident_type=IncidentType.fire,
            occurred_at=T0,
            now=datetime(2015, 10, 20),
            enabled=True,
        )
