"""Dispatches: send an available team, follow its status, drive the team's status. Callers commit.

"One team, one active dispatch" is the database's job: a conditional UPDATE
takes the team only while it is `available` (row lock on PostgreSQL, the
write lock on SQLite), and a partial unique index refuses a second active
real dispatch should anything slip past.
"""

from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.common.refs import require
from api.deps import Principal
from api.dispatches.schemas import DispatchCreate, DispatchStatusChange
from api.errors import Conflict, Forbidden, InvalidTransition, NotFound, TeamUnavailable
from api.rules import transitions
from api.teams import service as teams
from resources_db.base import utcnow
from resources_db.enums import DispatchStatus, IncidentStatus, JurisdictionKind, MutualAidStatus, Role, TeamStatus
from resources_db.models import Dispatch, Incident, Jurisdiction, MutualAidRequest, RescueTeam

CLOSED_INCIDENT = (IncidentStatus.closed, IncidentStatus.dismissed)


def event_data(d: Dispatch) -> dict[str, Any]:
    return {
        "id": d.id,
        "incident_id": d.incident_id,
        "team_id": d.team_id,
        "status": d.status,
        "version": d.version,
        "drill_id": d.drill_id,
        "at": utcnow(),
        "actor": d.actor if d.status is DispatchStatus.dispatched else getattr(d, f"{d.status.value}_by"),
    }


def get_or_raise(*, session: Session, principal: Principal, dispatch_id: int) -> Dispatch:
    """The dispatch, or 404 (also for a team leader asking about another team's dispatch)."""
    d = session.get(Dispatch, dispatch_id)
    if d is None or (principal.role is Role.team_leader and d.team_id != principal.team_id):
        raise NotFound(f"no dispatch {dispatch_id}")
    return d


def filtered(
    *, principal: Principal, incident_id: int | None, team_id: int | None, status: DispatchStatus | None, active: bool
) -> Select[Any]:
    """Dispatches matching the filters; a team leader sees their own team's only."""
    stmt = select(Dispatch)
    if principal.role is Role.team_leader:
        stmt = stmt.where(Dispatch.team_id == principal.team_id)
    if incident_id is not None:
        stmt = stmt.where(Dispatch.incident_id == incident_id)
    if team_id is not None:
        stmt = stmt.where(Dispatch.team_id == team_id)
    if status is not None:
        stmt = stmt.where(Dispatch.status == status)
    if active:
        stmt = stmt.where(Dispatch.status.in_(transitions.ACTIVE_DISPATCH_STATUSES))
    return stmt


def _lending_request(session: Session, incident: Incident, team: RescueTeam) -> int | None:
    """A neighbour's team goes only where an approved mutual-aid request lends it (seed §12)."""
    home = session.get(Jurisdiction, team.home_jurisdiction)
    if home is None or home.kind is not JurisdictionKind.neighbor:
        return None
    request_id = session.scalar(
        select(MutualAidRequest.id).where(
            MutualAidRequest.incident_id == incident.id,
            MutualAidRequest.lent_team_id == team.id,
            MutualAidRequest.status == MutualAidStatus.approved,
        )
    )
    if request_id is None:
        raise TeamUnavailable(
            f"team {team.id} belongs to {team.home_jurisdiction}; it needs an approved mutual-aid request for "
            f"incident {incident.id}"
        )
    return request_id


