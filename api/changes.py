"""The one helper a state change calls: audit row, timeline entry and outbox event, in the caller's transaction.

DESIGN §9: the event is written beside the change and committed with it;
the relay publishes it later. Nothing here publishes or commits.

Outside a `batch`, the rows are added to the session and go out with its next
flush, in whatever order and grouping the unit of work picks. Inside one, they
are kept aside and written on leaving it with one Core executemany per table,
all three in a single round trip on PostgreSQL: a write that records several
changes at once (an incident and its reporting chain) then costs no
unit-of-work bookkeeping and one wait for the database.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.common.jsonable import jsonable
from api.deps import Principal
from resources_db.base import utcnow
from resources_db.engine import one_round_trip
from resources_db.models import AuditLog, OutboxEvent, TimelineEntry

_BATCH = "api.changes.batch"
_QUIET = "api.changes.quiet"


# No RETURNING (`inline()` also stops the implicit one a single-row INSERT gets for its id): nothing reads
# these ids, and without it the rows of all three tables go to PostgreSQL in one round trip
# (resources_db.engine.one_round_trip).
_AUDIT_INSERT = insert(cast(Table, AuditLog.__table__)).inline()
_TIMELINE_INSERT = insert(cast(Table, TimelineEntry.__table__)).inline()
_OUTBOX_INSERT = insert(cast(Table, OutboxEvent.__table__)).inline()


@dataclass(slots=True)
class _Pending:
    audit: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        # Rows still pending in the unit of work go first: a timeline row may refer to an incident added there.
        session.flush()
        conn = session.connection()
        with one_round_trip(conn):
            for stmt, rows in (
                (_AUDIT_INSERT, self.audit),
                (_TIMELINE_INSERT, self.timeline),
                (_OUTBOX_INSERT, self.outbox),
            ):
                if rows:
                    conn.execute(stmt, rows)


@contextmanager
def batch(session: Session) -> Iterator[None]:
    """Write the rows of every `record_change` inside, together, when the block ends.

    Rows of a block that raises are dropped (the caller's rollback discards
    the rest of its work). A block inside another joins the outer one.
    """
    if _BATCH in session.info:
        yield
        return
    pending = _Pending()
    session.info[_BATCH] = pending
    try:
        yield
    finally:
        del session.info[_BATCH]
    pending.write(session)


# Row builders take data already converted by `jsonable`.
def _event_row(type_: str, plain_data: Any, drill_id: int | None) -> dict[str, Any]:
    return {"type": type_, "at": utcnow(), "drill_id": drill_id, "data": plain_data}


def _note_row(
    incident_id: int, actor: str, kind: str, message: str, plain_data: Any, team_id: int | None
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "at": utcnow(),
        "actor": actor,
        "kind": kind,
        "message": message[:500],
        "data": plain_data,
        "team_id": team_id,
    }


def record_change(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    event_type: str,
    event_data: dict[str, Any],
    drill_id: int | None,
    incident_id: int | None = None,
    message: str | None = None,
    team_id: int | None = None,
) -> None:
    """Audit + (when it concerns an incident) timeline + outbox, for one state change.

    `team_id` marks a timeline entry as one team's business (a dispatch): team leaders see only their own.
    """
    audit_row = audit.row(
        principal=principal, action=action, entity=entity, entity_id=entity_id, before=before, after=after
    )
    # The audit row's values are already plain JSON: the timeline and the event reuse them rather than
    # converting the same dicts again (an escalation's `after` is also its event data).
    plain_before, plain_after = audit_row["before"], audit_row["after"]
    note_row = (
        _note_row(
            incident_id,
            principal.username,
            action,
            message or action,
            {"before": plain_before, "after": plain_after},
            team_id,
        )
        if incident_id is not None
        else None
    )
    event_row = _event_row(event_type, plain_after if event_data is after else jsonable(event_data), drill_id)
    pending: _Pending | None = session.info.get(_BATCH)
    if pending is None:
        session.add(AuditLog(**audit_row))
        if note_row is not None:
            session.add(TimelineEntry(**note_row))
        session.add(OutboxEvent(**event_row))
        return
    pending.audit.append(audit_row)
    if note_row is not None:
        pending.timeline.append(note_row)
    pending.outbox.append(event_row)


def announce(session: Session, *, event_type: str, data: dict[str, Any], drill_id: int | None = None) -> None:
    """Only the outbox event, for a change whose audit row its service writes itself (registry edits).

    Inside `one_event` it writes nothing: that block's single event stands for every change in it.
    """
    if session.info.get(_QUIET):
        return
    event_row = _event_row(event_type, jsonable(data), drill_id)
    pending: _Pending | None = session.info.get(_BATCH)
    if pending is None:
        session.add(OutboxEvent(**event_row))
    else:
        pending.outbox.append(event_row)


@contextmanager
def one_event(session: Session, *, event_type: str, data: dict[str, Any]) -> Iterator[None]:
    """Changes inside announce nothing one by one; when the block succeeds, one event (e.g. "reload this
    section", after a CSV import of hundreds of rows) goes into the outbox of the same transaction."""
    outer = bool(session.info.get(_QUIET))
    session.info[_QUIET] = True
    try:
        yield
    finally:
        if not outer:
            del session.info[_QUIET]
    if not outer:
        announce(session, event_type=event_type, data=data)
