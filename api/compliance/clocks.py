"""Compliance clocks of enterprise responsibilities: pure functions of dates.

- Drills: Decree 708 (2019) art. 8 — the high-risk categories (hazardous
  goods, mines, metal smelting, urban rail, construction, crowded places) at
  least every half year; Ministry Order 2 (2019) art. 33 — every other unit
  at least a comprehensive or special drill a year.
- Plan filing: Order 2 art. 26 — within 20 working days of issuing the plan.
- Plan evaluation: Order 2 art. 35 — every 3 years.
- Risk assessment of a hazard source: seed §19 — key areas and major
  facilities assessed every 3 years.

A clock is `due` from `DUE_WINDOW_DAYS` before its date up to and including
the date itself, and `overdue` from the day after.
"""

import calendar
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

from api.compliance.workdays import add_working_days
from resources_db.enterprise_enums import EnterpriseCategory

HIGH_RISK = frozenset(EnterpriseCategory) - {EnterpriseCategory.other}
DRILL_MONTHS_HIGH_RISK = 6  # Decree 708 art. 8 para. 2: 至少每半年组织1次
DRILL_MONTHS_OTHER = 12  # Order 2 art. 33: 每年至少组织一次综合应急预案演练或者专项应急预案演练
FILING_WORKING_DAYS = 20  # Order 2 art. 26
EVALUATION_YEARS = 3  # Order 2 art. 35
RISK_ASSESSMENT_YEARS = 3  # seed §19
DUE_WINDOW_DAYS = 30

# China keeps one offset all year (no daylight saving): the city's calendar day.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


class ClockStatus(StrEnum):
    ok = "ok"
    due = "due"
    overdue = "overdue"


def city_today(now: datetime | None = None) -> date:
    """Today's date in Leizhou."""
    return (now or datetime.now(UTC)).astimezone(CHINA_STANDARD_TIME).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def drill_interval_months(category: EnterpriseCategory) -> int:
    return DRILL_MONTHS_HIGH_RISK if category in HIGH_RISK else DRILL_MONTHS_OTHER


def next_drill_due(category: EnterpriseCategory, last_drill: date | None) -> date | None:
    """The date by which the next drill must be held; None when none is on record (due at once)."""
    return None if last_drill is None else add_months(last_drill, drill_interval_months(category))


def filing_due(issued_on: date) -> date:
    return add_working_days(issued_on, FILING_WORKING_DAYS)


def evaluation_due(issued_on: date, evaluated_on: date | None) -> date:
    """Three years after the last evaluation, or after issue when the plan was never evaluated."""
    return add_months(evaluated_on or issued_on, 12 * EVALUATION_YEARS)


def risk_assessment_due(last_assessed: date) -> date:
    return add_months(last_assessed, 12 * RISK_ASSESSMENT_YEARS)


def status(due: date | None, today: date, window_days: int = DUE_WINDOW_DAYS) -> ClockStatus:
    """Where `today` stands against a due date; no date (nothing ever done) is overdue."""
    if due is None or today > due:
        return ClockStatus.overdue
    return ClockStatus.due if (due - today).days <= window_days else ClockStatus.ok
