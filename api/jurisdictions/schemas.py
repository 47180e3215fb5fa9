from typing import Annotated

from pydantic import StringConstraints

from api.common.pagination import Page
from api.common.schemas import JurisdictionCode, Latitude, Longitude, Name, PatchModel, ReadModel, WriteModel
from resources_db.enums import JurisdictionKind

NameZh = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class JurisdictionCreate(WriteModel):
    code: JurisdictionCode
    name_zh: NameZh
    name_en: Name
    kind: JurisdictionKind
    center_lat: Latitude
    center_lon: Longitude


class JurisdictionUpdate(PatchModel):
    """The code is the key other rows point at, so it cannot change; every other field may."""

    name_zh: NameZh | None = None
    name_en: Name | None = None
    kind: JurisdictionKind | None = None
    center_lat: Latitude | None = None
    center_lon: Longitude | None = None


class JurisdictionRead(ReadModel):
    code: str
    name_zh: str
    name_en: str
    kind: JurisdictionKind
    center_lat: float
    center_lon: float
    version: int


JurisdictionPage = Page[JurisdictionRead]
