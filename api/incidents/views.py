from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.auth.permissions import IncidentWriter, Reader
from api.common import idempotency
from api.common.drills import DrillScopeDep
from api.common.etag import IfMatch, check_if_match, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.common.strict import Moment
from api.deps import SessionDep, SettingsDep
from api.incidents import duplicates, missing_rule, service
from api.incidents.schemas import (
    ChainStep,
    DuplicateLink,
    IncidentCreate,
    IncidentDetail,
    IncidentPage,
    IncidentRead,
    IncidentReport,
    IncidentTransition,
    IncidentUpdate,
    NearbyHazard,
    PossibleDuplicate,
    TimelinePage,
    TimelineRead,
)
from api.routing import UnitOfWorkRoute
from api.rules.reporting import is_overdue
from resources_db.base import utcnow
from resources_db.engine import write_intent
from resources_db.enums import IncidentStatus, IncidentType, Role, Severity
from resources_db.models import Escalation, Incident, TimelineEntry

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/incidents", tags=["incidents"])


def read(incident: Incident) -> IncidentRead:
    out = IncidentRead.model_validate(incident)
    out.is_drill = incident.drill_id is not None
    return out


def _with_chain(out: IncidentDetail, steps: list[ChainStep]) -> None:
    out.escalations = sorted(steps, key=lambda s: (s.due_at, s.id))
    open_steps = [s for s in out.escalations if s.reported_at is None and not s.withdrawn]
    out.next_deadline = open_steps[0] if open_steps else None


def chain_of(session: Session, incident_id: int, now: datetime) -> list[ChainStep]:
    rows = session.scalars(select(Escalation).where(Escalation.incident_id == incident_id))
    return [
        ChainStep(
            id=r.id,
            level=r.level,
            kind=r.kind,
            sequence=r.sequence,
            due_at=r.due_at,
            reported_at=r.reported_at,
            late=r.late
            or (r.reported_at is None and r.withdrawn_at is None and is_overdue(r.due_at, reported_at=None, now=now)),
            withdrawn=r.withdrawn_at is not None,
        )
        for r in rows
    ]


def detail(
    session: Session,
    incident: Incident,
    hazards: list[NearbyHazard] | None = None,
    chain: list[ChainStep] | None = None,
    model: type[IncidentDetail] = IncidentDetail,
) -> IncidentDetail:
    out = model.model_validate(incident)
    out.is_drill = incident.drill_id is not None
    if hazards is None:
        hazards = service.nearby_hazards(session=session, lat=incident.lat, lon=incident.lon)
    out.nearby_hazards = hazards
    _with_chain(out, chain if chain is not None else chain_of(session, incident.id, utcnow()))
    return out


def _scheduled(report: service.Report, now: datetime) -> list[ChainStep]:
    return [
        ChainStep(
            id=s.id,
            level=s.step.level,
            kind=s.step.kind,
            sequence=s.step.sequence,
            due_at=s.step.due_at,
            reported_at=None,
            late=is_overdue(s.step.due_at, reported_at=None, now=now),
            withdrawn=False,
        )
        for s in report.chain
    ]


@router.post("", response_model=IncidentReport, status_code=status.HTTP_201_CREATED)
def report_incident(
    data: IncidentCreate,
    session: SessionDep,
    principal: IncidentWriter,
    settings: SettingsDep,
    idem: idempotency.IdempotencyDep,
) -> JSONResponse:
    """Take an incident report: graded, its reporting chain scheduled, with the open incidents it may repeat.

    Honours `Idempotency-Key`.
    """

    def write() -> tuple[IncidentDetail, dict[str, str]]:
        report = service.create(
            session=session, principal=principal, data=data, missing_rule=settings.missing_counts_as_dead
        )
        incident = report.incident
        hazards = service.report_hazards(session=session, report=report)
        out = detail(session, incident, hazards, _scheduled(report, utcnow()), IncidentReport)
        assert isinstance(out, IncidentReport)
        window = timedelta(minutes=settings.duplicate_window_minutes)
        found = duplicates.possible(
            session=session, incident=incident, radius_m=settings.duplicate_radius_m, window=window
        )
        out.possible_duplicates = [
            PossibleDuplicate(
                id=m.report.id,
                title=m.report.title,
                type=m.report.type,
                status=m.report.status or IncidentStatus.reported,
                occurred_at=m.report.occurred_at,
                distance_m=m.distance_m,
                minutes_apart=m.minutes_apart,
                reason=m.reason,
            )
            for m in found
        ]
        return out, {
            "Location": f"/api/v1/incidents/{incident.id}",
            "ETag": f'"{incident.version}"',
        }

    return idempotency.run(idem, session, data, status_code=201, write=write)


