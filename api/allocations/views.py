from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse

from api.allocations import service
from api.allocations.schemas import AllocationCreate, AllocationNote, AllocationPage, AllocationRead, AllocationReturn
from api.auth.permissions import Allocator, Reader
from api.common import idempotency
from api.common.drills import DrillScopeDep
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.deps import Principal, SessionDep
from api.routing import UnitOfWorkRoute
from resources_db.enums import AllocationStatus
from resources_db.models import Allocation

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/allocations", tags=["allocations"])


@router.post("", response_model=AllocationRead, status_code=status.HTTP_201_CREATED)
def reserve_supplies(
    data: AllocationCreate, session: SessionDep, principal: Allocator, idem: idempotency.IdempotencyDep
) -> JSONResponse:
    """Reserve stock for an incident; 409 `insufficient-stock` when on hand − reserved is short (Idempotency-Key)."""

    def write() -> tuple[AllocationRead, dict[str, str]]:
        a = service.reserve(
            session=session,
            principal=principal,
            incident_id=data.incident_id,
            item_id=data.supply_item_id,
            quantity=data.quantity,
        )
        return AllocationRead.model_validate(a), {"Location": f"/api/v1/allocations/{a.id}", "ETag": f'"{a.version}"'}

    return idempotency.run(idem, session, data, status_code=201, write=write)


@router.get("", response_model=AllocationPage)
def list_allocations(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    scope: DrillScopeDep,
    incident_id: Annotated[Id | None, Query()] = None,
    supply_item_id: Annotated[Id | None, Query()] = None,
    status: AllocationStatus | None = None,
) -> AllocationPage:
    """Allocations, oldest first; real ones only unless drill data is asked for."""
    stmt = service.filtered(incident_id=incident_id, supply_item_id=supply_item_id, status=status)
    rows, next_cursor = fetch_page(session, scope.apply(stmt, Allocation.drill_id), id_col=Allocation.id, page=page)
    return AllocationPage(items=[AllocationRead.model_validate(a) for a, _ in rows], next_cursor=next_cursor)


@router.get("/{allocation_id:int}", response_model=AllocationRead)
def get_allocation(allocation_id: Id, session: SessionDep, _: Reader, response: Response) -> AllocationRead:
    """One allocation."""
    a = service.get_or_raise(session=session, allocation_id=allocation_id)
    set_etag(response, a.version)
    return AllocationRead.model_validate(a)


def _advance(
    session: SessionDep,
    principal: Principal,
    allocation_id: Id,
    to: AllocationStatus,
    data: AllocationReturn,
    response: Response,
    if_match: str | None,
) -> AllocationRead:
    a = service.get_or_raise(session=session, allocation_id=allocation_id)
    check_if_match_sent(if_match, a.version)
    service.advance(session=session, principal=principal, alloc=a, to=to, returned=data.quantity, note=data.note)
    session.commit()
    set_etag(response, a.version)
    return AllocationRead.model_validate(a)


@router.post("/{allocation_id:int}/issue", response_model=AllocationRead)
def issue_allocation(
    allocation_id: Id,
    data: AllocationNote,
    session: SessionDep,
    principal: Allocator,
    response: Response,
    if_match: IfMatch = None,
) -> AllocationRead:
    """Hand the reserved stock out: it leaves the depot (ledger `allocate`)."""
    return _advance(
        session, principal, allocation_id, AllocationStatus.issued, AllocationReturn(note=data.note), response, if_match
    )


@router.post("/{allocation_id:int}/return", response_model=AllocationRead)
def return_allocation(
    allocation_id: Id,
    data: AllocationReturn,
    session: SessionDep,
    principal: Allocator,
    response: Response,
    if_match: IfMatch = None,
) -> AllocationRead:
    """Issued stock comes back (all, or `quantity` of it): ledger `return`."""
    return _advance(session, principal, allocation_id, AllocationStatus.returned, data, response, if_match)


@router.post("/{allocation_id:int}/consume", response_model=AllocationRead)
def consume_allocation(
    allocation_id: Id,
    data: AllocationNote,
    session: SessionDep,
    principal: Allocator,
    response: Response,
    if_match: IfMatch = None,
) -> AllocationRead:
    """Issued stock was used up; the allocation is closed (it left the depot at issue)."""
    return _advance(
        session,
        principal,
        allocation_id,
        AllocationStatus.consumed,
        AllocationReturn(note=data.note),
        response,
        if_match,
    )


@router.post("/{allocation_id:int}/cancel", response_model=AllocationRead)
def cancel_allocation(
    allocation_id: Id,
    data: AllocationNote,
    session: SessionDep,
    principal: Allocator,
    response: Response,
    if_match: IfMatch = None,
) -> AllocationRead:
    """Release a reservation that was never issued."""
    return _advance(
        session,
        principal,
        allocation_id,
        AllocationStatus.cancelled,
        AllocationReturn(note=data.note),
        response,
        if_match,
    )
