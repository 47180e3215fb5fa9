from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, JSONType, utcnow


class OutboxEvent(Base):
    """An event written in the same transaction as the change it describes (DESIGN §9).

    `seq` is null until the relay publishes the row; the relay assigns it in
    publish order, so published rows form the durable, gap-free event log.
    """

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    drill_id: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    published_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "ix_outbox_events_unpublished", "id", postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")
        ),
    )


class EventLogMeta(Base):
    """The single row naming the event log's `epoch` (changes when the log is reset)."""

    __tablename__ = "event_log_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    epoch: Mapped[str] = mapped_column(String(64))
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
