"""The shared id and strict input types (api.common.ids, api.common.strict) refuse what lax pydantic would coerce."""

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from api.common.ids import MAX_ID, AfterId, Id
from api.common.schemas import Latitude
from api.common.strict import Day, Moment

ID = TypeAdapter(Id)


@pytest.mark.parametrize("value", [True, False, 0, -1, MAX_ID + 1, 2**64])
def test_an_id_is_a_positive_integer_the_databases_can_hold(value: object) -> None:
    with pytest.raises(ValidationError):
        ID.validate_python(value)


def test_an_id_from_a_path_or_csv_cell_is_text() -> None:
    assert ID.validate_python("42") == 42
    assert ID.validate_python(MAX_ID) == MAX_ID
    assert TypeAdapter(AfterId).validate_python(0) == 0


@pytest.mark.parametrize("value", [False, True])
def test_a_coordinate_is_not_a_boolean(value: bool) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Latitude).validate_python(value)


@pytest.mark.parametrize("value", [0, 1.5, "0", "0.5", "1700000000", "yesterday"])
def test_a_day_or_moment_is_iso_text(value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python(value)
    with pytest.raises(ValidationError):
        TypeAdapter(Moment).validate_python(value)


def test_iso_days_and_moments_are_taken() -> None:
    assert TypeAdapter(Day).validate_python("2026-03-01") == date(2026, 3, 1)
    assert TypeAdapter(Moment).validate_python("2026-03-01T08:00:00+08:00").utcoffset() is not None
