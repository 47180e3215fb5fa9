"""Reading the board's snapshot: a handful of set-based queries inside one snapshot transaction.

Every query is a single statement over its table (aggregates in SQL, no
per-row follow-ups), so the snapshot costs the same few round trips with ten
teams or ten thousand.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from api.common.drills import DrillScope
from api.situation.schemas import (
    BoardDrill,
    BoardEscalation,
    BoardIncident,
    EscalationsSection,
    SupplyBelowMin,
)
from resources_db.enums import DispatchStatus, DrillStatus, IncidentStatus, TeamStatus
from resources_db.models import Depot, Dispatch, Drill, Escalation, EventLogMeta, Incident, RescueTeam, SupplyItem

INACTIVE_INCIDENT = (IncidentStatus.closed, IncidentStatus.dismissed)
ACTIVE_DISPATCH = (
    DispatchStatus.dispatched,
    DispatchStatus.acknowledged,
    DispatchStatus.en_route,
    DispatchStatus.on_scene,
)
DUE_HORIZON = timedelta(hours=2)
LOG_META_ID = 1  # the event log's single meta row (realtime.log.META_ID)


def begin_snapshot(*, session: Session) -> None:
    """End what the request has read so far and open one snapshot transaction for everything that follows.

    PostgreSQL: REPEATABLE READ (read only), so every statement sees the
    database as of the first one. SQLite in WAL mode: a read transaction is
    already a snapshot from its first read to its end.
    """
    session.rollback()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def log_position(*, session: Session) -> tuple[int, str]:
    """(last_seq, epoch) of the event log; (0, "") before the first relay has created the log."""
    row = session.execute(
        select(EventLogMeta.last_seq, EventLogMeta.epoch).where(EventLogMeta.id == LOG_META_ID)
    ).first()
    return (int(row.last_seq), str(row.epoch)) if row is not None else (0, "")


def _active_incidents(scope: DrillScope) -> Select[Any]:
    return scope.apply(select(Incident.id).where(Incident.status.not_in(INACTIVE_INCIDENT)), Incident.drill_id)


def incidents(*, session: Session, scope: DrillScope) -> list[BoardIncident]:
    """Incidents not closed or dismissed, oldest report first, with their active dispatches counted by status."""
    active = _active_incidents(scope).subquery()
    counts: dict[int, dict[DispatchStatus, int]] = {}
    for incident_id, status, n in session.execute(
        select(Dispatch.incident_id, Dispatch.status, func.count())
        .where(Dispatch.incident_id.in_(select(active.c.id)), Dispatch.status.in_(ACTIVE_DISPATCH))
        .group_by(Dispatch.incident_id, Dispatch.status)
    ):
        counts.setdefault(incident_id, {})[status] = int(n)
    rows = session.scalars(
        scope.apply(select(Incident).where(Incident.status.not_in(INACTIVE_INCIDENT)), Incident.drill_id).order_by(
            Incident.reported_at, Incident.id
        )
    )
    out = []
    for i in rows:
        by_status = counts.get(i.id, {})
        out.append(
            BoardIncident(
                id=i.id,
                title=i.title,
                type=i.type,
                severity=i.severity,
                status=i.status,
                lat=i.lat,
                lon=i.lon,
                jurisdiction=i.jurisdiction,
                reported_at=i.reported_at,
                deaths=i.deaths,
                serious_injuries=i.serious_injuries,
                active_dispatches=sum(by_status.values()),
                dispatches_by_status=by_status,
                version=i.version,
                drill_id=i.drill_id,
                is_drill=i.drill_id is not None,
            )
        )
    return out


def team_counts(*, session: Session) -> dict[TeamStatus, int]:
    """Teams counted by status, every status present (zeros included)."""
    counts = dict.fromkeys(TeamStatus, 0)
    for status, n in session.execute(select(RescueTeam.status, func.count()).group_by(RescueTeam.status)):
        counts[status] = int(n)
    return counts


_teams = RescueTeam.__table__.c
# Plain strings for the enum columns: the JSON wants their values, so skip the Enum round trip.
POSITION_COLUMNS = (
    ("id", _teams.id),
    ("name", _teams.name),
    ("kind", type_coerce(_teams.kind, String)),
    ("status", type_coerce(_teams.status, String)),
    ("lat", _teams.base_lat),
    ("lon", _teams.base_lon),
    ("home_jurisdiction", _teams.home_jurisdiction),
    ("version", _teams.version),
)


def team_positions(*, session: Session) -> list[dict[str, Any]]:
    """Every team's position as plain rows shaped like `TeamPosition`.

    A Core statement on the session's connection (same snapshot transaction)
    and plain dicts, on purpose: with 10,000 teams, ORM rows and pydantic
    models cost several times the query itself.
    """
    keys = [k for k, _ in POSITION_COLUMNS]
    stmt = select(*(c for _, c in POSITION_COLUMNS)).order_by(_teams.id)
    return [dict(zip(keys, row, strict=True)) for row in session.connection().execute(stmt)]


def supplies_below_min(*, session: Session) -> list[SupplyBelowMin]:
    """Supply items whose stock on hand is below their minimum reserve (储备下限), by depot."""
    rows = session.execute(
        select(SupplyItem, Depot.name)
        .join(Depot, Depot.id == SupplyItem.depot_id)
        .where(SupplyItem.quantity_on_hand < SupplyItem.min_reserve)
        .order_by(SupplyItem.depot_id, SupplyItem.id)
    )
    return [
        SupplyBelowMin(
            supply_item_id=item.id,
            depot_id=item.depot_id,
            depot_name=depot_name,
            category=item.category,
            name=item.name,
            quantity_on_hand=item.quantity_on_hand,
            quantity_reserved=item.quantity_reserved,
            min_reserve=item.min_reserve,
            version=item.version,
        )
        for item, depot_name in rows
    ]


def escalations(*, session: Session, scope: DrillScope, now: datetime) -> EscalationsSection:
    """Reporting steps of active incidents: open ones due within DUE_HORIZON (overdue included), and late ones.

    Withdrawn steps (a duplicate's, a follow-up the final report replaced) owe nothing and are left out.
    """
    overdue = and_(Escalation.reported_at.is_(None), Escalation.due_at < now)
    is_due = and_(Escalation.reported_at.is_(None), Escalation.due_at < now + DUE_HORIZON)
    is_late = or_(Escalation.late.is_(True), overdue)
    stmt = (
        select(Escalation, Incident.drill_id, is_due.label("is_due"), is_late.label("is_late"))
        .join(Incident, Incident.id == Escalation.incident_id)
        .where(Incident.status.not_in(INACTIVE_INCIDENT), Escalation.withdrawn_at.is_(None), or_(is_due, is_late))
        .order_by(Escalation.due_at, Escalation.id)
    )
    due: list[BoardEscalation] = []
    late: list[BoardEscalation] = []
    for e, drill_id, in_due, in_late in session.execute(scope.apply(stmt, Incident.drill_id)):
        row = BoardEscalation(
            id=e.id,
            incident_id=e.incident_id,
            level=e.level,
            kind=e.kind,
            due_at=e.due_at,
            seconds_left=int((e.due_at - now).total_seconds()),
            reported_at=e.reported_at,
            late=bool(in_late),
            version=e.version,
            drill_id=drill_id,
            is_drill=drill_id is not None,
        )
        if in_due:
            due.append(row)
        if in_late:
            late.append(row)
    return EscalationsSection(due=due, late=late)


def drills(*, session: Session, scope: DrillScope) -> list[BoardDrill]:
    """Running drills within the scope: none for the real board, like the event feed (drill.* is drill data)."""
    if scope.drill_id is None and not scope.include_drills:
        return []
    stmt = select(Drill).where(Drill.status == DrillStatus.running).order_by(Drill.id)
    if scope.drill_id is not None:
        stmt = stmt.where(Drill.id == scope.drill_id)
    return [
        BoardDrill(
            id=d.id,
            name=d.name,
            scenario=d.scenario,
            status=d.status,
            started_by=d.started_by,
            started_at=d.started_at,
            version=d.version,
        )
        for d in session.scalars(stmt)
    ]
