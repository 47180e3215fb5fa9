"""The stock ledger: every change of `quantity_on_hand` is one conditional UPDATE plus one StockMovement row.

The check "enough stock" lives in the UPDATE's WHERE clause, never in Python:
on PostgreSQL (READ COMMITTED) a second writer waits for the row lock and then
re-evaluates the WHERE against the committed row, and SQLite runs every
transaction under BEGIN IMMEDIATE. So concurrent consumers can never take the
stock below what is reserved, and each success appends exactly one ledger row.
"""

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common.listing import PageParams, fetch_page
from api.deps import Principal
from api.errors import Conflict, InsufficientStock, NotFound
from api.supplies.rules import MAX_ON_HAND, ledger_reason
from api.supplies.schemas import MovementCreate
from api.supplies.service import ENTITY, event_data
from resources_db.enums import MovementReason
from resources_db.models import StockMovement, SupplyItem


def _refusal(session: Session, item_id: int, delta: int, expect_on_hand: int | None) -> Exception:
    """Why the conditional UPDATE matched no row, read after the fact for the message only."""
    row = session.execute(
        select(SupplyItem.quantity_on_hand, SupplyItem.quantity_reserved).where(SupplyItem.id == item_id)
    ).first()
    if row is None:
        return NotFound(f"no supply item {item_id}")
    on_hand, reserved = row
    if expect_on_hand is not None and on_hand != expect_on_hand:
        return Conflict(f"item {item_id} changed meanwhile: {on_hand} on hand, expected {expect_on_hand}; reload")
    if on_hand + delta > MAX_ON_HAND:
        return Conflict(f"item {item_id} would hold more than {MAX_ON_HAND}", on_hand=on_hand)
    return InsufficientStock(
        f"item {item_id} has {on_hand} on hand and {reserved} reserved; asked to remove {-delta}, "
        f"at most {on_hand - reserved} can go",
        on_hand=on_hand,
        reserved=reserved,
        asked=-delta,
    )


def change_stock(
    *,
    session: Session,
    item: SupplyItem,
    delta: int,
    reason: MovementReason,
    actor: str,
    note: str | None = None,
    incident_id: int | None = None,
    expect_on_hand: int | None = None,
) -> StockMovement:
    """Add `delta` atomically and append its movement; 409 (nothing written) if stock would go below reserved.

    `expect_on_hand` additionally requires the current figure (a stock count taken from a sheet).
    Writes no audit row: the caller records one for the whole change.
    """
    new_on_hand = SupplyItem.quantity_on_hand + delta
    stmt = (
        update(SupplyItem)
        .where(
            SupplyItem.id == item.id,
            new_on_hand >= SupplyItem.quantity_reserved,
            new_on_hand >= 0,
            new_on_hand <= MAX_ON_HAND,
        )
        .values(quantity_on_hand=new_on_hand, version=SupplyItem.version + 1)
        .returning(SupplyItem.id)
        .execution_options(synchronize_session=False)
    )
    if expect_on_hand is not None:
        stmt = stmt.where(SupplyItem.quantity_on_hand == expect_on_hand)
    if session.execute(stmt).scalar_one_or_none() is None:
        raise _refusal(session, item.id, delta, expect_on_hand)
    movement = StockMovement(
        supply_item_id=item.id, delta=delta, reason=reason, actor=actor, note=note, incident_id=incident_id
    )
    session.add(movement)
    session.flush()
    # The UPDATE bypassed the ORM: reload so the response (and version_id_col) see the new row.
    session.refresh(item)
    return movement


def move(*, session: Session, principal: Principal, item: SupplyItem, data: MovementCreate) -> StockMovement:
    """Post a hand-entered movement (receive, return, consume, adjust, expire) with its audit row."""
    movement = change_stock(
        session=session,
        item=item,
        delta=data.delta,
        reason=ledger_reason(data.reason),
        actor=principal.username,
        note=data.note,
        incident_id=data.incident_id,
    )
    after = {
        "movement_id": movement.id,
        "delta": data.delta,
        "reason": movement.reason,
        "quantity_on_hand": item.quantity_on_hand,
        "incident_id": data.incident_id,
        "note": data.note,
    }
    record_change(
        session,
        principal=principal,
        action="supply.movement",
        entity=ENTITY,
        entity_id=item.id,
        before={"quantity_on_hand": item.quantity_on_hand - data.delta},
        after=after,
        event_type="supply.changed",
        event_data=event_data(item),
        drill_id=None,
    )
    return movement


def movements_of(item_id: int) -> Select[Any]:
    return select(StockMovement).where(StockMovement.supply_item_id == item_id)


def list_(
    *, session: Session, item_id: int, page: PageParams
) -> tuple[list[tuple[StockMovement, float | None]], str | None]:
    """A page of the item's ledger, oldest first."""
    return fetch_page(session, movements_of(item_id), id_col=StockMovement.id, page=page)
