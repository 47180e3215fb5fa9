from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from api.compensation import rules

T0 = datetime(2024, 3, 10, 2, 0, tzinfo=UTC)


def terms(agreement_id: int, start: date, end: date | None, rate: str = "80.00", fee: str = "500.00") -> rules.Terms:
    return rules.Terms(agreement_id, Decimal(rate), Decimal(fee), start, end)


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, "0.00"),
        (0.001, "0.25"),  # a started quarter counts
        (15, "0.25"),  # exactly on a quarter stays
        (15.0001, "0.50"),
        (44, "0.75"),
        (60, "1.00"),
        (127, "2.25"),
        (24 * 60 + 1, "24.25"),
    ],
)
def test_on_scene_time_is_rounded_up_to_the_next_quarter_hour(minutes: float, hours: str) -> None:
    assert rules.billed_hours(T0, T0 + timedelta(minutes=minutes)) == Decimal(hours)


def test_missing_or_backwards_on_scene_time_bills_no_hours() -> None:
    assert rules.billed_hours(None, T0) == Decimal("0.00")
    assert rules.billed_hours(T0, None) == Decimal("0.00")
    assert rules.billed_hours(T0, T0 - timedelta(hours=1)) == Decimal("0.00")


def test_rounding_works_on_exact_instants_across_time_zones() -> None:
    local = T0.astimezone(rules.LOCAL_TZ)
    assert rules.billed_hours(local, T0 + timedelta(minutes=30)) == Decimal("0.50")


def test_amount_is_callout_fee_plus_hours_times_personnel_times_rate() -> None:
    p = rules.price(terms(1, date(2024, 1, 1), None), Decimal("2.25"), 6)
    assert (p.labour_cny, p.amount_cny) == (Decimal("1080.00"), Decimal("1580.00"))


def test_amount_rounds_half_up_to_the_cent() -> None:
    p = rules.price(terms(1, date(2024, 1, 1), None, rate="33.33", fee="99.99"), Decimal("1.50"), 3)
    assert p.labour_cny == Decimal("149.99")  # 149.985: half-up, not banker's 149.98
    assert p.amount_cny == Decimal("249.98")
    assert str(rules.price(terms(1, date(2024, 1, 1), None, fee="0"), Decimal("0"), 4).amount_cny) == "0.00"


def test_totals_add_rounded_lines_without_rounding_again() -> None:
    assert rules.total([Decimal("149.99"), Decimal("149.99")]) == Decimal("299.98")
    assert str(rules.total([])) == "0.00"


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        ("2024-03", "2024-02-29T16:00:00+00:00", "2024-03-31T16:00:00+00:00"),  # leap February before it
        ("2023-12", "2023-11-30T16:00:00+00:00", "2023-12-31T16:00:00+00:00"),  # the year rolls over
        ("2024-01", "2023-12-31T16:00:00+00:00", "2024-01-31T16:00:00+00:00"),
        ("2023-02", "2023-01-31T16:00:00+00:00", "2023-02-28T16:00:00+00:00"),
    ],
)
def test_month_bounds_are_local_midnights_in_asia_shanghai(month: str, start: str, end: str) -> None:
    got = rules.month_bounds(*rules.parse_month(month))
    assert tuple(t.isoformat() for t in got) == (start, end)
    assert all(t.tzinfo is UTC for t in got)


def test_local_date_uses_china_standard_time() -> None:
    assert rules.local_date(datetime(2024, 3, 31, 15, 59, 59, tzinfo=UTC)) == date(2024, 3, 31)
    assert rules.local_date(datetime(2024, 3, 31, 16, 0, tzinfo=UTC)) == date(2024, 4, 1)


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-00", "2024-3", "24-03", "2024/03", "March", "", "1969-12", "3000-01"]
)
def test_malformed_months_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"month|year"):
        rules.parse_month(text)


def test_the_agreement_valid_on_the_day_is_chosen_with_inclusive_bounds() -> None:
    old = terms(1, date(2024, 1, 1), date(2024, 3, 10))
    new = terms(2, date(2024, 3, 15), None)
    assert rules.pick_agreement([old, new], date(2024, 3, 10)) == old
    assert rules.pick_agreement([old, new], date(2024, 3, 12)) is None
    assert rules.pick_agreement([old, new], date(2024, 3, 15)) == new
    assert rules.pick_agreement([old, new], date(2023, 12, 31)) is None
    assert rules.pick_agreement([], date(2024, 3, 15)) is None


def test_a_renewal_supersedes_an_overlapping_open_ended_agreement() -> None:
    base = terms(1, date(2024, 1, 1), None)
    renewal = terms(2, date(2024, 6, 1), None)
    same_day = terms(3, date(2024, 6, 1), date(2024, 12, 31))
    assert rules.pick_agreement([renewal, base], date(2024, 5, 31)) == base
    assert rules.pick_agreement([base, renewal], date(2024, 7, 1)) == renewal
    assert rules.pick_agreement([same_day, base, renewal], date(2024, 7, 1)) == same_day  # newest id breaks the tie
