"""The one helper a state change calls: audit row, timeline entry and outbox event, in the caller's transaction.

DESIGN §9: the event is written beside the change and committed with it;
the relay publishes it later. Nothing here publishes or commits.
"""

from typing import Any

from sqlalchemy.orm import Session

from api.audit import service as audit
from api.common.jsonable import jsonable
from api.deps import Principal
from resources_db.models import OutboxEvent, TimelineEntry


def emit(session: Session, *, type_: str, data: dict[str, Any], drill_id: int | None) -> OutboxEvent:
    """Queue one event (envelope fields `seq`/`epoch` are added by the relay when it publishes)."""
    event = OutboxEvent(type=type_, data=jsonable(data), drill_id=drill_id)
    session.add(event)
    return event


def note(
    session: Session, *, incident_id: int, actor: str, kind: str, message: str, data: dict[str, Any] | None = None
) -> TimelineEntry:
    """Append to the incident's timeline."""
    entry = TimelineEntry(
        incident_id=incident_id, actor=actor, kind=kind, message=message[:500], data=jsonable(data) if data else None
    )
    session.add(entry)
    return entry


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
) -> None:
    """Audit + (when it concerns an incident) timeline + outbox, for one state change."""
    audit.record(
        session, principal=principal, action=action, entity=entity, entity_id=entity_id, before=before, after=after
    )
    if incident_id is not None:
        note(
            session,
            incident_id=incident_id,
            actor=principal.username,
            kind=action,
            message=message or action,
            data={"before": before, "after": after},
        )
    emit(session, type_=event_type, data=event_data, drill_id=drill_id)
