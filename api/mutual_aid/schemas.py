from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, computed_field, model_validator

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import JurisdictionCode, Note, ReadModel, WriteModel
from resources_db.enums import Capability, MutualAidStatus

SupplyCategory = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{2,64}$")]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MAX_SUPPLY_LINES = 50


class MutualAidCreate(WriteModel):
    incident_id: Id
    to_jurisdiction: JurisdictionCode = Field(description="a neighbouring jurisdiction (kind `neighbor`)")
    capabilities: Annotated[list[Capability], Field(max_length=len(Capability))] = Field(default_factory=list)
    supplies: Annotated[dict[SupplyCategory, Quantity], Field(max_length=MAX_SUPPLY_LINES)] = Field(
        default_factory=dict, description="category → quantity asked"
    )
    note: Note | None = None

    @model_validator(mode="after")
    def _asks_for_something(self) -> Self:
        if not self.capabilities and not self.supplies:
            raise ValueError("ask for at least one capability or one supply category")
        return self


class MutualAidApprove(WriteModel):
    lent_team_id: Id = Field(description="a team of the neighbouring jurisdiction, available now")
    note: Note | None = None


class MutualAidDecline(WriteModel):
    note: Reason = Field(description="why the neighbour cannot help")


class MutualAidFulfil(WriteModel):
    note: Note | None = None


class MutualAidRead(ReadModel):
    id: int
    incident_id: int
    from_jurisdiction: str
    to_jurisdiction: str
    capabilities: list[str]
    supplies: dict[str, Any]
    status: MutualAidStatus
    lent_team_id: int | None
    note: str | None = Field(description="the latest word: the request's note, replaced by the decision's")
    requested_by: str
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None
    drill_id: int | None
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_drill(self) -> bool:
        return self.drill_id is not None


MutualAidPage = Page[MutualAidRead]
