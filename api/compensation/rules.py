"""Compensation arithmetic for teams under service agreements (seed §12): pure functions, no I/O.

Decisions (the statement shows them; tests pin them):
- Month: a calendar month in Asia/Shanghai (UTC+8, no daylight saving since
  1991, so a fixed offset is exact). A dispatch belongs to the month in which
  it was released: `start <= released_at < end`, both local midnights.
- Billed time: on scene → released, rounded UP to the next quarter hour (a
  started quarter counts, the way call-out work is usually billed); exactly
  on a quarter stays; none or negative time bills 0 hours (callout fee only).
- Terms: the agreement valid on the local date of `dispatched_at` (the day
  the team was called out); valid_from/valid_to are inclusive days. When
  several cover that day the one starting latest wins (a renewal supersedes),
  ties by the newest id. No agreement that day → the dispatch is unpriced.
- Amount: callout fee + billed hours × personnel × hourly rate per person,
  rounded half-up to the cent once per line; totals add the rounded lines.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

LOCAL_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
QUARTER_HOUR = timedelta(minutes=15)
CENT = Decimal("0.01")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
MIN_YEAR, MAX_YEAR = 1970, 2999
# The months parse_month accepts, for the OpenAPI document: YYYY-MM, 1970-01 to 2999-12.
MONTH_PATTERN = r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$"
ROUNDING = "on-scene time rounded up to the next quarter hour; amounts rounded half-up to the cent per line"


@dataclass(frozen=True, slots=True)
class Terms:
    agreement_id: int
    hourly_rate_per_person_cny: Decimal
    callout_fee_cny: Decimal
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Price:
    billed_hours: Decimal
    labour_cny: Decimal
    amount_cny: Decimal


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) from `YYYY-MM`; ValueError otherwise."""
    m = MONTH_RE.match(text)
    if m is None:
        raise ValueError("month must look like YYYY-MM, e.g. 2025-03")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month {month:02d} is not 01..12")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar month, as UTC instants."""
    start = datetime(year, month, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_date(at: datetime) -> date:
    """The calendar day in Leizhou of an aware instant."""
    return at.astimezone(LOCAL_TZ).date()


def billed_hours(on_scene_at: datetime | None, released_at: datetime | None) -> Decimal:
    """Hours on scene, rounded up to the next quarter hour; 0 when either end is missing or time ran backwards."""
    if on_scene_at is None or released_at is None or released_at <= on_scene_at:
        return Decimal("0.00")
    quarters = -((on_scene_at - released_at) // QUARTER_HOUR)  # ceiling division on exact timedeltas
    return (Decimal(quarters) / 4).quantize(CENT)


def pick_agreement(terms: Iterable[Terms], day: date) -> Terms | None:
    """The agreement valid on `day` (inclusive bounds); the latest-starting one, then the newest, wins."""
    valid = [t for t in terms if t.valid_from <= day and (t.valid_to is None or day <= t.valid_to)]
    return max(valid, key=lambda t: (t.valid_from, t.agreement_id), default=None)


def price(terms: Terms, hours: Decimal, personnel: int) -> Price:
    """Callout fee + hours × personnel × hourly rate, rounded half-up to the cent."""
    labour = (hours * personnel * terms.hourly_rate_per_person_cny).quantize(CENT, rounding=ROUND_HALF_UP)
    amount = (terms.callout_fee_cny + labour).quantize(CENT, rounding=ROUND_HALF_UP)
    return Price(billed_hours=hours, labour_cny=labour, amount_cny=amount)


def total(amounts: Sequence[Decimal]) -> Decimal:
    """The sum of already rounded amounts (no second rounding), 2 places."""
    return sum(amounts, Decimal("0")).quantize(CENT)
