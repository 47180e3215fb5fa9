from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.auth.permissions import Reader, RegistryWriter
from api.common.etag import IfMatch, check_if_match, set_etag
from api.common.ids import Id
from api.common.listing import NearDep, PageDep
from api.deps import SessionDep
from api.hazards import service
from api.hazards.schemas import HazardSourceCreate, HazardSourcePage, HazardSourceRead, HazardSourceUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import HazardKind, RiskLevel
from resources_db.models import HazardSource

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/hazard-sources", tags=["hazard sources"])


def _read(row: HazardSource, distance_km: float | None = None) -> HazardSourceRead:
    out = HazardSourceRead.model_validate(row)
    out.distance_km = distance_km
    return out


@router.get("", response_model=HazardSourcePage)
def list_hazard_sources(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    near: NearDep,
    risk_level: Annotated[list[RiskLevel] | None, Query(max_length=len(RiskLevel))] = None,
    kind: HazardKind | None = None,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
) -> HazardSourcePage:
    """Hazard sources, filtered (repeat `risk_level` for several); with `near=LAT,LON&radius_km=R` nearest first."""
    stmt = service.filtered(risk_levels=risk_level, kind=kind, jurisdiction=jurisdiction)
    rows, next_cursor = service.list_(session=session, stmt=stmt, page=page, near=near)
    return HazardSourcePage(items=[_read(h, d) for h, d in rows], next_cursor=next_cursor)


@router.post("", response_model=HazardSourceRead, status_code=status.HTTP_201_CREATED)
def create_hazard_source(
    data: HazardSourceCreate, session: SessionDep, principal: RegistryWriter, response: Response
) -> HazardSourceRead:
    """Register a hazard source (admins only)."""
    row = service.create(session=session, principal=principal, data=data)
    session.commit()
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/hazard-sources/{row.id}"
    return _read(row)


@router.get("/{hazard_source_id:int}", response_model=HazardSourceRead)
def get_hazard_source(hazard_source_id: Id, session: SessionDep, _: Reader, response: Response) -> HazardSourceRead:
    """One hazard source, with its ETag."""
    row = service.get_or_raise(session=session, hazard_source_id=hazard_source_id)
    set_etag(response, row.version)
    return _read(row)


@router.patch("/{hazard_source_id:int}", response_model=HazardSourceRead)
def update_hazard_source(
    hazard_source_id: Id,
    data: HazardSourceUpdate,
    session: SessionDep,
    principal: RegistryWriter,
    response: Response,
    if_match: IfMatch = None,
) -> HazardSourceRead:
    """Change a hazard source (`If-Match` required)."""
    row = service.get_or_raise(session=session, hazard_source_id=hazard_source_id)
    check_if_match(if_match, row.version)
    service.update(session=session, principal=principal, row=row, data=data)
    session.commit()
    set_etag(response, row.version)
    return _read(row)
