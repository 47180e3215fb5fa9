from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.auth.permissions import LibraryWriter, OwnTeamWriter, Reader
from api.common.etag import IfMatch, check_if_match, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import NearDep, PageDep
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from api.teams import service
from api.teams.schemas import TeamCreate, TeamPage, TeamRead, TeamStatusChange, TeamUpdate
from resources_db.enums import Capability, TeamKind, TeamStatus
from resources_db.models import RescueTeam

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/teams", tags=["teams"])


def _read(team: RescueTeam, distance_km: float | None = None) -> TeamRead:
    out = TeamRead.model_validate(team)
    out.distance_km = distance_km
    return out


@router.get("", response_model=TeamPage)
def list_teams(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    near: NearDep,
    status: TeamStatus | None = None,
    kind: TeamKind | None = None,
    capability: Annotated[list[Capability] | None, Query(max_length=len(Capability))] = None,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
) -> TeamPage:
    """Teams, filtered; with `near=LAT,LON&radius_km=R` only those within R km, nearest first."""
    stmt = service.filtered(status=status, kind=kind, capabilities=capability, jurisdiction=jurisdiction)
    rows, next_cursor = service.list_(session=session, stmt=stmt, page=page, near=near)
    return TeamPage(items=[_read(t, d) for t, d in rows], next_cursor=next_cursor)


@router.post("", response_model=TeamRead, status_code=status.HTTP_201_CREATED)
def create_team(data: TeamCreate, session: SessionDep, principal: LibraryWriter, response: Response) -> TeamRead:
    """Add a team to the resource library."""
    team = service.create(session=session, principal=principal, data=data)
    session.commit()
    set_etag(response, team.version)
    response.headers["Location"] = f"/api/v1/teams/{team.id}"
    return _read(team)


@router.get("/{team_id:int}", response_model=TeamRead)
def get_team(team_id: Id, session: SessionDep, _: Reader, response: Response) -> TeamRead:
    """One team, with its ETag."""
    team = service.get_or_raise(session=session, team_id=team_id)
    set_etag(response, team.version)
    return _read(team)


@router.patch("/{team_id:int}", response_model=TeamRead)
def update_team(
    team_id: Id,
    data: TeamUpdate,
    session: SessionDep,
    principal: OwnTeamWriter,
    response: Response,
    if_match: IfMatch = None,
) -> TeamRead:
    """Change a team's details (`If-Match` required); a team leader only their own team."""
    team = service.get_or_raise(session=session, team_id=team_id)
    check_if_match(if_match, team.version)
    service.update(session=session, principal=principal, team=team, data=data)
    session.commit()
    set_etag(response, team.version)
    return _read(team)


@router.post("/{team_id:int}/status", response_model=TeamRead)
def change_team_status(
    team_id: Id,
    data: TeamStatusChange,
    session: SessionDep,
    principal: OwnTeamWriter,
    response: Response,
    if_match: IfMatch = None,
) -> TeamRead:
    """Set readiness by hand (available / out_of_service); dispatch statuses follow dispatches."""
    team = service.get_or_raise(session=session, team_id=team_id)
    check_if_match_sent(if_match, team.version)
    service.change_status(session=session, principal=principal, team=team, data=data)
    session.commit()
    set_etag(response, team.version)
    return _read(team)
