from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from api.auth.permissions import Dispatcher, DispatchReporter, Reader
from api.common import idempotency
from api.common.drills import DrillScopeDep
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.dispatches import service
from api.dispatches.schemas import DispatchCreate, DispatchPage, DispatchRead, DispatchStatusChange
from api.routing import UnitOfWorkRoute
from resources_db.enums import DispatchStatus
from resources_db.models import Dispatch

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/dispatches", tags=["dispatches"])


@router.post("", response_model=DispatchRead, status_code=status.HTTP_201_CREATED)
def dispatch_team(
    data: DispatchCreate, session: SessionDep, principal: Dispatcher, idem: idempotency.IdempotencyDep
) -> JSONResponse:
    """Dispatch a team; 409 `team-unavailable` unless the team is available. Honours `Idempotency-Key`."""

    def write() -> tuple[DispatchRead, dict[str, str]]:
        d = service.create(session=session, principal=principal, data=data)
        return DispatchRead.model_validate(d), {"Location": f"/api/v1/dispatches/{d.id}", "ETag": f'"{d.version}"'}

    return idempotency.run(idem, session, data, status_code=201, write=write)


@router.get("", response_model=DispatchPage)
def list_dispatches(
    session: SessionDep,
    principal: Reader,
    page: PageDep,
    scope: DrillScopeDep,
    incident_id: Annotated[Id | None, Query()] = None,
    team_id: Annotated[Id | None, Query()] = None,
    status: DispatchStatus | None = None,
    active: bool = False,
) -> DispatchPage:
    """Dispatches (a team leader sees their own team's); real only unless drill data is asked for."""
    stmt = service.filtered(principal=principal, incident_id=incident_id, team_id=team_id, status=status, active=active)
    rows, next_cursor = fetch_page(session, scope.apply(stmt, Dispatch.drill_id), id_col=Dispatch.id, page=page)
    return DispatchPage(items=[DispatchRead.model_validate(d) for d, _ in rows], next_cursor=next_cursor)


@router.get("/{dispatch_id:int}", response_model=DispatchRead)
def get_dispatch(dispatch_id: Id, session: SessionDep, principal: Reader, response: Response) -> DispatchRead:
    """One dispatch with its status timestamps, turnout and travel times."""
    d = service.get_or_raise(session=session, principal=principal, dispatch_id=dispatch_id)
    set_etag(response, d.version)
    return DispatchRead.model_validate(d)


@router.post("/{dispatch_id:int}/status", response_model=DispatchRead)
def report_dispatch_status(
    dispatch_id: Id,
    data: DispatchStatusChange,
    session: SessionDep,
    principal: DispatchReporter,
    response: Response,
    if_match: IfMatch = None,
) -> DispatchRead:
    """Acknowledge / en route / on scene / released / cancelled; the team's status follows."""
    d = service.get_or_raise(session=session, principal=principal, dispatch_id=dispatch_id)
    check_if_match_sent(if_match, d.version)
    service.change_status(session=session, principal=principal, dispatch=d, data=data)
    session.commit()
    set_etag(response, d.version)
    return DispatchRead.model_validate(d)
