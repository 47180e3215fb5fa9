from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile, status
from sqlalchemy import Select

from api.auth.permissions import LibraryWriter, Reader
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.library_views import Library
from api.common.listing import PageDep
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from api.supplies import ledger, service, sheet
from api.supplies.schemas import (
    Category,
    ImportResult,
    MovementCreate,
    MovementPage,
    MovementRead,
    MovementResult,
    SupplyItemCreate,
    SupplyItemPage,
    SupplyItemRead,
    SupplyItemUpdate,
)

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/supply-items", tags=["supplies"])
items = Library(
    router, "item", read=SupplyItemRead, load=lambda s, item_id: service.get_or_raise(session=s, item_id=item_id)
)


@dataclass(frozen=True, slots=True)
class ItemFilters:
    depot_id: int | None
    category: str | None
    jurisdiction: str | None
    below_min_reserve: bool | None
    expiring_within_days: int | None


def item_filters(
    depot_id: Annotated[Id | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    jurisdiction: Annotated[str | None, Query(max_length=32, description="the depot's jurisdiction")] = None,
    below_min_reserve: Annotated[bool | None, Query(description="on hand below min_reserve")] = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=3650, description="includes expired")] = None,
) -> ItemFilters:
    return ItemFilters(depot_id, category, jurisdiction, below_min_reserve, expiring_within_days)


FiltersDep = Annotated[ItemFilters, Depends(item_filters)]


def _filtered(f: ItemFilters) -> Select[Any]:
    return service.filtered(**asdict(f))


# The CSV routes come before `/{item_id}`: routes match in declaration order.
@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_items(session: SessionDep, _: Reader, filters: FiltersDep) -> Response:
    """The matching items as CSV (same filters as the list), ready to edit and import again."""
    text = sheet.export(service.all_(session=session, stmt=_filtered(filters)))
    disposition = 'attachment; filename="supply-items.csv"'
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})


@router.post("/import", response_model=ImportResult)
def import_items(
    session: SessionDep, principal: LibraryWriter, file: Annotated[UploadFile, File(description="CSV as exported")]
) -> ImportResult:
    """Create or update items from a CSV sheet, all or nothing; stock changes become `adjust` movements."""
    counts = sheet.import_(session=session, principal=principal, data=file.file.read())
    session.commit()
    return ImportResult(**counts)


@router.get("", response_model=SupplyItemPage)
def list_items(session: SessionDep, _: Reader, page: PageDep, filters: FiltersDep) -> SupplyItemPage:
    """Supply items, filtered, in id order."""
    rows, next_cursor = service.list_(session=session, stmt=_filtered(filters), page=page)
    return SupplyItemPage(items=[SupplyItemRead.model_validate(i) for i, _ in rows], next_cursor=next_cursor)


items.create(
    SupplyItemCreate,
    LibraryWriter,
    service.create,
    doc="Add an item to a depot; its initial stock is the first `receive` in its ledger.",
)
items.get()
items.patch(
    SupplyItemUpdate,
    LibraryWriter,
    lambda session, principal, item, data: service.update(session=session, principal=principal, item=item, data=data),
    doc="Change an item's description (`If-Match` required); quantities change through movements only.",
)


@router.post("/{item_id:int}/movements", response_model=MovementResult, status_code=status.HTTP_201_CREATED)
def post_movement(
    item_id: Id,
    data: MovementCreate,
    session: SessionDep,
    principal: LibraryWriter,
    response: Response,
    if_match: IfMatch = None,
) -> MovementResult:
    """Append a movement to the ledger; 409 `insufficient-stock` if it would take stock below what is reserved."""
    item = service.get_or_raise(session=session, item_id=item_id)
    check_if_match_sent(if_match, item.version)
    movement = ledger.move(session=session, principal=principal, item=item, data=data)
    session.commit()
    set_etag(response, item.version)
    return MovementResult(movement=MovementRead.model_validate(movement), item=SupplyItemRead.model_validate(item))


@router.get("/{item_id:int}/movements", response_model=MovementPage)
def list_movements(item_id: Id, session: SessionDep, _: Reader, page: PageDep) -> MovementPage:
    """The item's ledger, oldest first."""
    service.get_or_raise(session=session, item_id=item_id)
    rows, next_cursor = ledger.list_(session=session, item_id=item_id, page=page)
    return MovementPage(items=[MovementRead.model_validate(m) for m, _ in rows], next_cursor=next_cursor)
