"""Supply depots (应急物资储备库): read, create, update. Callers commit."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import announce
from api.common import area
from api.common.listing import Near, PageParams, fetch_page
from api.common.refs import get_or_404, require
from api.depots.schemas import DepotCreate, DepotUpdate
from api.deps import Principal
from api.errors import DuplicateEntity
from resources_db.enums import DepotOperator
from resources_db.models import Depot, Enterprise, Jurisdiction

FIELDS = ("name", "jurisdiction", "lat", "lon", "operator", "enterprise_id")
ENTITY = "depot"


def snapshot(depot: Depot) -> dict[str, Any]:
    return {f: getattr(depot, f) for f in FIELDS}


def event_data(depot: Depot) -> dict[str, Any]:
    """What boards get with `depot.created|updated`: enough to draw or move the depot."""
    return {"id": depot.id, **snapshot(depot), "version": depot.version}


def get_or_raise(*, session: Session, depot_id: int) -> Depot:
    """The depot, or 404."""
    return get_or_404(session, Depot, depot_id, what="depot")


def filtered(*, jurisdiction: str | None = None, operator: DepotOperator | None = None) -> Select[Any]:
    """The select of depots matching every given filter."""
    stmt = select(Depot)
    if jurisdiction:
        stmt = stmt.where(Depot.jurisdiction == jurisdiction)
    if operator:
        stmt = stmt.where(Depot.operator == operator)
    return stmt


def list_(
    *, session: Session, stmt: Select[Any], page: PageParams, near: Near | None
) -> tuple[list[tuple[Depot, float | None]], str | None]:
    """A page of depots, nearest first when `near` is given."""
    return fetch_page(session, stmt, id_col=Depot.id, page=page, near=near, lat_col=Depot.lat, lon_col=Depot.lon)


def _flush_unique(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        if "name" in str(exc.orig).lower():
            raise DuplicateEntity(f"a depot named {name!r} already exists") from exc
        raise


def create(*, session: Session, principal: Principal, data: DepotCreate) -> Depot:
    """A new depot in an existing jurisdiction."""
    require(session, Jurisdiction, data.jurisdiction, field="body.jurisdiction")
    area.require_inside(session, data.lat, data.lon)
    if data.enterprise_id is not None:
        require(session, Enterprise, data.enterprise_id, field="body.enterprise_id")
    depot = Depot(**data.model_dump())
    session.add(depot)
    _flush_unique(session, data.name)
    audit.record(
        session, principal=principal, action="depot.create", entity=ENTITY, entity_id=depot.id, after=snapshot(depot)
    )
    announce(session, event_type="depot.created", data=event_data(depot))
    return depot


def update(*, session: Session, principal: Principal, depot: Depot, data: DepotUpdate) -> Depot:
    """Apply the fields given; the version check happens at flush (optimistic lock)."""
    changes = data.model_dump(exclude_unset=True)
    if "lat" in changes or "lon" in changes:
        area.require_inside(session, changes.get("lat", depot.lat), changes.get("lon", depot.lon))
    if "jurisdiction" in changes:
        require(session, Jurisdiction, changes["jurisdiction"], field="body.jurisdiction")
    if changes.get("enterprise_id") is not None:
        require(session, Enterprise, changes["enterprise_id"], field="body.enterprise_id")
    if audit.update_row(
        session,
        principal=principal,
        row=depot,
        changes=changes,
        snapshot=snapshot,
        action="depot.update",
        entity=ENTITY,
        entity_id=depot.id,
        flush=lambda: _flush_unique(session, depot.name),
    ):
        announce(session, event_type="depot.updated", data=event_data(depot))
    return depot
