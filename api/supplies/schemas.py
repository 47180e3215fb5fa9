from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import Name, Note, PatchModel, ReadModel, WriteModel
from api.common.strict import Day, json_integer
from api.supplies.rules import MAX_DELTA, MAX_ON_HAND, ManualReason, sign_error
from resources_db.enums import MovementReason

Category = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{2,64}$")]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
# JSON bodies take real integers only: "3" or true for a stock figure is a client bug, not a value.
Quantity = Annotated[StrictInt, Field(ge=0, le=MAX_ON_HAND), BeforeValidator(json_integer)]
Delta = Annotated[StrictInt, Field(ge=-MAX_DELTA, le=MAX_DELTA), BeforeValidator(json_integer)]


class SupplyItemCreate(WriteModel):
    depot_id: Annotated[Id, Strict()]
    category: Category
    name: Name
    unit: Unit
    quantity_on_hand: Quantity = 0
    min_reserve: Quantity = 0
    expires_on: Day | None = None


class SupplyItemUpdate(PatchModel):
    """Descriptive fields only: quantities change through the ledger, so they are refused here."""

    NULLABLE = frozenset({"expires_on"})

    category: Category | None = None
    name: Name | None = None
    unit: Unit | None = None
    min_reserve: Quantity | None = None
    expires_on: Day | None = None


class SupplyItemRead(ReadModel):
    id: int
    depot_id: int
    category: str
    name: str
    unit: str
    quantity_on_hand: int
    quantity_reserved: int
    min_reserve: int
    expires_on: date | None
    version: int


class MovementCreate(WriteModel):
    # `reason` comes first so the `delta` check below can see it.
    reason: ManualReason
    delta: Delta
    note: Note | None = None
    incident_id: Annotated[Id, Strict()] | None = None

    @field_validator("delta")
    @classmethod
    def _signed_for_reason(cls, delta: int, info: ValidationInfo) -> int:
        if delta == 0:
            raise ValueError("delta must not be zero")
        reason = info.data.get("reason")
        if reason is not None and (why := sign_error(reason, delta)):
            raise ValueError(why)
        return delta


class MovementRead(ReadModel):
    id: int
    supply_item_id: int
    delta: int
    reason: MovementReason
    incident_id: int | None
    note: str | None
    actor: str
    at: datetime


class MovementResult(BaseModel):
    movement: MovementRead
    item: SupplyItemRead


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int


SupplyItemPage = Page[SupplyItemRead]
MovementPage = Page[MovementRead]
