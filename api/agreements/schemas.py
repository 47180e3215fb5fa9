from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import EnterpriseRef, ReadModel, WriteModel
from api.common.strict import Day

CENT = Decimal("0.01")
# NUMERIC(10, 2) in the database: at most 8 digits before the point, cents after it; "75.5" is kept as 75.50
# so that the answer to the POST reads the same as every later GET.
Cny = Annotated[
    Decimal, Field(max_digits=10, decimal_places=2, allow_inf_nan=False), AfterValidator(lambda d: d.quantize(CENT))
]
# The document states the same as a number in cents or text (pydantic leaves the text unconstrained).
_MAX_CNY = 99_999_999.99
_ZERO_OR_MORE = r"^[+]?[0-9]{1,8}(\.[0-9]{1,2})?$"
_MORE_THAN_ZERO = r"^[+]?([1-9][0-9]{0,7}(\.[0-9]{1,2})?|0?\.([1-9][0-9]?|0[1-9]))$"


def _cny_schema(*, positive: bool) -> WithJsonSchema:
    low = {"exclusiveMinimum": 0} if positive else {"minimum": 0}
    number = {"type": "number", "multipleOf": 0.01, "maximum": _MAX_CNY, **low}
    text = {"type": "string", "pattern": _MORE_THAN_ZERO if positive else _ZERO_OR_MORE}
    return WithJsonSchema({"anyOf": [number, text]}, mode="validation")


class AgreementCreate(WriteModel):
    team_id: Id = Field(description="a team of kind `social` or `enterprise_fulltime`")
    hourly_rate_per_person_cny: Annotated[Cny, Field(gt=0), _cny_schema(positive=True)]
    callout_fee_cny: Annotated[Cny, Field(ge=0), _cny_schema(positive=False)]
    valid_from: Day
    valid_to: Day | None = Field(None, description="last day covered (inclusive); open-ended when absent")
    enterprise_ids: list[EnterpriseRef] = Field(
        default_factory=list,
        max_length=50,
        description="the enterprises on record the team serves (Decree 708 art. 10)",
    )

    @model_validator(mode="after")
    def _period_is_not_backwards(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class AgreementRead(ReadModel):
    id: int
    team_id: int
    hourly_rate_per_person_cny: Decimal
    callout_fee_cny: Decimal
    valid_from: date
    valid_to: date | None
    enterprise_ids: list[int]
    version: int


AgreementPage = Page[AgreementRead]
