"""Exercises (演练): start one, end it. Rows carrying its id are exercise data (DESIGN §8). Callers commit."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.common.refs import get_or_404
from api.deps import Principal
from api.drills.schemas import DrillCreate, EvaluatorInput, InjectCreate
from api.errors import InvalidInput, InvalidTransition
from resources_db.base import utcnow
from resources_db.enums import DrillStatus
from resources_db.models import Drill, DrillInject, Incident

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
        "speed": drill.speed,
        "version": drill.version,
    }


def get_or_raise(*, session: Session, drill_id: int) -> Drill:
    """The drill, or 404."""
    return get_or_404(session, Drill, drill_id, what="drill")


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
        speed=data.speed,
        seed=data.seed,
        operators=data.operators,
        script=data.script.model_dump(mode="json") if data.script is not None else None,
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


def deliver_inject(*, session: Session, principal: Principal, drill: Drill, data: InjectCreate) -> DrillInject:
    """Record an inject as played now; the board shows it to the players (`drill.inject`)."""
    exercise.require_running(session, drill.id, field="path.drill_id")
    if data.incident_id is not None:
        incident = session.get(Incident, data.incident_id)
        if incident is None or incident.drill_id != drill.id:
            message = f"incident {data.incident_id} is not an incident of drill {drill.id}"
            raise InvalidInput(message, [{"field": "body.incident_id", "message": message}])
    row = DrillInject(
        drill_id=drill.id,
        inject=data.inject,
        kind=data.kind,
        planned_s=data.planned_s,
        incident_id=data.incident_id,
        message=data.message,
        actor=principal.username,
        delivered_at=utcnow(),
    )
    session.add(row)
    session.flush()
    record_change(
        session,
        principal=principal,
        action="drill.inject",
        entity="drill_inject",
        entity_id=row.id,
        before=None,
        after={"drill_id": drill.id, "inject": row.inject, "kind": row.kind, "planned_s": row.planned_s},
        event_type="drill.inject",
        event_data={
            "id": row.id,
            "drill_id": drill.id,
            "inject": row.inject,
            "kind": row.kind,
            "planned_s": row.planned_s,
            "incident_id": row.incident_id,
            "message": row.message,
            "delivered_at": row.delivered_at,
        },
        drill_id=drill.id,
        incident_id=row.incident_id,
        message=f"inject {row.inject}: {row.message}",
    )
    return row


def record_evaluation(*, session: Session, principal: Principal, drill: Drill, data: EvaluatorInput) -> Drill:
    """Store the evaluator's ratings, findings and corrective actions, marked with who entered them and when."""
    objectives = {o["id"] for o in (drill.script or {}).get("objectives", [])}
    unknown = sorted(set(data.ratings or {}) - objectives)
    if unknown:
        message = f"no objective {', '.join(unknown)} in this drill's script"
        raise InvalidInput(message, [{"field": "body.ratings", "message": message}])
    before = dict(drill.evaluator_notes or {})
    given = data.model_dump(mode="json", exclude_unset=True)
    drill.evaluator_notes = {**before, **given, "entered_by": principal.username, "entered_at": utcnow().isoformat()}
    session.flush()
    record_change(
        session,
        principal=principal,
        action="drill.evaluate",
        entity="drill",
        entity_id=drill.id,
        before={k: before.get(k) for k in given},
        after=given,
        event_type="drill.evaluated",
        event_data={"id": drill.id, "fields": sorted(given), "version": drill.version},
        drill_id=drill.id,
    )
    return drill