def _set_team_status(
    session: Session,
    principal: Principal,
    team_id: int,
    new: TeamStatus,
    *,
    only_if: TeamStatus | None,
    drill_id: int | None,
) -> bool:
    """Conditionally move the team; True when this call changed it (then `team.status_changed` is queued)."""
    stmt = update(RescueTeam).where(RescueTeam.id == team_id)
    # Taking a team needs it available; following a dispatch only needs it to be elsewhere.
    stmt = stmt.where(RescueTeam.status == only_if) if only_if is not None else stmt.where(RescueTeam.status != new)
    result = session.execute(
        stmt.values(status=new, version=RescueTeam.version + 1).execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    team = session.get(RescueTeam, team_id)
    assert team is not None
    session.refresh(team)
    record_change(
        session,
        principal=principal,
        action="team.status",
        entity="rescue_team",
        entity_id=team_id,
        before=None,
        after={"status": new},
        event_type="team.status_changed",
        event_data=teams.event_data(team),
        drill_id=drill_id,
    )
    return True


def create(*, session: Session, principal: Principal, data: DispatchCreate) -> Dispatch:
    """Send a team: 409 `team-unavailable` unless it is available at this very moment."""
    incident: Incident = require(session, Incident, data.incident_id, field="body.incident_id")
    exercise.guard_role(principal, incident.drill_id)
    if incident.status in CLOSED_INCIDENT:
        raise Conflict(f"incident {incident.id} is {incident.status.value}; nothing can be dispatched to it")
    team: RescueTeam = require(session, RescueTeam, data.team_id, field="body.team_id")
    lending = _lending_request(session, incident, team)
    if incident.drill_id is None:
        took = _set_team_status(
            session, principal, team.id, TeamStatus.dispatched, only_if=TeamStatus.available, drill_id=None
        )
        if not took:
            session.refresh(team)
            raise TeamUnavailable(f"team {team.id} is {team.status.value}, not available")
    dispatch = Dispatch(
        incident_id=incident.id,
        team_id=team.id,
        personnel=team.personnel,
        status=DispatchStatus.dispatched,
        mutual_aid_request_id=lending,
        drill_id=incident.drill_id,
        actor=principal.username,
    )
    session.add(dispatch)
    try:
        session.flush()
    except IntegrityError as exc:
        raise TeamUnavailable(f"team {team.id} already has an active dispatch") from exc
    record_change(
        session,
        principal=principal,
        action="dispatch.create",
        entity="dispatch",
        entity_id=dispatch.id,
        before=None,
        after={"incident_id": incident.id, "team_id": team.id, "status": dispatch.status},
        event_type="dispatch.created",
        event_data=event_data(dispatch),
        drill_id=dispatch.drill_id,
        incident_id=incident.id,
        message=f"dispatched team {team.name} (#{team.id})",
        team_id=team.id,
    )
    return dispatch


def change_status(
    *, session: Session, principal: Principal, dispatch: Dispatch, data: DispatchStatusChange
) -> Dispatch:
    """Move the dispatch along DESIGN §5, stamp the time, and move the team with it (real dispatches only)."""
    exercise.guard_role(principal, dispatch.drill_id)
    if principal.role is Role.team_leader and dispatch.team_id != principal.team_id:
        raise Forbidden("a team leader acts on their own team's dispatches only")
    if not transitions.can_dispatch(dispatch.status, data.status):
        raise InvalidTransition(dispatch.status.value, data.status.value, transitions.allowed_dispatch(dispatch.status))
    before = dispatch.status
    now = utcnow()
    dispatch.status = data.status
    setattr(dispatch, transitions.DISPATCH_TIMESTAMP_FIELD[data.status], now)
    setattr(dispatch, transitions.DISPATCH_ACTOR_FIELD[data.status], principal.username)
    session.flush()
    if dispatch.drill_id is None:
        _set_team_status(
            session,
            principal,
            dispatch.team_id,
            transitions.TEAM_STATUS_FOR_DISPATCH[data.status],
            only_if=None,
            drill_id=None,
        )
    record_change(
        session,
        principal=principal,
        action="dispatch.status",
        entity="dispatch",
        entity_id=dispatch.id,
        before={"status": before},
        after={"status": dispatch.status, "note": data.note},
        event_type="dispatch.status_changed",
        event_data=event_data(dispatch),
        drill_id=dispatch.drill_id,
        incident_id=dispatch.incident_id,
        message=f"team #{dispatch.team_id} {before.value} → {dispatch.status.value}",
        team_id=dispatch.team_id,
    )
    return dispatch
