"""Read a drill's recorded facts for `api.drills.evaluation`, and the evaluator's entries. Read-only."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.common.jsonable import jsonable
from api.drills import evaluation
from resources_db.base import utcnow
from resources_db.enums import IncidentStatus
from resources_db.models import (
    AuditLog,
    Dispatch,
    Drill,
    DrillInject,
    Escalation,
    Incident,
    MutualAidRequest,
    TimelineEntry,
)


def facts(*, session: Session, drill: Drill) -> evaluation.Facts:
    """Everything the evaluation reads about one drill."""
    rows = session.execute(
        select(Incident.id, Incident.reported_at, Incident.status).where(Incident.drill_id == drill.id)
    ).all()
    incidents = {r.id: r.reported_at for r in rows}
    # A dismissed report (a duplicate, a false alarm) is no accident: its reporting steps are not judged.
    reportable = [r.id for r in rows if r.status is not IncidentStatus.dismissed]
    entries = [
        evaluation.Entry(t.incident_id, t.at, t.actor, t.kind, ((t.data or {}).get("after") or {}))
        for t in session.scalars(
            select(TimelineEntry).where(TimelineEntry.incident_id.in_(incidents)).order_by(TimelineEntry.id)
        )
    ]
    dispatch_rows = list(session.scalars(select(Dispatch).where(Dispatch.drill_id == drill.id).order_by(Dispatch.id)))
    actors: dict[str, dict[str, str]] = {}
    if dispatch_rows:
        audit = select(AuditLog.entity_id, AuditLog.actor, AuditLog.after).where(
            AuditLog.entity == "dispatch",
            AuditLog.action == "dispatch.status",
            AuditLog.entity_id.in_([str(d.id) for d in dispatch_rows]),
        )
        for entity_id, actor, after in session.execute(audit):
            actors.setdefault(entity_id, {})[str((after or {}).get("status"))] = actor
    dispatches = [
        evaluation.DispatchFacts(
            d.id,
            d.incident_id,
            d.team_id,
            d.dispatched_at,
            d.actor,
            {
                status: stamp
                for status, stamp in (
                    ("acknowledged", d.acknowledged_at),
                    ("en_route", d.en_route_at),
                    ("on_scene", d.on_scene_at),
                    ("released", d.released_at),
                    ("cancelled", d.cancelled_at),
                )
                if stamp is not None
            },
            actors.get(str(d.id), {}),
        )
        for d in dispatch_rows
    ]
    scheduled = {int(e.after["id"]): e.at for e in entries if e.kind == "escalation.schedule" and "id" in e.after}
    escalations = [
        evaluation.EscalationFacts(
            e.id,
            e.incident_id,
            e.level.value,
            e.kind.value,
            scheduled.get(e.id, incidents.get(e.incident_id, drill.started_at)),
            e.due_at,
            e.reported_at,
            e.reported_by,
        )
        for e in session.scalars(select(Escalation).where(Escalation.incident_id.in_(reportable)))
    ]
    injects = [
        evaluation.Delivered(i.inject, i.kind, i.planned_s, i.delivered_at, i.incident_id)
        for i in session.scalars(select(DrillInject).where(DrillInject.drill_id == drill.id).order_by(DrillInject.id))
    ]
    return evaluation.Facts(
        started_at=drill.started_at,
        now=drill.ended_at or utcnow(),
        speed=drill.speed,
        simulated=frozenset({drill.started_by}) if drill.script is not None else frozenset(),
        script=drill.script or {},
        incidents=incidents,
        entries=entries,
        dispatches=dispatches,
        injects=injects,
        escalations=escalations,
    )


def mutual_aid(*, session: Session, drill: Drill) -> list[dict[str, Any]]:
    """Requests and their answers, times in scenario seconds from the drill's start."""
    rows = session.scalars(select(MutualAidRequest).where(MutualAidRequest.drill_id == drill.id))

    def at(moment: Any) -> float | None:
        return None if moment is None else round((moment - drill.started_at).total_seconds() * drill.speed, 3)

    return [
        {
            "id": r.id,
            "incident_id": r.incident_id,
            "to": r.to_jurisdiction,
            "capabilities": list(r.capabilities),
            "status": r.status.value,
            "requested_s": at(r.created_at),
            "answered_s": at(r.decided_at),
            "requested_by": r.requested_by,
            "decided_by": r.decided_by,
        }
        for r in rows
    ]


def report(*, session: Session, drill: Drill) -> dict[str, Any]:
    """The evaluation as served: overview, computed figures, and the evaluator's part marked as theirs."""
    script = drill.script or {}
    found = evaluation.evaluate(facts(session=session, drill=drill))
    shortfalls = [
        {"inject": i["inject"], "incident_id": i["incident_id"]} for i in found["timeline"] if i["kind"] == "stock_lost"
    ]
    duration = ((drill.ended_at or utcnow()) - drill.started_at).total_seconds() * drill.speed
    out: dict[str, Any] = jsonable(
        {
            "drill_id": drill.id,
            "overview": {
                "name": drill.name,
                "scenario": drill.scenario,
                "drill_type": script.get("drill_type"),
                "plan": script.get("plan"),
                "objectives": script.get("objectives", []),
                "roles": script.get("roles", {}),
                "status": drill.status.value,
                "started_at": drill.started_at,
                "ended_at": drill.ended_at,
                "speed": drill.speed,
                "seed": drill.seed,
                "operators": drill.operators,
                "scenario_duration_s": round(duration, 3),
                "simulated_actors": sorted({drill.started_by}) if drill.script is not None else [],
            },
            **found,
            "mutual_aid": mutual_aid(session=session, drill=drill),
            "supply_shortfalls": shortfalls,
            "evaluator": drill.evaluator_notes,
        }
    )
    return out
