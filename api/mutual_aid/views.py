from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from api.auth.permissions import MutualAidWriter, Reader
from api.common import idempotency
from api.common.drills import DrillScopeDep
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.mutual_aid import service
from api.mutual_aid.schemas import (
    MutualAidApprove,
    MutualAidCreate,
    MutualAidDecline,
    MutualAidFulfil,
    MutualAidPage,
    MutualAidRead,
)
from api.routing import UnitOfWorkRoute
from resources_db.enums import MutualAidStatus
from resources_db.models import MutualAidRequest

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/mutual-aid-requests", tags=["mutual aid"])


def _answer(row: MutualAidRequest, response: Response) -> MutualAidRead:
    set_etag(response, row.version)
    return MutualAidRead.model_validate(row)


@router.post("", response_model=MutualAidRead, status_code=status.HTTP_201_CREATED)
def request_mutual_aid(
    data: MutualAidCreate, session: SessionDep, principal: MutualAidWriter, idem: idempotency.IdempotencyDep
) -> JSONResponse:
    """Ask a neighbouring jurisdiction for teams or supplies for an incident. Honours `Idempotency-Key`."""

    def write() -> tuple[MutualAidRead, dict[str, str]]:
        row = service.create(session=session, principal=principal, data=data)
        return MutualAidRead.model_validate(row), {
            "Location": f"/api/v1/mutual-aid-requests/{row.id}",
            "ETag": f'"{row.version}"',
        }

    return idempotency.run(idem, session, data, status_code=201, write=write)


@router.get("", response_model=MutualAidPage)
def list_mutual_aid_requests(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    scope: DrillScopeDep,
    incident_id: Annotated[Id | None, Query()] = None,
    status: MutualAidStatus | None = None,
    to_jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
) -> MutualAidPage:
    """Requests, oldest first; real ones only unless `drill_id` or `include_drills` asks for exercise data."""
    stmt = service.filtered(incident_id=incident_id, status=status, to_jurisdiction=to_jurisdiction)
    stmt = scope.apply(stmt, MutualAidRequest.drill_id)
    rows, next_cursor = fetch_page(session, stmt, id_col=MutualAidRequest.id, page=page)
    return MutualAidPage(items=[MutualAidRead.model_validate(r) for r, _ in rows], next_cursor=next_cursor)


@router.get("/{request_id:int}", response_model=MutualAidRead)
def get_mutual_aid_request(request_id: Id, session: SessionDep, _: Reader, response: Response) -> MutualAidRead:
    """One request with its decision."""
    return _answer(service.get_or_raise(session=session, request_id=request_id), response)


@router.post("/{request_id:int}/approve", response_model=MutualAidRead)
def approve_mutual_aid_request(
    request_id: Id,
    data: MutualAidApprove,
    session: SessionDep,
    principal: MutualAidWriter,
    response: Response,
    if_match: IfMatch = None,
) -> MutualAidRead:
    """Lend one of the neighbour's available teams; it can then be dispatched to the incident."""
    row = service.get_or_raise(session=session, request_id=request_id, for_update=True)
    check_if_match_sent(if_match, row.version)
    service.approve(session=session, principal=principal, row=row, data=data)
    session.commit()
    return _answer(row, response)


@router.post("/{request_id:int}/decline", response_model=MutualAidRead)
def decline_mutual_aid_request(
    request_id: Id,
    data: MutualAidDecline,
    session: SessionDep,
    principal: MutualAidWriter,
    response: Response,
    if_match: IfMatch = None,
) -> MutualAidRead:
    """The neighbour cannot help; the note says why."""
    row = service.get_or_raise(session=session, request_id=request_id, for_update=True)
    check_if_match_sent(if_match, row.version)
    service.decline(session=session, principal=principal, row=row, note=data.note)
    session.commit()
    return _answer(row, response)


@router.post("/{request_id:int}/fulfil", response_model=MutualAidRead)
def fulfil_mutual_aid_request(
    request_id: Id,
    session: SessionDep,
    principal: MutualAidWriter,
    response: Response,
    data: MutualAidFulfil | None = None,
    if_match: IfMatch = None,
) -> MutualAidRead:
    """Close an approved request once the help has arrived or been released (the body is optional)."""
    row = service.get_or_raise(session=session, request_id=request_id, for_update=True)
    check_if_match_sent(if_match, row.version)
    service.fulfil(session=session, principal=principal, row=row, note=data.note if data else None)
    session.commit()
    return _answer(row, response)
