from api.common.pagination import Page
from api.common.schemas import (
    EnterpriseRef,
    JurisdictionCode,
    Latitude,
    Longitude,
    Name,
    PatchModel,
    ReadModel,
    WriteModel,
)
from resources_db.enums import DepotOperator


class DepotCreate(WriteModel):
    name: Name
    jurisdiction: JurisdictionCode
    lat: Latitude
    lon: Longitude
    operator: DepotOperator
    enterprise_id: EnterpriseRef | None = None


class DepotUpdate(PatchModel):
    NULLABLE = frozenset({"enterprise_id"})

    name: Name | None = None
    jurisdiction: JurisdictionCode | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    operator: DepotOperator | None = None
    enterprise_id: EnterpriseRef | None = None


class DepotRead(ReadModel):
    id: int
    name: str
    jurisdiction: str
    lat: float
    lon: float
    operator: DepotOperator
    enterprise_id: int | None
    version: int
    distance_km: float | None = None


DepotPage = Page[DepotRead]
