from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.auth.permissions import LibraryWriter, Reader
from api.common.etag import IfMatch, check_if_match, set_etag
from api.common.ids import Id
from api.common.listing import NearDep, PageDep
from api.depots import service
from api.depots.schemas import DepotCreate, DepotPage, DepotRead, DepotUpdate
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from resources_db.enums import DepotOperator
from resources_db.models import Depot

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/depots", tags=["depots"])


def _read(depot: Depot, distance_km: float | None = None) -> DepotRead:
    out = DepotRead.model_validate(depot)
    out.distance_km = distance_km
    return out


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
    return DepotPage(items=[_read(d, km) for d, km in rows], next_cursor=next_cursor)


@router.post("", response_model=DepotRead, status_code=status.HTTP_201_CREATED)
def create_depot(data: DepotCreate, session: SessionDep, principal: LibraryWriter, response: Response) -> DepotRead:
    """Add a depot to the resource library."""
    depot = service.create(session=session, principal=principal, data=data)
    session.commit()
    set_etag(response, depot.version)
    response.headers["Location"] = f"/api/v1/depots/{depot.id}"
    return _read(depot)


@router.get("/{depot_id:int}", response_model=DepotRead)
def get_depot(depot_id: Id, session: SessionDep, _: Reader, response: Response) -> DepotRead:
    """One depot, with its ETag."""
    depot = service.get_or_raise(session=session, depot_id=depot_id)
    set_etag(response, depot.version)
    return _read(depot)


@router.patch("/{depot_id:int}", response_model=DepotRead)
def update_depot(
    depot_id: Id,
    data: DepotUpdate,
    session: SessionDep,
    principal: LibraryWriter,
    response: Response,
    if_match: IfMatch = None,
) -> DepotRead:
    """Change a depot's details (`If-Match` required)."""
    depot = service.get_or_raise(session=session, depot_id=depot_id)
    check_if_match(if_match, depot.version)
    service.update(session=session, principal=principal, depot=depot, data=data)
    session.commit()
    set_etag(response, depot.version)
    return _read(depot)
