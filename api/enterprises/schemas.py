"""Enterprises on record (seed §12) and the drills they report."""

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import JurisdictionCode, PatchModel, Phone, ReadModel, ShortText, WriteModel
from resources_db import credit_code
from resources_db.enterprise_enums import DrillForm, DrillScope, EnterpriseCategory

EnterpriseName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PlanId = Id


def _normalised(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _valid_code(value: str) -> str:
    why = credit_code.problem(value)
    if why is not None:
        raise ValueError(f"not a unified social credit code (GB 32100-2015): {why}")
    return value


CreditCode = Annotated[str, BeforeValidator(_normalised), AfterValidator(_valid_code)]


def needs_duty_phone(category: EnterpriseCategory, large_scale: bool) -> bool:
    """Decree 708 art. 14: large hazardous-goods units keep 24-hour duty (实行24小时应急值班)."""
    return category is EnterpriseCategory.hazardous_goods and large_scale


class EnterpriseCreate(WriteModel):
    name: EnterpriseName
    credit_code: CreditCode
    jurisdiction: JurisdictionCode
    sector: ShortText
    category: EnterpriseCategory
    large_scale: bool = False
    contact_person: ShortText | None = None
    contact_phone: Phone
    duty_phone: Phone | None = None

    @model_validator(mode="after")
    def _duty_phone_where_required(self) -> "EnterpriseCreate":
        if needs_duty_phone(self.category, self.large_scale) and not self.duty_phone:
            raise ValueError("duty_phone: a large hazardous-goods unit keeps 24-hour duty (Decree 708 art. 14)")
        return self


class EnterpriseUpdate(PatchModel):
    """Fields left out keep their value; `contact_person` and `duty_phone` may be cleared with null."""

    NULLABLE = frozenset({"contact_person", "duty_phone"})

    name: EnterpriseName | None = None
    credit_code: CreditCode | None = None
    jurisdiction: JurisdictionCode | None = None
    sector: ShortText | None = None
    category: EnterpriseCategory | None = None
    large_scale: bool | None = None
    contact_person: ShortText | None = None
    contact_phone: Phone | None = None
    duty_phone: Phone | None = None


class EnterpriseRead(ReadModel):
    id: int
    name: str
    credit_code: str | None
    jurisdiction: str
    sector: str
    category: EnterpriseCategory
    large_scale: bool
    contact_person: str | None
    contact_phone: str | None
    duty_phone: str | None
    version: int


EnterprisePage = Page[EnterpriseRead]


class EnterpriseDrillCreate(WriteModel):
    """A drill the enterprise held (Decree 708 art. 8; Ministry Order 2 art. 33), as reported."""

    held_on: date
    form: DrillForm
    scope: DrillScope
    plan_id: PlanId | None = None
    summary: Text
    findings: Text | None = None
    reported_on: date | None = Field(default=None, description="when the drill was reported to the county regulator")

    @model_validator(mode="after")
    def _reported_after_held(self) -> "EnterpriseDrillCreate":
        if self.reported_on is not None and self.reported_on < self.held_on:
            raise ValueError("reported_on: a drill is reported to the county after it is held")
        return self


class EnterpriseDrillRead(ReadModel):
    id: int
    enterprise_id: int
    held_on: date
    form: DrillForm
    scope: DrillScope
    plan_id: int | None
    summary: str
    findings: str | None
    reported_on: date | None
    drill_id: int | None
    recorded_by: str


class EnterpriseDrills(ReadModel):
    """An enterprise's drills on record, newest first, and when its next one is due."""

    items: list[EnterpriseDrillRead]
    interval_months: int
    next_due: date | None = Field(description="null when no drill is on record: one is due now")
