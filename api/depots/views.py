from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.permissions import LibraryWriter, Reader
from api.common.library_views import Library, with_distance
from api.common.listing import NearDep, PageDep
from api.depots import service
from api.depots.schemas import DepotCreate, DepotPage, DepotRead, DepotUpdate
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from resources_db.enums import DepotOperator

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/depots", tags=["depots"])
depots = Library(
    router, "depot", read=DepotRead, load=lambda s, depot_id: service.get_or_raise(session=s, depot_id=depot_id)
)


@router.get("", response_model=DepotPage)
def list_depots(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    near: NearDep,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
    operator: DepotOperator | None = None,
) -> DepotPage:
    """Depots, filtered; with `near=LAT,LON&radius_km=R` only those within R km, nearest first."""
    stmt = service.filtered(jurisdiction=jurisdiction, operator=operator)
    rows, next_cursor = service.list_(session=session, stmt=stmt, page=page, near=near)
    return DepotPage(items=with_distance(DepotRead, rows), next_cursor=next_cursor)


depots.create(DepotCreate, LibraryWriter, service.create, doc="Add a depot to the resource library.")
depots.get()
depots.patch(
    DepotUpdate,
    LibraryWriter,
    lambda session, principal, depot, data: service.update(
        session=session, principal=principal, depot=depot, data=data
    ),
    doc="Change a depot's details (`If-Match` required).",
)
