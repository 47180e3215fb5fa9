from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.auth.permissions import IncidentWriter, Reader
from api.common import idempotency
from api.common.drills import DrillScopeDep
from api.common.etag import check_if_match, set_etag
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.incidents import service
from api.incidents.schemas import (
    IncidentCreate,
    IncidentDetail,
    IncidentPage,
    IncidentRead,
    IncidentTransition,
    IncidentUpdate,
    NearbyHazard,
    TimelinePage,
    TimelineRead,
)
from api.routing import UnitOfWorkRoute
from resources_db.enums import IncidentStatus, IncidentType, Role, Severity
from resources_db.models import Incident, TimelineEntry

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/incidents", tags=["incidents"])

IfMatch = Annotated[str | None, Header(description="the ETag last read")]


def read(incident: Incident) -> IncidentRead:
    out = IncidentRead.model_validate(incident)
    out.is_drill = incident.drill_id is not None
    return out


def detail(session: Session, incident: Incident, hazards: list[NearbyHazard] | None = None) -> IncidentDetail:
    out = IncidentDetail.model_validate(incident)
    out.is_drill = incident.drill_id is not None
    if hazards is None:
        hazards = service.nearby_hazards(session=session, lat=incident.lat, lon=incident.lon)
    out.nearby_hazards = hazards
    return out


@router.post("", response_model=IncidentDetail, status_code=status.HTTP_201_CREATED)
def report_incident(
    data: IncidentCreate, session: SessionDep, principal: IncidentWriter, idem: idempotency.IdempotencyDep
) -> JSONResponse:
    """Take an incident report: graded, its reporting chain scheduled. Honours `Idempotency-Key`."""

    def write() -> tuple[IncidentDetail, dict[str, str]]:
        report = service.create(session=session, principal=principal, data=data)
        incident = report.incident
        return detail(session, incident, service.report_hazards(session=session, report=report)), {
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
    since: Annotated[AwareDatetime | None, Query(description="reported at or after (ISO 8601 with zone)")] = None,
) -> IncidentPage:
    """Incidents, oldest first; real ones only unless `drill_id` or `include_drills` asks for exercise data."""
    stmt = service.filtered(status=status, severity=severity, type_=type, jurisdiction=jurisdiction, since=since)
    rows, next_cursor = fetch_page(session, scope.apply(stmt, Incident.drill_id), id_col=Incident.id, page=page)
    return IncidentPage(items=[read(i) for i, _ in rows], next_cursor=next_cursor)


@router.get("/{incident_id}", response_model=IncidentDetail)
def get_incident(incident_id: int, session: SessionDep, _: Reader, response: Response) -> IncidentDetail:
    """One incident with the red/orange hazard sources within 1 km."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    set_etag(response, incident.version)
    return detail(session, incident)


@router.patch("/{incident_id}", response_model=IncidentDetail)
def update_incident(
    incident_id: int,
    data: IncidentUpdate,
    session: SessionDep,
    principal: IncidentWriter,
    response: Response,
    if_match: IfMatch = None,
) -> IncidentDetail:
    """Correct casualties, loss, location or title (`If-Match` required); re-grades severity."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    check_if_match(if_match, incident.version)
    service.update(session=session, principal=principal, incident=incident, data=data)
    session.commit()
    set_etag(response, incident.version)
    return detail(session, incident)


@router.post("/{incident_id}/transitions", response_model=IncidentRead)
def transition_incident(
    incident_id: int, data: IncidentTransition, session: SessionDep, principal: IncidentWriter, response: Response
) -> IncidentRead:
    """Move the incident to its next state; 409 names the allowed ones."""
    incident = service.get_or_raise(session=session, incident_id=incident_id)
    service.transition(session=session, principal=principal, incident=incident, data=data)
    session.commit()
    set_etag(response, incident.version)
    return read(incident)


@router.get("/{incident_id}/timeline", response_model=TimelinePage)
def incident_timeline(incident_id: int, session: SessionDep, principal: Reader, page: PageDep) -> TimelinePage:
    """The incident's log, oldest first; a team leader sees dispatch entries of their own team only."""
    service.get_or_raise(session=session, incident_id=incident_id)
    stmt = select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)
    if principal.role is Role.team_leader:
        # Dispatch entries without a team (written before teams were recorded) are nobody's: shown to no leader.
        not_a_dispatch = and_(TimelineEntry.team_id.is_(None), ~TimelineEntry.kind.startswith("dispatch."))
        stmt = stmt.where(or_(TimelineEntry.team_id == principal.team_id, not_a_dispatch))
    rows, next_cursor = fetch_page(session, stmt, id_col=TimelineEntry.id, page=page)
    return TimelinePage(items=[TimelineRead.model_validate(t) for t, _ in rows], next_cursor=next_cursor)
