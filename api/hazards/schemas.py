from datetime import date
from typing import Annotated

from pydantic import StringConstraints

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import (
    EnterpriseRef,
    JurisdictionCode,
    Latitude,
    Longitude,
    Name,
    PatchModel,
    ReadModel,
    ShortText,
    WriteModel,
)
from api.common.strict import Day
from resources_db.enums import HazardKind, RiskLevel

Enterprise = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PlanId = Id


class HazardSourceCreate(WriteModel):
    name: Name
    kind: HazardKind
    risk_level: RiskLevel
    lat: Latitude
    lon: Longitude
    jurisdiction: JurisdictionCode
    enterprise: Enterprise
    responsible_person: ShortText
    plan_id: PlanId | None = None
    enterprise_id: EnterpriseRef | None = None
    last_risk_assessment_on: Day | None = None


class HazardSourceUpdate(PatchModel):
    """Fields left out keep their value; `plan_id: null` unlinks the plan."""

    NULLABLE = frozenset({"plan_id", "enterprise_id", "last_risk_assessment_on"})

    name: Name | None = None
    kind: HazardKind | None = None
    risk_level: RiskLevel | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    jurisdiction: JurisdictionCode | None = None
    enterprise: Enterprise | None = None
    responsible_person: ShortText | None = None
    plan_id: PlanId | None = None
    enterprise_id: EnterpriseRef | None = None
    last_risk_assessment_on: Day | None = None


class HazardSourceRead(ReadModel):
    id: int
    name: str
    kind: HazardKind
    risk_level: RiskLevel
    lat: float
    lon: float
    jurisdiction: str
    enterprise: str
    responsible_person: str
    plan_id: int | None
    enterprise_id: int | None
    last_risk_assessment_on: date | None
    version: int
    distance_km: float | None = None


HazardSourcePage = Page[HazardSourceRead]
