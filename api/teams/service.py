"""Rescue teams: read, create, update and hand-set status. Callers commit."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import announce, record_change
from api.common import area
from api.common.listing import Near, PageParams, fetch_page
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.errors import DuplicateEntity, Forbidden, InvalidTransition
from api.teams.rules import MANUAL_TRANSITIONS, allowed_manual
from api.teams.schemas import TeamCreate, TeamStatusChange, TeamUpdate
from resources_db.capability_bits import mask_of
from resources_db.enums import Capability, Role, TeamKind, TeamStatus
from resources_db.models import Jurisdiction, RescueTeam

FIELDS = (
    "name",
    "kind",
    "capabilities",
    "personnel",
    "home_jurisdiction",
    "base_lat",
    "base_lon",
    "status",
    "contact_phone",
    "agreement_id",
)


def snapshot(team: RescueTeam) -> dict[str, Any]:
    return {f: getattr(team, f) for f in FIELDS}


def event_data(team: RescueTeam) -> dict[str, Any]:
    """What boards get with `team.status_changed`: enough to move the marker and count by status."""
    return {
        "id": team.id,
        "name": team.name,
        "status": team.status,
        "lat": team.base_lat,
        "lon": team.base_lon,
        "version": team.version,
    }


def get_or_raise(*, session: Session, team_id: int) -> RescueTeam:
    """The team, or 404."""
    return get_or_404(session, RescueTeam, team_id, what="rescue team")


def filtered(
    *,
    status: TeamStatus | None = None,
    kind: TeamKind | None = None,
    capabilities: list[Capability] | None = None,
    jurisdiction: str | None = None,
) -> Select[Any]:
    """The select of teams matching every given filter (all listed capabilities required)."""
    stmt = select(RescueTeam)
    if status:
        stmt = stmt.where(RescueTeam.status == status)
    if kind:
        stmt = stmt.where(RescueTeam.kind == kind)
    if jurisdiction:
        stmt = stmt.where(RescueTeam.home_jurisdiction == jurisdiction)
    if capabilities:
        wanted = mask_of(c.value for c in capabilities)
        stmt = stmt.where(RescueTeam.capability_mask.op("&")(wanted) == wanted)
    return stmt


def list_(
    *, session: Session, stmt: Select[Any], page: PageParams, near: Near | None
) -> tuple[list[tuple[RescueTeam, float | None]], str | None]:
    """A page of teams, nearest first when `near` is given."""
    return fetch_page(
        session,
        stmt,
        id_col=RescueTeam.id,
        page=page,
        near=near,
        lat_col=RescueTeam.base_lat,
        lon_col=RescueTeam.base_lon,
    )


def _flush_unique(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        if "name" in str(exc.orig).lower():
            raise DuplicateEntity(f"a team named {name!r} already exists") from exc
        raise


def create(*, session: Session, principal: Principal, data: TeamCreate) -> RescueTeam:
    """A new team, `available`."""
    require(session, Jurisdiction, data.home_jurisdiction, field="body.home_jurisdiction")
    area.require_inside(session, data.base_lat, data.base_lon, lat_field="base_lat", lon_field="base_lon")
    values = data.model_dump(exclude={"capabilities"})
    team = RescueTeam(**values, status=TeamStatus.available)
    team.set_capabilities([c.value for c in data.capabilities])
    session.add(team)
    _flush_unique(session, data.name)
    audit.record(
        session,
        principal=principal,
        action="team.create",
        entity="rescue_team",
        entity_id=team.id,
        after=snapshot(team),
    )
    announce(session, event_type="team.created", data=event_data(team))
    return team


# What a team leader may change on their own team by PATCH (readiness has its own route, /status). Personnel
# (what compensation once read), capabilities, base and home jurisdiction (which gates mutual aid) are the desk's.
LEADER_FIELDS = frozenset({"contact_phone"})


def update(*, session: Session, principal: Principal, team: RescueTeam, data: TeamUpdate) -> RescueTeam:
    """Apply the fields given; the version check happens at flush (optimistic lock)."""
    changes = data.model_dump(exclude_unset=True)
    if principal.role is Role.team_leader:
        refused = sorted(set(changes) - LEADER_FIELDS)
        if refused:
            raise Forbidden(
                f"a team leader may change only {', '.join(sorted(LEADER_FIELDS))} (and readiness via /status); "
                f"refused: {', '.join(refused)}",
                errors=[{"field": f"body.{name}", "message": "not a team leader's to change"} for name in refused],
            )
    if "home_jurisdiction" in changes:
        require(session, Jurisdiction, changes["home_jurisdiction"], field="body.home_jurisdiction")
    if "base_lat" in changes or "base_lon" in changes:
        lat, lon = changes.get("base_lat", team.base_lat), changes.get("base_lon", team.base_lon)
        area.require_inside(session, lat, lon, lat_field="base_lat", lon_field="base_lon")
    before = snapshot(team)
    for field, value in changes.items():
        if field == "capabilities":
            team.set_capabilities([c.value for c in value])
        else:
            setattr(team, field, value)
    old, new = audit.diff(before, snapshot(team))
    if new:
        _flush_unique(session, team.name)
        audit.record(
            session,
            principal=principal,
            action="team.update",
            entity="rescue_team",
            entity_id=team.id,
            before=old,
            after=new,
        )
        announce(session, event_type="team.updated", data=event_data(team))
    return team


def change_status(*, session: Session, principal: Principal, team: RescueTeam, data: TeamStatusChange) -> RescueTeam:
    """A hand-set status change (readiness); dispatch-driven statuses are refused with the allowed ones."""
    if data.status not in MANUAL_TRANSITIONS[team.status]:
        raise InvalidTransition(team.status.value, data.status.value, allowed_manual(team.status))
    before = team.status
    team.status = data.status
    session.flush()
    record_change(
        session,
        principal=principal,
        action="team.status",
        entity="rescue_team",
        entity_id=team.id,
        before={"status": before},
        after={"status": team.status, "note": data.note},
        event_type="team.status_changed",
        event_data=event_data(team),
        drill_id=None,
    )
    return team
