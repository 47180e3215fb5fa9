from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, StrictInt, StringConstraints

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import JurisdictionCode, Latitude, Longitude, Note, PatchModel, ReadModel, WriteModel
from api.common.strict import Moment, json_integer
from resources_db.enums import EscalationKind, EscalationLevel, IncidentStatus, IncidentType, Severity

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Count = Annotated[StrictInt, Field(ge=0, le=100_000), BeforeValidator(json_integer)]
LossCny = Annotated[StrictInt, Field(ge=0, le=10**13), BeforeValidator(json_integer)]


class IncidentCreate(WriteModel):
    title: Title
    type: IncidentType
    lat: Latitude
    lon: Longitude
    address: Address | None = None
    jurisdiction: JurisdictionCode | None = Field(None, description="resolved from the coordinates when absent")
    hazard_source_id: Id | None = Field(None, description="the hazard source the incident happened at")
    occurred_at: Moment | None = Field(None, description="defaults to the time of the report")
    deaths: Count = 0
    serious_injuries: Count = 0
    direct_loss_cny: LossCny = 0
    missing: Count = Field(0, description="persons missing (下落不明)")
    trapped: Count = Field(0, description="persons trapped (被困)")
    at_risk: Count = Field(0, description="persons whose safety is at risk (涉险)")
    evacuated: Count = Field(0, description="persons evacuated (疏散转移)")
    drill_id: Id | None = Field(None, description="set for exercise incidents of a running drill")


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
    missing: Count | None = None
    trapped: Count | None = None
    at_risk: Count | None = None
    evacuated: Count | None = None


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
    missing: int
    trapped: int
    at_risk: int
    evacuated: int
    near_miss: bool = Field(
        description="a major near-miss (较大涉险): reported up to the province although nobody died"
    )
    severity: Severity
    status: IncidentStatus
    duplicate_of: int | None
    investigation_due_at: datetime
    drill_id: int | None
    is_drill: bool = False
    reporter: str
    version: int


class ChainStep(ReadModel):
    """One reporting step as the incident's detail shows it."""

    id: int
    level: EscalationLevel
    kind: EscalationKind
    sequence: int | None
    due_at: datetime
    reported_at: datetime | None
    late: bool = Field(description="reported after its deadline, or still open past it")
    withdrawn: bool


class IncidentDetail(IncidentRead):
    nearby_hazards: list[NearbyHazard] = []
    escalations: list[ChainStep] = Field([], description="the reporting chain (逐级上报), earliest deadline first")
    next_deadline: ChainStep | None = Field(None, description="the open step due first")


class PossibleDuplicate(ReadModel):
    id: int
    title: str
    type: IncidentType
    status: IncidentStatus
    occurred_at: datetime
    distance_m: int
    minutes_apart: int
    reason: str


class IncidentReport(IncidentDetail):
    """The answer to a new report: the incident, and the open incidents it may repeat."""

    possible_duplicates: list[PossibleDuplicate] = []


class DuplicateLink(WriteModel):
    incident_id: Id = Field(description="the primary incident this report repeats")


class TimelineRead(ReadModel):
    id: int
    at: datetime
    actor: str
    kind: str
    message: str
    data: dict[str, object] | None


IncidentPage = Page[IncidentRead]
TimelinePage = Page[TimelineRead]
