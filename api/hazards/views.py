from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.permissions import Reader, RegistryWriter
from api.common.library_views import Library, with_distance
from api.common.listing import NearDep, PageDep
from api.deps import SessionDep
from api.hazards import service
from api.hazards.schemas import HazardSourceCreate, HazardSourcePage, HazardSourceRead, HazardSourceUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import HazardKind, RiskLevel

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/hazard-sources", tags=["hazard sources"])
hazard_sources = Library(
    router,
    "hazard_source",
    read=HazardSourceRead,
    load=lambda s, hazard_source_id: service.get_or_raise(session=s, hazard_source_id=hazard_source_id),
)


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
    return HazardSourcePage(items=with_distance(HazardSourceRead, rows), next_cursor=next_cursor)


hazard_sources.create(HazardSourceCreate, RegistryWriter, service.create, doc="Register a hazard source (admins only).")
hazard_sources.get()
hazard_sources.patch(
    HazardSourceUpdate,
    RegistryWriter,
    lambda session, principal, row, data: service.update(session=session, principal=principal, row=row, data=data),
    doc="Change a hazard source (`If-Match` required).",
)
