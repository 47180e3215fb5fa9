"""Mutual aid between jurisdictions (区域化应急救援资源共享, seed §12). Callers commit.

An incident's jurisdiction asks a neighbour (kind `neighbor`) for capabilities
and supplies; the neighbour's duty officer (the desk acts for them) approves
by lending one of its teams, or declines. The lent team is then dispatched
through `POST /dispatches`, which lets a neighbour's team go only where an
approved request lends it. A request is fulfilled once the help has arrived.
"""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common import exercise
from api.common.refs import require
from api.deps import Principal
from api.errors import Conflict, InvalidInput, InvalidTransition, NotFound, TeamUnavailable
from api.mutual_aid import rules
from api.mutual_aid.schemas import MutualAidApprove, MutualAidCreate
from resources_db.base import utcnow
from resources_db.enums import IncidentStatus, JurisdictionKind, MutualAidStatus, TeamStatus
from resources_db.models import Incident, Jurisdiction, MutualAidRequest, RescueTeam

CLOSED_INCIDENT = (IncidentStatus.closed, IncidentStatus.dismissed)


def event_data(r: MutualAidRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "incident_id": r.incident_id,
        "from_jurisdiction": r.from_jurisdiction,
        "to_jurisdiction": r.to_jurisdiction,
        "capabilities": r.capabilities,
        "supplies": r.supplies,
        "status": r.status,
        "lent_team_id": r.lent_team_id,
        "version": r.version,
        "drill_id": r.drill_id,
    }


def get_or_raise(*, session: Session, request_id: int, for_update: bool = False) -> MutualAidRequest:
    """The request, or 404; `for_update` locks it so that two decisions serialise and the second sees the first."""
    row = session.get(MutualAidRequest, request_id, with_for_update=for_update)
    if row is None:
        raise NotFound(f"no mutual-aid request {request_id}")
    return row


def filtered(*, incident_id: int | None, status: MutualAidStatus | None, to_jurisdiction: str | None) -> Select[Any]:
    """Requests matching every given filter (drill scoping is applied by the caller)."""
    stmt = select(MutualAidRequest)
    if incident_id is not None:
        stmt = stmt.where(MutualAidRequest.incident_id == incident_id)
    if status is not None:
        stmt = stmt.where(MutualAidRequest.status == status)
    if to_jurisdiction is not None:
        stmt = stmt.where(MutualAidRequest.to_jurisdiction == to_jurisdiction)
    return stmt


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": field, "message": message}])


def create(*, session: Session, principal: Principal, data: MutualAidCreate) -> MutualAidRequest:
    """Ask a neighbouring jurisdiction for help with an incident; queues `mutual_aid.requested`."""
    incident: Incident = require(session, Incident, data.incident_id, field="body.incident_id")
    exercise.guard_role(principal, incident.drill_id)
    exercise.require_running(session, incident.drill_id, field="body.incident_id")
    if incident.status in CLOSED_INCIDENT:
        raise Conflict(f"incident {incident.id} is {incident.status.value}; it needs no more help")
    to: Jurisdiction = require(session, Jurisdiction, data.to_jurisdiction, field="body.to_jurisdiction")
    if to.kind is not JurisdictionKind.neighbor:
        raise _bad("body.to_jurisdiction", f"{to.code} is a {to.kind.value}, not a neighbouring jurisdiction")
    row = MutualAidRequest(
        incident_id=incident.id,
        from_jurisdiction=incident.jurisdiction,
        to_jurisdiction=to.code,
        capabilities=sorted(c.value for c in set(data.capabilities)),
        supplies=dict(sorted(data.supplies.items())),
        status=MutualAidStatus.requested,
        note=data.note,
        requested_by=principal.username,
        drill_id=incident.drill_id,
    )
    session.add(row)
    session.flush()
    asked = ", ".join([*row.capabilities, *(f"{k}×{v}" for k, v in row.supplies.items())])
    _record(session, principal, row, before=None, action="mutual_aid.request", message=f"asked {to.code}: {asked}")
    return row


def _move(principal: Principal, row: MutualAidRequest, wanted: MutualAidStatus) -> MutualAidStatus:
    """Check the role and the state machine; 409 names the allowed next states."""
    exercise.guard_role(principal, row.drill_id)
    if not rules.can(row.status, wanted):
        raise InvalidTransition(row.status.value, wanted.value, rules.allowed(row.status))
    return row.status


def approve(
    *, session: Session, principal: Principal, row: MutualAidRequest, data: MutualAidApprove
) -> MutualAidRequest:
    """Lend a team of the neighbour: it must be theirs (422) and, for a real incident, available now (409)."""
    before = _move(principal, row, MutualAidStatus.approved)
    team: RescueTeam = require(session, RescueTeam, data.lent_team_id, field="body.lent_team_id")
    if team.home_jurisdiction != row.to_jurisdiction:
        raise _bad(
            "body.lent_team_id", f"team {team.id} belongs to {team.home_jurisdiction}, not to {row.to_jurisdiction}"
        )
    # A drill request only simulates the loan: drill dispatches never hold a real team (api.dispatches).
    if row.drill_id is None and team.status is not TeamStatus.available:
        raise TeamUnavailable(f"team {team.id} is {team.status.value}, not available to lend")
    row.status = MutualAidStatus.approved
    row.lent_team_id = team.id
    row.note = data.note if data.note is not None else row.note
    row.decided_by, row.decided_at = principal.username, utcnow()
    session.flush()
    message = f"{row.to_jurisdiction} lends team {team.name} (#{team.id})"
    _record(session, principal, row, before=before, action="mutual_aid.approve", message=message)
    return row


def decline(*, session: Session, principal: Principal, row: MutualAidRequest, note: str) -> MutualAidRequest:
    """The neighbour cannot help; the reason is kept."""
    before = _move(principal, row, MutualAidStatus.declined)
    row.status = MutualAidStatus.declined
    row.note = note
    row.decided_by, row.decided_at = principal.username, utcnow()
    session.flush()
    message = f"{row.to_jurisdiction} declined: {note}"
    _record(session, principal, row, before=before, action="mutual_aid.decline", message=message)
    return row


def fulfil(*, session: Session, principal: Principal, row: MutualAidRequest, note: str | None) -> MutualAidRequest:
    """The help has arrived (or done its work): the request is closed."""
    before = _move(principal, row, MutualAidStatus.fulfilled)
    row.status = MutualAidStatus.fulfilled
    session.flush()
    message = f"aid from {row.to_jurisdiction} fulfilled" + (f": {note}" if note else "")
    _record(session, principal, row, before=before, action="mutual_aid.fulfil", message=message)
    return row


def _record(
    session: Session,
    principal: Principal,
    row: MutualAidRequest,
    *,
    before: MutualAidStatus | None,
    action: str,
    message: str,
) -> None:
    record_change(
        session,
        principal=principal,
        action=action,
        entity="mutual_aid_request",
        entity_id=row.id,
        before=None if before is None else {"status": before},
        after={"status": row.status, "lent_team_id": row.lent_team_id, "note": row.note},
        event_type=f"mutual_aid.{row.status.value}",
        event_data=event_data(row),
        drill_id=row.drill_id,
        incident_id=row.incident_id,
        message=message,
    )
