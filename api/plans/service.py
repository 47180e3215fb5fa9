"""Emergency plans: read, create, update, list. Callers commit.

The list filters (`incident_type`, `hazard_kind`) test membership in JSON
arrays, which SQLite and PostgreSQL spell differently; the plan table is
small (one plan per enterprise or department), so the filter runs in Python
over an id-ordered scan and keeps the usual id keyset cursor.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.changes import announce
from api.common.listing import PageParams
from api.common.pagination import cursor_id, decode_cursor, encode_cursor
from api.common.refs import get_or_404
from api.deps import Principal
from api.enterprises import plan_records
from api.plans.schemas import PlanCreate, PlanUpdate
from resources_db.enums import HazardKind, IncidentType
from resources_db.models import EmergencyPlan

FIELDS = ("title", "hazard_kinds", "incident_types", "required_capabilities", "required_supplies", *plan_records.FIELDS)


def snapshot(plan: EmergencyPlan) -> dict[str, Any]:
    return {f: getattr(plan, f) for f in FIELDS}


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Wire values as stored JSON: lists de-duplicated and sorted, enum keys as plain strings."""
    out = dict(values)
    for key in ("hazard_kinds", "incident_types"):
        if key in out:
            out[key] = sorted({str(v) for v in out[key]})
    for key in ("required_capabilities", "required_supplies"):
        if key in out:
            out[key] = {str(k): v for k, v in sorted(out[key].items())}
    return out


def _event_data(plan: EmergencyPlan) -> dict[str, Any]:
    return {"id": plan.id, "title": plan.title, "version": plan.version}


def get_or_raise(*, session: Session, plan_id: int) -> EmergencyPlan:
    """The plan, or 404."""
    return get_or_404(session, EmergencyPlan, plan_id, what="emergency plan")


def list_(
    *,
    session: Session,
    page: PageParams,
    incident_type: IncidentType | None = None,
    hazard_kind: HazardKind | None = None,
) -> tuple[list[EmergencyPlan], str | None]:
    """A page of plans in id order that cover the given incident type and hazard kind."""
    stmt = select(EmergencyPlan).order_by(EmergencyPlan.id)
    after = decode_cursor(page.cursor, length=1)
    if after is not None:
        stmt = stmt.where(EmergencyPlan.id > cursor_id(after[0]))
    rows: list[EmergencyPlan] = []
    for plan in session.scalars(stmt):
        if incident_type and incident_type.value not in plan.incident_types:
            continue
        if hazard_kind and hazard_kind.value not in plan.hazard_kinds:
            continue
        rows.append(plan)
        if len(rows) > page.limit:
            break
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


def create(*, session: Session, principal: Principal, data: PlanCreate) -> EmergencyPlan:
    """A new plan."""
    plan = EmergencyPlan(**_stored(data.model_dump()))
    plan_records.check(session, plan)
    session.add(plan)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="plan.create",
        entity="emergency_plan",
        entity_id=plan.id,
        after=snapshot(plan),
    )
    announce(session, event_type="plan.created", data=_event_data(plan))
    return plan


def update(*, session: Session, principal: Principal, plan: EmergencyPlan, data: PlanUpdate) -> EmergencyPlan:
    """Apply the fields given (lists and maps are replaced whole); the version check happens at flush."""
    # _stored builds new objects, never in-place edits, so SQLAlchemy sees the JSON columns change.
    changes = _stored(data.model_dump(exclude_unset=True))
    plan_records.check(session, plan, changes)
    if audit.update_row(
        session,
        principal=principal,
        row=plan,
        changes=changes,
        snapshot=snapshot,
        action="plan.update",
        entity="emergency_plan",
        entity_id=plan.id,
    ):
        announce(session, event_type="plan.updated", data=_event_data(plan))
    return plan
