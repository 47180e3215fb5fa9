from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum, utcnow
from resources_db.enums import DepotOperator, MovementReason


class Depot(Base):
    __tablename__ = "depots"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    operator: Mapped[DepotOperator] = mapped_column(str_enum(DepotOperator, "depot_operator"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class SupplyItem(Base):
    """Stock of one kind of supply in one depot.

    `quantity_on_hand` is a cache of the sum of the item's StockMovement rows;
    it is only ever changed together with a new movement (see the ledger service).
    """

    __tablename__ = "supply_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128))
    unit: Mapped[str] = mapped_column(String(16))
    quantity_on_hand: Mapped[int] = mapped_column(default=0)
    quantity_reserved: Mapped[int] = mapped_column(default=0)
    min_reserve: Mapped[int] = mapped_column(default=0)
    expires_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Import matches rows by (depot, name); two items of one name in one depot would make that ambiguous.
        UniqueConstraint("depot_id", "name"),
        CheckConstraint("quantity_on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("quantity_reserved >= 0 AND quantity_reserved <= quantity_on_hand", name="reserved_in_range"),
        CheckConstraint("min_reserve >= 0", name="min_reserve_not_negative"),
    )


class StockMovement(Base):
    """Append-only ledger row; nothing updates or deletes these."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    supply_item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), index=True)
    delta: Mapped[int]
    reason: Mapped[MovementReason] = mapped_column(str_enum(MovementReason, "movement_reason"))
    # Incidents arrive with the workflow tables; until then a plain reference.
    incident_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("delta <> 0", name="delta_not_zero"),)
