"""Plans on record (seed §12): who owns a plan, its dates, and its revision history. Callers commit.

A plan is owned by exactly one enterprise or one government body. A
revision (Decree 708 art. 6 names what obliges one) gives the plan a new
edition issued on the revision day; the revised plan is filed again
(Ministry Order 2 art. 36), so its filing date is cleared and the 20
working-day filing clock starts over.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common.schemas import ReadModel, WriteModel
from api.compliance.clocks import city_today
from api.deps import Principal
from api.errors import InvalidInput
from resources_db.enterprise_enums import RevisionTrigger
from resources_db.models import EmergencyPlan, Enterprise, PlanRevision

FIELDS = ("owner_enterprise_id", "owner_body", "edition", "issued_on", "filed_on", "evaluated_on")
Edition = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class RevisionCreate(WriteModel):
    edition: Edition
    revised_on: date
    trigger: RevisionTrigger = Field(description="the Decree 708 art. 6 reason for the revision")
    note: Note | None = None


class RevisionRead(ReadModel):
    id: int
    plan_id: int
    edition: str
    revised_on: date
    trigger: RevisionTrigger
    note: str | None
    recorded_by: str


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": f"body.{field}", "message": message}])


def check(session: Session, plan: EmergencyPlan, changes: dict[str, Any] | None = None) -> None:
    """Refuse (422) a plan record, as it would be after `changes`, that no one owns or whose dates cannot be."""
    merged = {f: getattr(plan, f) for f in FIELDS} | {k: v for k, v in (changes or {}).items() if k in FIELDS}
    if (merged["owner_enterprise_id"] is None) == (merged["owner_body"] is None):
        raise _refuse("owner_enterprise_id", "a plan is owned by one enterprise or one government body (owner_body)")
    if merged["owner_enterprise_id"] is not None and session.get(Enterprise, merged["owner_enterprise_id"]) is None:
        raise _refuse("owner_enterprise_id", f"no enterprise {merged['owner_enterprise_id']}")
    today = city_today()
    issued = merged["issued_on"]
    for field in ("issued_on", "filed_on", "evaluated_on"):
        value = merged[field]
        if value is None:
            continue
        if value > today:
            raise _refuse(field, f"{field} {value.isoformat()} is in the future")
        if field != "issued_on" and (issued is None or value < issued):
            raise _refuse(field, f"{field} must be on or after the plan's issue date (issued_on)")


def revise(*, session: Session, principal: Principal, plan: EmergencyPlan, data: RevisionCreate) -> PlanRevision:
    """Record a revision; the plan takes the new edition, is issued on the revision day and awaits filing again."""
    if data.revised_on > city_today():
        raise _refuse("revised_on", f"revised_on {data.revised_on.isoformat()} is in the future")
    if plan.issued_on is not None and data.revised_on < plan.issued_on:
        raise _refuse("revised_on", "a revision comes after the edition it revises was issued")
    before = {"edition": plan.edition, "issued_on": plan.issued_on, "filed_on": plan.filed_on}
    plan.edition, plan.issued_on, plan.filed_on = data.edition, data.revised_on, None
    row = PlanRevision(plan_id=plan.id, recorded_by=principal.username, **data.model_dump())
    session.add(row)
    session.flush()
    after = {"edition": plan.edition, "issued_on": plan.issued_on, "filed_on": None, "trigger": data.trigger}
    record_change(
        session,
        principal=principal,
        action="plan.revise",
        entity="emergency_plan",
        entity_id=plan.id,
        before=before,
        after=after,
        event_type="plan.revised",
        event_data={"plan_id": plan.id, "revision_id": row.id, "version": plan.version, **after},
        drill_id=None,
    )
    return row


def history(*, session: Session, plan: EmergencyPlan) -> list[PlanRevision]:
    """The plan's revisions, oldest first."""
    stmt = select(PlanRevision).where(PlanRevision.plan_id == plan.id)
    return list(session.scalars(stmt.order_by(PlanRevision.revised_on, PlanRevision.id)))
