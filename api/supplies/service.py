"""Supply items: read, create, describe. Quantities change only through `ledger`. Callers commit."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import announce
from api.common.listing import PageParams, fetch_page
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.errors import DuplicateEntity
from api.supplies.schemas import SupplyItemCreate, SupplyItemUpdate
from resources_db.enums import MovementReason
from resources_db.models import Depot, StockMovement, SupplyItem

FIELDS = ("depot_id", "category", "name", "unit", "quantity_on_hand", "quantity_reserved", "min_reserve", "expires_on")
ENTITY = "supply_item"


def event_data(item: SupplyItem) -> dict[str, Any]:
    """What boards get with `supply.changed`: the item's stock against its minimum reserve."""
    return {
        "supply_item_id": item.id,
        "depot_id": item.depot_id,
        "category": item.category,
        "name": item.name,
        "quantity_on_hand": item.quantity_on_hand,
        "quantity_reserved": item.quantity_reserved,
        "min_reserve": item.min_reserve,
        "version": item.version,
    }


def snapshot(item: SupplyItem) -> dict[str, Any]:
    return {f: getattr(item, f) for f in FIELDS}


def get_or_raise(*, session: Session, item_id: int) -> SupplyItem:
    """The supply item, or 404."""
    return get_or_404(session, SupplyItem, item_id, what="supply item")


def filtered(
    *,
    depot_id: int | None = None,
    category: str | None = None,
    jurisdiction: str | None = None,
    below_min_reserve: bool | None = None,
    expiring_within_days: int | None = None,
    today: date | None = None,
) -> Select[Any]:
    """The select of items matching every given filter; `expiring_within_days` includes already expired stock."""
    stmt = select(SupplyItem)
    if depot_id is not None:
        stmt = stmt.where(SupplyItem.depot_id == depot_id)
    if category:
        stmt = stmt.where(SupplyItem.category == category)
    if jurisdiction:
        stmt = stmt.where(SupplyItem.depot_id.in_(select(Depot.id).where(Depot.jurisdiction == jurisdiction)))
    if below_min_reserve is not None:
        below = SupplyItem.quantity_on_hand < SupplyItem.min_reserve
        stmt = stmt.where(below if below_min_reserve else ~below)
    if expiring_within_days is not None:
        horizon = (today or datetime.now(UTC).date()) + timedelta(days=expiring_within_days)
        stmt = stmt.where(SupplyItem.expires_on.is_not(None), SupplyItem.expires_on <= horizon)
    return stmt


def list_(
    *, session: Session, stmt: Select[Any], page: PageParams
) -> tuple[list[tuple[SupplyItem, float | None]], str | None]:
    """A page of items in id order."""
    return fetch_page(session, stmt, id_col=SupplyItem.id, page=page)


def all_(*, session: Session, stmt: Select[Any]) -> list[SupplyItem]:
    """Every matching item in id order (for export)."""
    return list(session.scalars(stmt.order_by(SupplyItem.id)))


def find_by_name(*, session: Session, depot_id: int, name: str) -> SupplyItem | None:
    """The depot's item with this name, if any: (depot, name) is how spreadsheets identify items."""
    stmt = select(SupplyItem).where(SupplyItem.depot_id == depot_id, SupplyItem.name == name)
    return session.scalars(stmt.order_by(SupplyItem.id).limit(1)).first()


def _refuse_duplicate(session: Session, depot_id: int, name: str, *, except_id: int | None = None) -> None:
    found = find_by_name(session=session, depot_id=depot_id, name=name)
    if found is not None and found.id != except_id:
        raise DuplicateEntity(f"depot {depot_id} already has an item named {name!r} (id {found.id})")


def add(*, session: Session, actor: str, data: SupplyItemCreate) -> tuple[SupplyItem, StockMovement | None]:
    """Insert an item and, for initial stock, its `receive` movement; no audit row (the caller writes it)."""
    item = SupplyItem(**data.model_dump(), quantity_reserved=0)
    session.add(item)
    session.flush()
    movement = None
    if data.quantity_on_hand:
        # A brand-new row: nobody else can touch it yet, so stock and ledger are written side by side.
        movement = StockMovement(
            supply_item_id=item.id, delta=data.quantity_on_hand, reason=MovementReason.receive, actor=actor
        )
        session.add(movement)
        session.flush()
    return item, movement


def create(*, session: Session, principal: Principal, data: SupplyItemCreate) -> SupplyItem:
    """A new item in an existing depot, its initial stock written to the ledger as `receive`."""
    require(session, Depot, data.depot_id, field="body.depot_id")
    _refuse_duplicate(session, data.depot_id, data.name)
    item, movement = add(session=session, actor=principal.username, data=data)
    after = {**snapshot(item), "movement_id": movement.id if movement else None}
    audit.record(session, principal=principal, action="supply.create", entity=ENTITY, entity_id=item.id, after=after)
    announce(session, event_type="supply.created", data=event_data(item))
    return item


def describe(*, session: Session, item: SupplyItem, changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set descriptive fields and flush (versioned); the changed fields as (before, after)."""
    if "name" in changes:
        _refuse_duplicate(session, item.depot_id, changes["name"], except_id=item.id)
    before = snapshot(item)
    for field, value in changes.items():
        setattr(item, field, value)
    old, new = audit.diff(before, snapshot(item))
    if new:
        session.flush()
    return old, new


def update(*, session: Session, principal: Principal, item: SupplyItem, data: SupplyItemUpdate) -> SupplyItem:
    """Apply the descriptive fields given; the version check happens at flush (optimistic lock)."""
    old, new = describe(session=session, item=item, changes=data.model_dump(exclude_unset=True))
    if new:
        audit.record(
            session,
            principal=principal,
            action="supply.update",
            entity=ENTITY,
            entity_id=item.id,
            before=old,
            after=new,
        )
        announce(session, event_type="supply.updated", data=event_data(item))
    return item
