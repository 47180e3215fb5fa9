from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from api.common.pagination import Page
from api.common.schemas import JurisdictionCode, Latitude, Longitude, Note, PatchModel, ReadModel, WriteModel
from resources_db.enums import IncidentStatus, IncidentType, Severity

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Count = Annotated[int, Field(ge=0, le=100_000)]
LossCny = Annotated[int, Field(ge=0, le=10**13)]


class IncidentCreate(WriteModel):
    title: Title
    type: IncidentType
    lat: Latitude
    lon: Longitude
    address: Address | None = None
    jurisdiction: JurisdictionCode | None = Field(None, description="resolved from the coordinates when absent")
    hazard_source_id: int | None = Field(None, ge=1, description="the hazard source the incident happened at")
    occurred_at: AwareDatetime | None = Field(None, description="defaults to the time of the report")
    deaths: Count = 0
    serious_injuries: Count = 0
    direct_loss_cny: LossCny = 0
    drill_id: int | None = Field(None, ge=1, description="set for exercise incidents of a running drill")


class IncidentUpdate(PatchModel):
    NULLABLE = frozenset({"address"})

    title: Title | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    address: Address | None = None
    jurisdiction: JurisdictionCode | None = Field(
        None, description="when the incident moves without one, it is resolved again from the new coordinates"
    )
    deaths: Count | None = None
    serious_injuries: Count | None = None
    direct_loss_cny: LossCny | None = None


class IncidentTransition(WriteModel):
    status: IncidentStatus
    note: Note | None = None


class NearbyHazard(ReadModel):
    id: int
    name: str
    kind: str
    risk_level: str
    distance_km: float


class IncidentRead(ReadModel):
    id: int
    title: str
    type: IncidentType
    lat: float
    lon: float
    address: str | None
    jurisdiction: str
    hazard_source_id: int | None
    occurred_at: datetime
    reported_at: datetime
    deaths: int
    serious_injuries: int
    direct_loss_cny: int
    severity: Severity
    status: IncidentStatus
    investigation_due_at: datetime
    drill_id: int | None
    is_drill: bool = False
    reporter: str
    version: int


class IncidentDetail(IncidentRead):
    nearby_hazards: list[NearbyHazard] = []


class TimelineRead(ReadModel):
    id: int
    at: datetime
    actor: str
    kind: str
    message: str
    data: dict[str, object] | None


IncidentPage = Page[IncidentRead]
TimelinePage = Page[TimelineRead]
