"""Hazard sources (风险点/危险源): read, create, update, list with radius search. Callers commit."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import announce
from api.common import area
from api.common.listing import Near, PageParams, fetch_page
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.hazards.schemas import HazardSourceCreate, HazardSourceUpdate
from resources_db.enums import HazardKind, RiskLevel
from resources_db.models import EmergencyPlan, Enterprise, HazardSource, Jurisdiction

FIELDS = (
    "name",
    "kind",
    "risk_level",
    "lat",
    "lon",
    "jurisdiction",
    "enterprise",
    "responsible_person",
    "plan_id",
    "enterprise_id",
    "last_risk_assessment_on",
)


def snapshot(row: HazardSource) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def event_data(row: HazardSource) -> dict[str, Any]:
    """What boards get with `hazard_source.created|updated`: the map marker and its grade."""
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "risk_level": row.risk_level,
        "lat": row.lat,
        "lon": row.lon,
        "jurisdiction": row.jurisdiction,
        "version": row.version,
    }


def get_or_raise(*, session: Session, hazard_source_id: int) -> HazardSource:
    """The hazard source, or 404."""
    return get_or_404(session, HazardSource, hazard_source_id, what="hazard source")


def filtered(
    *,
    risk_levels: list[RiskLevel] | None = None,
    kind: HazardKind | None = None,
    jurisdiction: str | None = None,
) -> Select[Any]:
    """The select of hazard sources matching every filter (any of the listed risk levels)."""
    stmt = select(HazardSource)
    if risk_levels:
        stmt = stmt.where(HazardSource.risk_level.in_(risk_levels))
    if kind:
        stmt = stmt.where(HazardSource.kind == kind)
    if jurisdiction:
        stmt = stmt.where(HazardSource.jurisdiction == jurisdiction)
    return stmt


def list_(
    *, session: Session, stmt: Select[Any], page: PageParams, near: Near | None
) -> tuple[list[tuple[HazardSource, float | None]], str | None]:
    """A page of hazard sources, nearest first when `near` is given."""
    return fetch_page(
        session, stmt, id_col=HazardSource.id, page=page, near=near, lat_col=HazardSource.lat, lon_col=HazardSource.lon
    )


def _check_refs(session: Session, values: dict[str, Any]) -> None:
    if values.get("jurisdiction") is not None:
        require(session, Jurisdiction, values["jurisdiction"], field="body.jurisdiction")
    if values.get("plan_id") is not None:
        require(session, EmergencyPlan, values["plan_id"], field="body.plan_id")
    if values.get("enterprise_id") is not None:
        require(session, Enterprise, values["enterprise_id"], field="body.enterprise_id")


def create(*, session: Session, principal: Principal, data: HazardSourceCreate) -> HazardSource:
    """A new hazard source; its jurisdiction and plan must exist."""
    values = data.model_dump()
    _check_refs(session, values)
    area.require_inside(session, data.lat, data.lon)
    row = HazardSource(**values)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="hazard_source.create",
        entity="hazard_source",
        entity_id=row.id,
        after=snapshot(row),
    )
    announce(session, event_type="hazard_source.created", data=event_data(row))
    return row


def update(*, session: Session, principal: Principal, row: HazardSource, data: HazardSourceUpdate) -> HazardSource:
    """Apply the fields given; the version check happens at flush (optimistic lock)."""
    changes = data.model_dump(exclude_unset=True)
    _check_refs(session, changes)
    if "lat" in changes or "lon" in changes:
        area.require_inside(session, changes.get("lat", row.lat), changes.get("lon", row.lon))
    if audit.update_row(
        session,
        principal=principal,
        row=row,
        changes=changes,
        snapshot=snapshot,
        action="hazard_source.update",
        entity="hazard_source",
        entity_id=row.id,
    ):
        announce(session, event_type="hazard_source.updated", data=event_data(row))
    return row
