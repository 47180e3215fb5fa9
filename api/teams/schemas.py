from typing import Annotated

from pydantic import Field

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import (
    JurisdictionCode,
    Latitude,
    Longitude,
    Name,
    Note,
    PatchModel,
    Phone,
    ReadModel,
    WriteModel,
)
from resources_db.enums import Capability, TeamKind, TeamStatus

Capabilities = Annotated[list[Capability], Field(max_length=len(Capability))]
Personnel = Annotated[int, Field(ge=1, le=10_000)]


class TeamCreate(WriteModel):
    name: Name
    kind: TeamKind
    capabilities: Capabilities = Field(default_factory=list)
    personnel: Personnel
    home_jurisdiction: JurisdictionCode
    base_lat: Latitude
    base_lon: Longitude
    contact_phone: Phone | None = None
    agreement_id: Id | None = None


class TeamUpdate(PatchModel):
    NULLABLE = frozenset({"contact_phone", "agreement_id"})

    name: Name | None = None
    kind: TeamKind | None = None
    capabilities: Capabilities | None = None
    personnel: Personnel | None = None
    home_jurisdiction: JurisdictionCode | None = None
    base_lat: Latitude | None = None
    base_lon: Longitude | None = None
    contact_phone: Phone | None = None
    agreement_id: Id | None = None


class TeamStatusChange(WriteModel):
    status: TeamStatus
    note: Note | None = None


class TeamRead(ReadModel):
    id: int
    name: str
    kind: TeamKind
    capabilities: list[str]
    personnel: int
    home_jurisdiction: str
    base_lat: float
    base_lon: float
    status: TeamStatus
    leader_user_id: int | None
    contact_phone: str | None
    agreement_id: int | None
    version: int
    distance_km: float | None = None


TeamPage = Page[TeamRead]