@router.get("", response_model=IncidentPage)
def list_incidents(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    scope: DrillScopeDep,
    status: IncidentStatus | None = None,
    severity: Severity | None = None,
    type: IncidentType | None = None,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[Moment | None, Query(description="reported at or after (ISO 8601 with zone)")] = None,
) -> IncidentPage:
    """Incidents, oldest first; real ones only unless `drill_id` or `include_drills` asks for exercise data."""
    stmt = service.filtered(status=status, severity=severity, type_=type, jurisdiction=jurisdiction, since=since)
    rows, next_cursor = fetch_page(session, scope.apply(stmt, Incident.drill_id), id_col=Incident.id, page=page)
    return IncidentPage(items=[read(i) for i, _ in rows], next_cursor=next_cursor)


@router.get("/{incident_id:int}", response_model=IncidentDetail)
def get_incident(
    incident_id: Id, session: SessionDep, _: Reader, settings: SettingsDep, response: Response
) -> IncidentDetail:
    """One incident with its reporting chain, the next deadline and the red/orange hazard sources within 1 km.

    Persons still missing past the 30/7-day window re-grade the incident here when nobody has since.
    """
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    if settings.missing_counts_as_dead and missing_rule.due(incident):
        # The GET's read transaction cannot become a write on SQLite: start a writing one, read again in it.
        session.rollback()
        with write_intent():
            incident = service.get_or_raise(session=session, incident_id=incident_id)
            if missing_rule.apply_missing_rule(session=session, incident=incident):
                session.commit()
    set_etag(response, incident.version)
    return detail(session, incident)


@router.patch("/{incident_id:int}", response_model=IncidentDetail)
def update_incident(
    incident_id: Id,
    data: IncidentUpdate,
    session: SessionDep,
    principal: IncidentWriter,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentDetail:
    """Correct casualties, loss, location or title (`If-Match` required); re-grades severity."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    check_if_match(if_match, incident.version)
    service.update(
        session=session, principal=principal, incident=incident, data=data, missing_rule=settings.missing_counts_as_dead
    )
    session.commit()
    set_etag(response, incident.version)
    return detail(session, incident)


@router.post("/{incident_id:int}/transitions", response_model=IncidentRead)
def transition_incident(
    incident_id: Id,
    data: IncidentTransition,
    session: SessionDep,
    principal: IncidentWriter,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentRead:
    """Move the incident to its next state; 409 names the allowed ones."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    check_if_match_sent(if_match, incident.version)
    service.transition(session=session, principal=principal, incident=incident, data=data)
    session.commit()
    set_etag(response, incident.version)
    return read(incident)


@router.post("/{incident_id:int}/duplicate-of", response_model=IncidentRead)
def mark_duplicate(
    incident_id: Id,
    data: DuplicateLink,
    session: SessionDep,
    principal: IncidentWriter,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentRead:
    """Close this report as a repeat call about incident `incident_id`: its caller's details go on that
    incident's timeline and its reporting steps are withdrawn. 422 for itself or across drills, 409 when
    either is no longer open or this one still holds teams or supplies."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    check_if_match_sent(if_match, incident.version)
    duplicates.link(session=session, principal=principal, duplicate=incident, primary_id=data.incident_id)
    session.commit()
    set_etag(response, incident.version)
    return read(incident)


@router.get("/{incident_id:int}/timeline", response_model=TimelinePage)
def incident_timeline(incident_id: Id, session: SessionDep, principal: Reader, page: PageDep) -> TimelinePage:
    """The incident's log, oldest first; a team leader sees dispatch entries of their own team only."""
    service.get_or_raise(session=session, incident_id=incident_id)
    stmt = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
    if principal.role is Role.team_leader:
        # Dispatch entries without a team (written before teams were recorded) are nobody's: shown to no leader.
        not_a_dispatch = and_(TimelineEntry.team_id.is_(None), ~TimelineEntry.kind.startswith("dispatch."))
        stmt = stmt.where(or_(TimelineEntry.team_id == principal.team_id, not_a_dispatch))
    rows, next_cursor = fetch_page(session, stmt, id_col=TimelineEntry.id, page=page)
    return TimelinePage(items=[TimelineRead.model_validate(t) for t, _ in rows], next_cursor=next_cursor)
