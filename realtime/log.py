"""The durable event log: published outbox rows, numbered by `seq` in publish order (DESIGN §9).

Blocking database calls; the relay and the hub run them in worker threads.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from sqlalchemy import Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from realtime.envelope import render
from resources_db.base import utcnow
from resources_db.engine import sqlite_write_intent
from resources_db.models import EventLogMeta, OutboxEvent

META_ID = 1


@dataclass(frozen=True, slots=True)
class LogState:
    epoch: str
    last_seq: int
    first_seq: int  # the oldest seq still held (last_seq + 1 when the log is empty)


def ensure_meta(engine: Engine) -> LogState:
    """The log's state, creating its epoch on first use."""
    try:
        with engine.begin() as conn:
            row = conn.execute(select(EventLogMeta.last_seq).where(EventLogMeta.id == META_ID)).first()
            if row is None:
                conn.execute(insert(EventLogMeta).values(id=META_ID, epoch=uuid.uuid4().hex, last_seq=0))
    except IntegrityError:
        pass  # another process created it first; theirs is the epoch
    return state(engine)


def new_epoch(engine: Engine) -> str:
    """Start a new epoch (after a restore from backup): every client resuming by seq is told to resync,
    because seqs after the backup point will be handed out again for other events."""
    epoch = uuid.uuid4().hex
    ensure_meta(engine)
    with engine.begin() as conn:
        conn.execute(update(EventLogMeta).where(EventLogMeta.id == META_ID).values(epoch=epoch))
    return epoch


def state(engine: Engine) -> LogState:
    with engine.connect() as conn:
        row = conn.execute(select(EventLogMeta.epoch, EventLogMeta.last_seq).where(EventLogMeta.id == META_ID)).one()
        first = conn.execute(select(func.min(OutboxEvent.seq))).scalar()
    return LogState(row.epoch, int(row.last_seq), int(first) if first is not None else int(row.last_seq) + 1)


_ANY_PENDING = select(OutboxEvent.id).where(OutboxEvent.seq.is_(None)).limit(1)


def _any_pending(engine: Engine) -> bool:
    """Whether an unpublished row is committed, read without locks.

    Many polls find nothing: on SQLite the relay polls 50 times a second, and
    everywhere it polls once more after each batch. Numbering takes the meta
    row lock: on PostgreSQL a transaction id, a WAL record and a flush at
    commit, on SQLite the write lock. Asked first, an empty poll is one read of
    the partial index; a row committed just after it waits for the next poll.
    """
    token = sqlite_write_intent.set(False)
    try:
        with engine.connect() as conn:
            return conn.execute(_ANY_PENDING).first() is not None
    finally:
        sqlite_write_intent.reset(token)


def publish_pending(engine: Engine, *, limit: int = 500) -> list[tuple[int, str]]:
    """Number the committed, unpublished outbox rows in id order and return (seq, envelope text).

    The meta row lock serialises numbering, so even two relays at once could
    not hand out one seq twice (and `seq` is unique besides).
    """
    if not _any_pending(engine):
        return []
    with engine.begin() as conn:
        meta = conn.execute(
            select(EventLogMeta.epoch, EventLogMeta.last_seq).where(EventLogMeta.id == META_ID).with_for_update()
        ).one()
        rows = conn.execute(
            select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.at, OutboxEvent.drill_id, OutboxEvent.data)
            .where(OutboxEvent.seq.is_(None))
            .order_by(OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return []
        now = utcnow()
        seq = int(meta.last_seq)
        out: list[tuple[int, str]] = []
        params = []
        for row in rows:
            seq += 1
            params.append({"row_id": row.id, "new_seq": seq})
            out.append(
                (
                    seq,
                    render(seq=seq, epoch=meta.epoch, type_=row.type, at=row.at, drill_id=row.drill_id, data=row.data),
                )
            )
        table = cast(Table, OutboxEvent.__table__)
        conn.execute(
            update(table).where(table.c.id == bindparam("row_id")).values(seq=bindparam("new_seq"), published_at=now),
            params,
        )
        conn.execute(update(EventLogMeta).where(EventLogMeta.id == META_ID).values(last_seq=seq))
    return out


def read_after(engine: Engine, *, after: int, upto: int | None = None, limit: int = 1000) -> list[tuple[int, str]]:
    """Published events with after < seq (≤ upto), in seq order, as envelope text."""
    with engine.connect() as conn:
        epoch = conn.execute(select(EventLogMeta.epoch).where(EventLogMeta.id == META_ID)).scalar_one()
        stmt = (
            select(OutboxEvent.seq, OutboxEvent.type, OutboxEvent.at, OutboxEvent.drill_id, OutboxEvent.data)
            .where(OutboxEvent.seq > after)
            .order_by(OutboxEvent.seq)
            .limit(limit)
        )
        if upto is not None:
            stmt = stmt.where(OutboxEvent.seq <= upto)
        rows = conn.execute(stmt).all()
    return [
        (int(r.seq), render(seq=int(r.seq), epoch=epoch, type_=r.type, at=r.at, drill_id=r.drill_id, data=r.data))
        for r in rows
    ]


def prune(engine: Engine, *, keep: timedelta, keep_max: int) -> int:
    """Drop published events older than `keep` or beyond the newest `keep_max`; unpublished rows stay."""
    with engine.begin() as conn:
        last = conn.execute(select(EventLogMeta.last_seq).where(EventLogMeta.id == META_ID)).scalar() or 0
        cutoff = utcnow() - keep
        result = conn.execute(
            delete(OutboxEvent).where(
                OutboxEvent.seq.is_not(None),
                (OutboxEvent.published_at < cutoff) | (OutboxEvent.seq <= int(last) - keep_max),
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)
