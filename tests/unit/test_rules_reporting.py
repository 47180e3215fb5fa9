"""Escalation deadlines (arts. 9, 11, 13, 29): exact datetimes, re-grades, windows, lateness."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.rules.reporting import (
    Step,
    chain_for,
    extend_chain,
    investigation_due,
    is_late,
    is_overdue,
    supplementary_needed,
    supplementary_step,
)
from resources_db.enums import EscalationKind, EscalationLevel, IncidentType, Severity

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 7, 1, 9, 30, tzinfo=CST)
C, CI, P, N = EscalationLevel.county, EscalationLevel.city, EscalationLevel.province, EscalationLevel.national
REPORT = EscalationKind.report


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_ordinary_goes_to_the_city():
    assert chain_for(Severity.ordinary, T0) == [Step(C, REPORT, at(1)), Step(CI, REPORT, at(3))]


def test_major_goes_to_the_province():
    assert chain_for(Severity.major, T0) == [Step(C, REPORT, at(1)), Step(CI, REPORT, at(3)), Step(P, REPORT, at(5))]


@pytest.mark.parametrize("severity", [Severity.serious, Severity.especially_serious])
def test_serious_and_especially_serious_go_to_the_nation(severity):
    assert chain_for(severity, T0) == [
        Step(C, REPORT, datetime(2025, 7, 1, 10, 30, tzinfo=CST)),
        Step(CI, REPORT, datetime(2025, 7, 1, 12, 30, tzinfo=CST)),
        Step(P, REPORT, datetime(2025, 7, 1, 14, 30, tzinfo=CST)),
        Step(N, REPORT, datetime(2025, 7, 1, 16, 30, tzinfo=CST)),
    ]


def test_regrade_ordinary_to_serious_adds_province_then_nation():
    now = at(6)
    assert extend_chain({C, CI}, Severity.ordinary, Severity.serious, now=now) == [
        Step(P, REPORT, at(8)),
        Step(N, REPORT, at(10)),
    ]


def test_regrade_major_to_especially_serious_adds_only_the_nation():
    assert extend_chain({C, CI, P}, Severity.major, Severity.especially_serious, now=at(2)) == [Step(N, REPORT, at(4))]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Severity.serious, Severity.ordinary),
        (Severity.major, Severity.major),
        (Severity.serious, Severity.especially_serious),
    ],
)
def test_downgrade_equal_grade_or_same_chain_adds_nothing(old, new):
    assert extend_chain({C, CI, P, N}, old, new, now=at(2)) == []


def test_downgrade_adds_nothing_even_with_missing_levels():
    assert extend_chain({C}, Severity.serious, Severity.major, now=at(2)) == []


@pytest.mark.parametrize(
    ("incident_type", "days"),
    [(IncidentType.fire, 7), (IncidentType.road_traffic, 7), (IncidentType.hazchem_leak, 30), (IncidentType.other, 30)],
)
def test_supplementary_window_boundaries(incident_type, days):
    edge = T0 + timedelta(days=days)
    assert supplementary_needed(incident_type, T0, T0)
    assert supplementary_needed(incident_type, T0, edge)
    assert not supplementary_needed(incident_type, T0, edge + timedelta(seconds=1))


def test_fire_change_on_day_ten_needs_nothing_but_a_mine_change_does():
    assert not supplementary_needed(IncidentType.fire, T0, T0 + timedelta(days=10))
    assert supplementary_needed(IncidentType.mine, T0, T0 + timedelta(days=10))


def test_supplementary_step_is_county_due_in_an_hour():
    now = at(30)
    assert supplementary_step(now) == Step(C, EscalationKind.supplementary, now + timedelta(hours=1))


def test_investigation_due_sixty_days_after_the_accident():
    assert investigation_due(T0) == datetime(2025, 8, 30, 9, 30, tzinfo=CST)


def test_late_only_strictly_after_the_deadline():
    due = at(1)
    assert not is_late(due, due - timedelta(seconds=1))
    assert not is_late(due, due)
    assert is_late(due, due + timedelta(microseconds=1))


def test_deadlines_compare_across_time_zones():
    due = at(1)  # 10:30 +08:00 is 02:30 UTC
    assert not is_late(due, datetime(2025, 7, 1, 2, 30, tzinfo=UTC))
    assert is_late(due, datetime(2025, 7, 1, 2, 31, tzinfo=UTC))


def test_overdue_open_step_uses_now():
    due = at(1)
    assert not is_overdue(due, reported_at=None, now=due)
    assert is_overdue(due, reported_at=None, now=at(2))
    assert not is_overdue(due, reported_at=at(0.5), now=at(9))


NAIVE = datetime(2025, 7, 1, 9, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda: chain_for(Severity.ordinary, NAIVE),
        lambda: extend_chain(set(), Severity.ordinary, Severity.major, now=NAIVE),
        lambda: supplementary_needed(IncidentType.fire, NAIVE, T0),
        lambda: supplementary_needed(IncidentType.fire, T0, NAIVE),
        lambda: supplementary_step(NAIVE),
        lambda: investigation_due(NAIVE),
        lambda: is_late(NAIVE, T0),
        lambda: is_late(T0, NAIVE),
    ],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()
