"""Exercises (演练): start one, end it. Rows carrying its id are exercise data (DESIGN §8). Callers commit."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.deps import Principal
from api.drills.schemas import DrillCreate
from api.errors import InvalidTransition, NotFound
from resources_db.base import utcnow
from resources_db.enums import DrillStatus
from resources_db.models import Drill

# A drill only ever runs, then ends; ended is final.
ALLOWED_FROM = {DrillStatus.running: [DrillStatus.ended.value], DrillStatus.ended: []}


def event_data(drill: Drill) -> dict[str, Any]:
    return {
        "id": drill.id,
        "name": drill.name,
        "scenario": drill.scenario,
        "status": drill.status,
        "started_at": drill.started_at,
        "ended_at": drill.ended_at,
        "version": drill.version,
    }


def get_or_raise(*, session: Session, drill_id: int) -> Drill:
    """The drill, or 404."""
    drill = session.get(Drill, drill_id)
    if drill is None:
        raise NotFound(f"no drill {drill_id}")
    return drill


def filtered(*, status: DrillStatus | None) -> Select[Any]:
    """Drills, optionally only those in one status."""
    stmt = select(Drill)
    return stmt.where(Drill.status == status) if status is not None else stmt


def create(*, session: Session, principal: Principal, data: DrillCreate) -> Drill:
    """Start a drill; it runs until ended, and only a running drill takes new exercise data."""
    drill = Drill(
        name=data.name,
        scenario=data.scenario,
        status=DrillStatus.running,
        started_by=principal.username,
        started_at=utcnow(),
    )
    session.add(drill)
    session.flush()
    record_change(
        session,
        principal=principal,
        action="drill.start",
        entity="drill",
        entity_id=drill.id,
        before=None,
        after={"name": drill.name, "scenario": drill.scenario, "status": drill.status},
        event_type="drill.started",
        event_data=event_data(drill),
        drill_id=drill.id,
    )
    return drill


def end(*, session: Session, principal: Principal, drill: Drill) -> Drill:
    """End a running drill; 409 when it has already ended."""
    if drill.status is not DrillStatus.running:
        raise InvalidTransition(drill.status.value, DrillStatus.ended.value, ALLOWED_FROM[drill.status])
    drill.status = DrillStatus.ended
    drill.ended_at = utcnow()
    session.flush()
    record_change(
        session,
        principal=principal,
        action="drill.end",
        entity="drill",
        entity_id=drill.id,
        before={"status": DrillStatus.running},
        after={"status": drill.status, "ended_at": drill.ended_at},
        event_type="drill.ended",
        event_data=event_data(drill),
        drill_id=drill.id,
    )
    return drill
