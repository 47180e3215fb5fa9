"""Escalation deadlines (arts. 9, 11, 13, 29): exact datetimes, re-grades, windows, lateness."""

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.rules.reporting import (
    Link,
    Step,
    chain_for,
    extend_chain,
    final_step,
    follow_up_interval,
    follow_up_step,
    investigation_due,
    is_late,
    is_overdue,
    levels_for,
    next_follow_up_due,
    rechain,
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


def fresh(severity: Severity) -> list[Link]:
    return [Link(st.level, st.due_at, None) for st in chain_for(severity, T0)]


def test_an_early_report_pulls_the_next_deadline_in_and_a_late_one_pushes_it_out():
    # Art. 11: 2 h "of receiving the report", so each open step chains from the actual report below it.
    links = fresh(Severity.major)
    assert rechain(links, T0) == [at(1), at(3), at(5)]
    early = [Link(C, at(1), at(0.25)), links[1], links[2]]
    assert rechain(early, T0) == [at(1), at(2.25), at(4.25)]
    late = [Link(C, at(1), at(4)), links[1], links[2]]
    assert rechain(late, T0) == [at(1), at(6), at(8)]
    both = [Link(C, at(1), at(4)), Link(CI, at(6), at(5)), links[2]]
    assert rechain(both, T0) == [at(1), at(6), at(7)]


@pytest.mark.parametrize("severity", list(Severity))
def test_each_step_is_due_after_the_one_below_whatever_the_reports(severity):
    links = fresh(severity)
    for reported_hours in (0.1, 0.9, 1.0, 7.5):
        county_reported = [Link(C, at(1), at(reported_hours)), *links[1:]]
        due = rechain(county_reported, T0)
        assert all(b - a == timedelta(hours=2) for a, b in itertools.pairwise(due[1:]))
        assert due[1] == at(reported_hours) + timedelta(hours=2)


def test_regrade_soon_after_the_accident_puts_the_province_after_the_city():
    # Re-graded ordinary → major 10 min after the accident: the city is due at +3 h, so the province
    # (which hears from the city) at +5 h, not 2 h after the re-grade (+2 h 10, before the city).
    added = extend_chain(fresh(Severity.ordinary), levels_for(Severity.major), occurred_at=T0, now=at(1 / 6))
    assert added == [Step(P, REPORT, at(5), owed_from=at(1 / 6))]


def test_regrade_after_the_city_reported_counts_from_the_regrade():
    links = [Link(C, at(1), at(0.5)), Link(CI, at(2.5), at(2))]
    added = extend_chain(links, levels_for(Severity.serious), occurred_at=T0, now=at(6))
    assert added == [Step(P, REPORT, at(8), owed_from=at(6)), Step(N, REPORT, at(10), owed_from=at(6))]


def test_regrade_while_the_city_is_open_chains_from_the_city():
    links = [Link(C, at(1), at(2)), Link(CI, at(4), None)]
    added = extend_chain(links, levels_for(Severity.serious), occurred_at=T0, now=at(2.5))
    assert added == [Step(P, REPORT, at(6), owed_from=at(2.5)), Step(N, REPORT, at(8), owed_from=at(2.5))]
    # Once the city reports, the added steps follow it, but never come due sooner than 2 h after the re-grade.
    stored = [*links[:1], Link(CI, at(4), at(2.6)), Link(P, at(6), None, at(2.5)), Link(N, at(8), None, at(2.5))]
    assert rechain(stored, T0) == [at(1), at(4), at(4.6), at(6.6)]


def test_regrade_major_to_especially_serious_adds_only_the_nation():
    added = extend_chain(fresh(Severity.major), levels_for(Severity.especially_serious), occurred_at=T0, now=at(2))
    assert added == [Step(N, REPORT, at(7), owed_from=at(2))]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (Severity.serious, Severity.ordinary),
        (Severity.major, Severity.major),
        (Severity.serious, Severity.especially_serious),
    ],
)
def test_downgrade_equal_grade_or_same_chain_adds_nothing(old, new):
    assert extend_chain(fresh(old), levels_for(new), occurred_at=T0, now=at(2)) == []


def test_near_miss_reaches_the_province_like_a_major_accident():
    assert levels_for(Severity.ordinary, near_miss=True) == (C, CI, P)
    assert levels_for(Severity.serious, near_miss=True) == (C, CI, P, N)
    assert [s.level for s in chain_for(Severity.ordinary, T0, near_miss=True)] == [C, CI, P]


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
        lambda: extend_chain(fresh(Severity.ordinary), (C, CI, P), occurred_at=T0, now=NAIVE),
        lambda: rechain(fresh(Severity.ordinary), NAIVE),
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


@pytest.mark.parametrize(
    ("severity", "near_miss", "hours"),
    [
        (Severity.ordinary, False, None),
        (Severity.ordinary, True, 24),
        (Severity.major, False, 24),
        (Severity.major, True, 24),
        (Severity.serious, False, 12),
        (Severity.especially_serious, True, 12),
    ],
)
def test_follow_up_cadence(severity: Severity, near_miss: bool, hours: int | None) -> None:
    interval = follow_up_interval(severity, near_miss)
    assert interval == (None if hours is None else timedelta(hours=hours))


def test_follow_ups_are_numbered_on_the_cadence_clock_and_end_with_a_final_report() -> None:
    first = follow_up_step(1, at(12))
    assert (first.level, first.kind, first.sequence, first.due_at) == (C, EscalationKind.follow_up, 1, at(12))
    assert next_follow_up_due(first.due_at, timedelta(hours=12)) == at(24)
    final = final_step(at(30), timedelta(hours=24))
    assert (final.kind, final.due_at, final.sequence) == (EscalationKind.final, at(54), None)


def test_late_at_every_level_each_deadline_from_the_late_report_below() -> None:
    # County 3 h late; the city, 2 h after hearing, 1 h late; the province 3 h late; the nation on time.
    reported = [at(4), at(7), at(12), at(14)]
    links = [Link(level, at(0), r) for level, r in zip((C, CI, P, N), reported, strict=True)]
    due = rechain(links, T0)
    assert due == [at(1), at(6), at(9), at(14)]
    assert [is_late(d, r) for d, r in zip(due, reported, strict=True)] == [True, True, True, False]
