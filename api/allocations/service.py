"""Supplies for an incident: reserve, then issue, return, consume or cancel. Callers commit.

Quantities move only by conditional UPDATEs whose WHERE holds the stock rule
(reserve: on hand − reserved ≥ asked), so concurrent requests can never
over-commit a depot; every change of `quantity_on_hand` appends its ledger row.
- reserve:  reserved += q                       (no ledger row: the stock is still in the depot)
- cancel:   reserved -= q
- issue:    on hand -= q, reserved -= q         ledger `allocate` −q (it leaves the depot)
- return:   on hand += r (r ≤ q)                ledger `return` +r
- consume:  nothing moves                       (it left at issue; the allocation is closed)
Drill allocations are simulated: recorded with their drill, real stock untouched.
"""

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.errors import InsufficientStock, InvalidInput, InvalidTransition
from api.supplies import service as supplies
from resources_db.enums import AllocationStatus, MovementReason
from resources_db.models import Allocation, Incident, StockMovement, SupplyItem

A = AllocationStatus
TRANSITIONS: dict[AllocationStatus, frozenset[AllocationStatus]] = {
    A.reserved: frozenset({A.issued, A.cancelled}),
    A.issued: frozenset({A.returned, A.consumed}),
    A.returned: frozenset(),
    A.consumed: frozenset(),
    A.cancelled: frozenset(),
}


def get_or_raise(*, session: Session, allocation_id: int) -> Allocation:
    """The allocation, or 404."""
    return get_or_404(session, Allocation, allocation_id, what="allocation")


def filtered(*, incident_id: int | None, supply_item_id: int | None, status: AllocationStatus | None) -> Select[Any]:
    stmt = select(Allocation)
    if incident_id is not None:
        stmt = stmt.where(Allocation.incident_id == incident_id)
    if supply_item_id is not None:
        stmt = stmt.where(Allocation.supply_item_id == supply_item_id)
    if status is not None:
        stmt = stmt.where(Allocation.status == status)
    return stmt


def _stock_update(session: Session, item_id: int, *, on_hand: int = 0, reserved: int = 0, need_free: int = 0) -> bool:
    """Apply the deltas if the rule holds; False when it does not (nothing changed)."""
    stmt = (
        update(SupplyItem)
        .where(SupplyItem.id == item_id)
        .values(
            quantity_on_hand=SupplyItem.quantity_on_hand + on_hand,
            quantity_reserved=SupplyItem.quantity_reserved + reserved,
            version=SupplyItem.version + 1,
        )
        .returning(SupplyItem.id)
        .execution_options(synchronize_session=False)
    )
    if need_free:
        stmt = stmt.where(SupplyItem.quantity_on_hand - SupplyItem.quantity_reserved >= need_free)
    return session.execute(stmt).scalar_one_or_none() is not None


def _ledger(
    session: Session, alloc: Allocation, delta: int, reason: MovementReason, actor: str, note: str | None
) -> None:
    session.add(
        StockMovement(
            supply_item_id=alloc.supply_item_id,
            delta=delta,
            reason=reason,
            actor=actor,
            incident_id=alloc.incident_id,
            note=note or f"allocation {alloc.id}",
        )
    )


def _record(session: Session, principal: Principal, alloc: Allocation, before: AllocationStatus | None) -> None:
    item = session.get(SupplyItem, alloc.supply_item_id)
    assert item is not None
    if alloc.drill_id is None:
        session.refresh(item)  # the UPDATE went around the ORM
    data = {
        **supplies.event_data(item),
        "allocation_id": alloc.id,
        "incident_id": alloc.incident_id,
        "status": alloc.status,
        "quantity": alloc.quantity,
        "quantity_returned": alloc.quantity_returned,
    }
    record_change(
        session,
        principal=principal,
        action=f"allocation.{alloc.status.value}",
        entity="allocation",
        entity_id=alloc.id,
        before={"status": before} if before else None,
        after=data,
        event_type="supply.changed",
        event_data=data,
        drill_id=alloc.drill_id,
        incident_id=alloc.incident_id,
        message=f"{alloc.status.value} {alloc.quantity} × {item.name} ({item.unit})",
    )


def reserve(*, session: Session, principal: Principal, incident_id: int, item_id: int, quantity: int) -> Allocation:
    """Hold stock for an incident: 409 `insufficient-stock` (nothing written) when on hand − reserved is short."""
    incident: Incident = require(session, Incident, incident_id, field="body.incident_id")
    exercise.guard_role(principal, incident.drill_id)
    item: SupplyItem = require(session, SupplyItem, item_id, field="body.supply_item_id")
    if incident.drill_id is None and not _stock_update(session, item.id, reserved=quantity, need_free=quantity):
        session.refresh(item)
        raise InsufficientStock(
            f"item {item.id} has {item.quantity_on_hand} on hand and {item.quantity_reserved} reserved; "
            f"asked to reserve {quantity}",
            on_hand=item.quantity_on_hand,
            reserved=item.quantity_reserved,
            asked=quantity,
        )
    alloc = Allocation(
        incident_id=incident.id,
        supply_item_id=item.id,
        quantity=quantity,
        status=A.reserved,
        drill_id=incident.drill_id,
        actor=principal.username,
    )
    session.add(alloc)
    session.flush()
    _record(session, principal, alloc, None)
    return alloc


def advance(
    *,
    session: Session,
    principal: Principal,
    alloc: Allocation,
    to: AllocationStatus,
    returned: int | None = None,
    note: str | None = None,
) -> Allocation:
    """Issue, return, consume or cancel, moving stock and ledger as the module docstring says."""
    exercise.guard_role(principal, alloc.drill_id)
    if to not in TRANSITIONS[alloc.status]:
        raise InvalidTransition(alloc.status.value, to.value, sorted(s.value for s in TRANSITIONS[alloc.status]))
    q = alloc.quantity
    if returned is not None and (to is not A.returned or returned > q):
        message = f"at most {q} can come back" if to is A.returned else "a quantity goes with a return only"
        raise InvalidInput(message, [{"field": "body.quantity", "message": message}])
    real = alloc.drill_id is None
    if real and to is A.issued:
        _stock_update(session, alloc.supply_item_id, on_hand=-q, reserved=-q)
        _ledger(session, alloc, -q, MovementReason.allocate, principal.username, note)
    elif real and to is A.cancelled:
        _stock_update(session, alloc.supply_item_id, reserved=-q)
    elif real and to is A.returned:
        back = q if returned is None else returned
        _stock_update(session, alloc.supply_item_id, on_hand=back)
        _ledger(session, alloc, back, MovementReason.return_, principal.username, note)
    if to is A.returned:
        alloc.quantity_returned = q if returned is None else returned
    before = alloc.status
    alloc.status = to
    session.flush()
    _record(session, principal, alloc, before)
    return alloc
