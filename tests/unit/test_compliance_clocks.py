"""Compliance clocks at their edges: half-year drills, 20 working days with holidays and 调休, three-year cycles."""

from datetime import UTC, date, datetime

import pytest

from api.compliance import clocks
from api.compliance.clocks import ClockStatus
from api.compliance.workdays import add_working_days, is_working_day
from resources_db.enterprise_enums import EnterpriseCategory as C


def test_every_decree_708_art_8_category_drills_each_half_year_and_other_units_yearly() -> None:
    for category in C:
        expected = 12 if category is C.other else 6
        assert clocks.drill_interval_months(category) == expected, category


def test_drill_due_on_the_last_day_of_the_half_year_is_due_then_overdue_the_day_after() -> None:
    due = clocks.next_drill_due(C.hazardous_goods, date(2026, 1, 15))
    assert due == date(2026, 7, 15)
    assert clocks.status(due, date(2026, 6, 14)) is ClockStatus.ok
    assert clocks.status(due, date(2026, 6, 15)) is ClockStatus.due  # 30 days ahead
    assert clocks.status(due, date(2026, 7, 15)) is ClockStatus.due  # the last day still counts
    assert clocks.status(due, date(2026, 7, 16)) is ClockStatus.overdue


def test_a_category_change_moves_the_drill_clock() -> None:
    last = date(2026, 1, 15)
    assert clocks.next_drill_due(C.other, last) == date(2027, 1, 15)
    assert clocks.next_drill_due(C.crowded_place, last) == date(2026, 7, 15)


def test_no_drill_on_record_is_overdue_at_once() -> None:
    assert clocks.next_drill_due(C.mine, None) is None
    assert clocks.status(None, date(2026, 1, 1)) is ClockStatus.overdue


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 31), 6, date(2027, 6, 30)),
        (date(2026, 1, 1), 36, date(2029, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(start: date, months: int, expected: date) -> None:
    assert clocks.add_months(start, months) == expected


def test_working_days_skip_a_weekend() -> None:
    # Thursday 2026-03-05: Fri, (Sat, Sun), Mon.
    assert add_working_days(date(2026, 3, 5), 2) == date(2026, 3, 9)


def test_working_days_skip_the_spring_festival_and_count_its_make_up_saturday() -> None:
    # 2026 Spring Festival: 15–23 Feb off; Saturday 14 Feb is a make-up working day (调休).
    assert is_working_day(date(2026, 2, 14))
    assert not is_working_day(date(2026, 2, 16))  # a Monday inside the holiday
    # From Tuesday 10 Feb: 11, 12, 13, 14 (Saturday, 调休), then nothing until Tuesday 24 Feb.
    assert add_working_days(date(2026, 2, 10), 4) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 10), 5) == date(2026, 2, 24)


def test_plan_filing_is_due_twenty_working_days_after_issue_across_mid_autumn_and_national_day() -> None:
    # Issued Monday 2026-09-21. Off: Friday 25 Sep (Mid-Autumn) and 1–7 Oct (National Day); Saturday 10 Oct is a
    # make-up working day. Counted: 22–24 Sep (3), 28–30 Sep (6), 8–10 Oct (9), 12–16 (14), 19–23 (19), 26 (20).
    assert not is_working_day(date(2026, 9, 25))
    assert is_working_day(date(2026, 10, 10))
    assert clocks.filing_due(date(2026, 9, 21)) == date(2026, 10, 26)
    # Issued a day later, the 20th working day is the next one.
    assert clocks.filing_due(date(2026, 9, 22)) == date(2026, 10, 27)


def test_a_year_without_a_published_schedule_counts_monday_to_friday() -> None:
    # Friday 2100-01-01 is beyond any schedule: the next working day is Monday 4 Jan.
    assert add_working_days(date(2100, 1, 1), 1) == date(2100, 1, 4)


def test_evaluation_runs_three_years_from_the_last_evaluation_or_from_issue() -> None:
    assert clocks.evaluation_due(date(2023, 5, 1), None) == date(2026, 5, 1)
    assert clocks.evaluation_due(date(2020, 5, 1), date(2024, 2, 29)) == date(2027, 2, 28)
    assert clocks.risk_assessment_due(date(2023, 12, 6)) == date(2026, 12, 6)


def test_city_today_is_the_date_in_china_standard_time() -> None:
    assert clocks.city_today(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert clocks.city_today(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == date(2027, 1, 1)
