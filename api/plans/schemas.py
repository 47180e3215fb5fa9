"""Emergency plans (预案): what an incident at a covered hazard needs, in teams per capability and supplies.

A plan is also on record (seed §12): owned by an enterprise or a government body, with an edition and
the dates its compliance clocks run from (api.compliance).
"""

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from api.common.pagination import Page
from api.common.schemas import EnterpriseRef, PatchModel, ReadModel, WriteModel
from api.common.strict import Day, json_integer
from resources_db.enums import Capability, HazardKind, IncidentType

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SupplyCategory = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]
# Strict: `true` or "3" as a count is a client mistake, not a number.
TeamCount = Annotated[int, Field(ge=1, le=50, strict=True), BeforeValidator(json_integer)]
SupplyQuantity = Annotated[int, Field(ge=1, le=1_000_000, strict=True), BeforeValidator(json_integer)]
MAX_SUPPLY_CATEGORIES = 64

HazardKinds = Annotated[list[HazardKind], Field(max_length=len(HazardKind))]
IncidentTypes = Annotated[list[IncidentType], Field(max_length=len(IncidentType))]
RequiredCapabilities = Annotated[dict[Capability, TeamCount], Field(max_length=len(Capability))]
RequiredSupplies = Annotated[dict[SupplyCategory, SupplyQuantity], Field(max_length=MAX_SUPPLY_CATEGORIES)]
OwnerBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Edition = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class PlanCreate(WriteModel):
    title: Title
    hazard_kinds: HazardKinds = Field(default_factory=list)
    incident_types: IncidentTypes = Field(default_factory=list)
    required_capabilities: RequiredCapabilities = Field(default_factory=dict)
    required_supplies: RequiredSupplies = Field(default_factory=dict)
    owner_enterprise_id: EnterpriseRef | None = None
    owner_body: OwnerBody | None = Field(default=None, description="the government body owning the plan, by name")
    edition: Edition | None = None
    issued_on: Day | None = None
    filed_on: Day | None = None
    evaluated_on: Day | None = None

    @model_validator(mode="after")
    def _owned_by_someone(self) -> "PlanCreate":
        if (self.owner_enterprise_id is None) == (self.owner_body is None):
            raise ValueError(
                "a plan is owned by one enterprise (owner_enterprise_id) or one government body (owner_body)"
            )
        return self


class PlanUpdate(PatchModel):
    """Fields left out keep their value; a given list or map replaces the stored one whole."""

    NULLABLE = frozenset({"owner_enterprise_id", "owner_body", "edition", "issued_on", "filed_on", "evaluated_on"})

    title: Title | None = None
    hazard_kinds: HazardKinds | None = None
    incident_types: IncidentTypes | None = None
    required_capabilities: RequiredCapabilities | None = None
    required_supplies: RequiredSupplies | None = None
    owner_enterprise_id: EnterpriseRef | None = None
    owner_body: OwnerBody | None = None
    edition: Edition | None = None
    issued_on: Day | None = None
    filed_on: Day | None = None
    evaluated_on: Day | None = None


class PlanRead(ReadModel):
    id: int
    title: str
    hazard_kinds: list[str]
    incident_types: list[str]
    required_capabilities: dict[str, int]
    required_supplies: dict[str, int]
    owner_enterprise_id: int | None
    owner_body: str | None
    edition: str | None
    issued_on: date | None
    filed_on: date | None
    evaluated_on: date | None
    version: int


PlanPage = Page[PlanRead]
