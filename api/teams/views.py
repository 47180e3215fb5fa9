from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.permissions import LibraryWriter, OwnTeamWriter, Reader
from api.common.library_views import Library, with_distance
from api.common.listing import NearDep, PageDep
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from api.teams import service
from api.teams.schemas import TeamCreate, TeamPage, TeamRead, TeamStatusChange, TeamUpdate
from resources_db.enums import Capability, TeamKind, TeamStatus

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/teams", tags=["teams"])
teams = Library(router, "team", read=TeamRead, load=lambda s, team_id: service.get_or_raise(session=s, team_id=team_id))


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
    return TeamPage(items=with_distance(TeamRead, rows), next_cursor=next_cursor)


teams.create(TeamCreate, LibraryWriter, service.create, doc="Add a team to the resource library.")
teams.get()
teams.patch(
    TeamUpdate,
    OwnTeamWriter,
    lambda session, principal, team, data: service.update(session=session, principal=principal, team=team, data=data),
    doc="Change a team's details (`If-Match` required); a team leader only their own team.",
)
teams.action(
    "status",
    "change_team_status",
    TeamStatusChange,
    OwnTeamWriter,
    lambda session, principal, team, data: service.change_status(
        session=session, principal=principal, team=team, data=data
    ),
    doc="Set readiness by hand (available / out_of_service); dispatch statuses follow dispatches.",
)
