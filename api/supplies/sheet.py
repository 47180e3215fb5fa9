"""Supply items as a spreadsheet: export, and an all-or-nothing import matched by (depot_id, name).

Columns `id` and `quantity_reserved` are exported for reference. On import
`id` must be empty or name the matched item, and `quantity_reserved` must be
empty or equal the current figure: reservations move only through allocations.
A changed `quantity_on_hand` is a stock count: it is written as an `adjust`
movement of the difference, guarded so it applies only to the figure that was
validated (a concurrent movement makes the import fail with 409, not drift).
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import one_event
from api.common import csvio
from api.common.ids import Id
from api.common.schemas import Name, PrintableText
from api.deps import Principal
from api.errors import InvalidInput
from api.supplies import ledger, service
from api.supplies.rules import MAX_ON_HAND
from api.supplies.schemas import Category, SupplyItemCreate, Unit
from resources_db.enums import MovementReason
from resources_db.models import Depot, SupplyItem

COLUMNS = (
    "id",
    "depot_id",
    "category",
    "name",
    "unit",
    "quantity_on_hand",
    "quantity_reserved",
    "min_reserve",
    "expires_on",
)
DESCRIPTIVE = ("category", "unit", "min_reserve", "expires_on")


class RawRow(BaseModel):
    """The columns as text: csvio checks the header and line structure against this."""

    id: str | None = None
    depot_id: str
    category: str
    name: str
    unit: str
    quantity_on_hand: str
    quantity_reserved: str | None = None
    min_reserve: str | None = None
    expires_on: str | None = None


class SupplyRow(PrintableText):
    """One typed row; an empty `min_reserve` means 0 and an empty `expires_on` means no expiry."""

    id: Id | None = None
    depot_id: Id
    category: Category
    name: Name
    unit: Unit
    quantity_on_hand: int = Field(ge=0, le=MAX_ON_HAND)
    quantity_reserved: int | None = Field(None, ge=0)
    min_reserve: int = Field(0, ge=0, le=MAX_ON_HAND)
    expires_on: date | None = None


def export(items: list[SupplyItem]) -> str:
    """CSV text of the items, one row each."""
    return csvio.render(COLUMNS, ({c: getattr(i, c) for c in COLUMNS} for i in items))


def _typed(line: int, raw: RawRow, errors: list[dict[str, Any]]) -> SupplyRow | None:
    try:
        return SupplyRow.model_validate(raw.model_dump(exclude_none=True))
    except ValidationError as exc:
        for err in exc.errors():
            errors.append(csvio.row_error(line, str(err["loc"][0]) if err["loc"] else "", err["msg"]))
        return None


def _check(line: int, row: SupplyRow, item: SupplyItem | None, errors: list[dict[str, Any]]) -> None:
    reserved = item.quantity_reserved if item else 0
    if row.id is not None and (item is None or item.id != row.id):
        errors.append(
            csvio.row_error(line, "id", "does not match the item with this depot_id and name; leave it empty")
        )
    if row.quantity_reserved is not None and row.quantity_reserved != reserved:
        errors.append(csvio.row_error(line, "quantity_reserved", f"is {reserved}; it changes only through allocations"))
    if row.quantity_on_hand < reserved:
        errors.append(csvio.row_error(line, "quantity_on_hand", f"below the {reserved} reserved"))


def validate(*, session: Session, data: bytes) -> list[tuple[int, SupplyRow, SupplyItem | None]]:
    """Every row typed and checked against the database, each with its matched item; or 422 listing every bad row."""
    errors: list[dict[str, Any]] = []
    typed = [(line, row) for line, raw in csvio.parse(data, RawRow) if (row := _typed(line, raw, errors))]
    depot_ids = {row.depot_id for _, row in typed}
    known = set(session.scalars(select(Depot.id).where(Depot.id.in_(depot_ids)))) if depot_ids else set()
    items: list[SupplyItem] = []
    if known:
        items = list(session.scalars(select(SupplyItem).where(SupplyItem.depot_id.in_(known))))
    # Lowest id wins, as in `service.find_by_name`.
    by_key = {(i.depot_id, i.name): i for i in sorted(items, key=lambda i: -i.id)}
    seen: dict[tuple[int, str], int] = {}
    out: list[tuple[int, SupplyRow, SupplyItem | None]] = []
    for line, row in typed:
        key = (row.depot_id, row.name)
        if row.depot_id not in known:
            errors.append(csvio.row_error(line, "depot_id", f"no depot {row.depot_id}"))
            continue
        if key in seen:
            errors.append(csvio.row_error(line, "name", f"repeats line {seen[key]} (same depot_id and name)"))
            continue
        seen[key] = line
        item = by_key.get(key)
        _check(line, row, item, errors)
        out.append((line, row, item))
    if errors:
        errors.sort(key=lambda e: e["line"] or 0)
        lines = sorted({e["line"] for e in errors})
        raise InvalidInput(f"bad row(s) on line(s) {', '.join(map(str, lines))}; nothing was imported", errors)
    return out


def _create(session: Session, principal: Principal, row: SupplyRow) -> None:
    data = SupplyItemCreate.model_validate(row.model_dump(exclude={"id", "quantity_reserved"}))
    item, movement = service.add(session=session, actor=principal.username, data=data)
    after = {**service.snapshot(item), "movement_id": movement.id if movement else None, "source": "csv"}
    audit.record(
        session, principal=principal, action="supply.create", entity=service.ENTITY, entity_id=item.id, after=after
    )


def _update(session: Session, principal: Principal, row: SupplyRow, item: SupplyItem) -> bool:
    changes = {f: getattr(row, f) for f in DESCRIPTIVE if getattr(row, f) != getattr(item, f)}
    old, new = service.describe(session=session, item=item, changes=changes)
    delta = row.quantity_on_hand - item.quantity_on_hand
    if delta:
        old["quantity_on_hand"] = item.quantity_on_hand
        movement = ledger.change_stock(
            session=session,
            item=item,
            delta=delta,
            reason=MovementReason.adjust,
            actor=principal.username,
            note="stock count from CSV import",
            expect_on_hand=item.quantity_on_hand,
        )
        new.update(quantity_on_hand=item.quantity_on_hand, movement_id=movement.id, delta=delta)
    if not new:
        return False
    audit.record(
        session,
        principal=principal,
        action="supply.update",
        entity=service.ENTITY,
        entity_id=item.id,
        before=old,
        after={**new, "source": "csv"},
    )
    return True


def import_(*, session: Session, principal: Principal, data: bytes) -> dict[str, int]:
    """Validate the whole sheet, then create or update each row; counts of created, updated and unchanged rows."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rows = validate(session=session, data=data)
    # One "reload the supplies" event for the whole sheet, not one per row.
    with one_event(session, event_type="supply.reload", data={"section": "supplies", "counts": counts}):
        for _, row, item in rows:
            if item is None:
                _create(session, principal, row)
                counts["created"] += 1
            elif _update(session, principal, row, item):
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
