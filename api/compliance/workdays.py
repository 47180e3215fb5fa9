"""Working days in mainland China: weekends, public holidays and 调休 make-up working days.

The calendar is the State Council's yearly holiday schedule as kept by the
`chinese-calendar` library: a Saturday made a working day (调休) counts, a
weekday inside a public holiday does not. The schedule of a year is
published late in the year before; for a year the library has no data for
yet, only weekends are known, and the count falls back to Monday–Friday.
"""

from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the year's schedule is not in the library yet
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (`start` itself is not counted)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
