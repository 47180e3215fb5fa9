"""Drills an enterprise reports (Decree 708 art. 8; Ministry Order 2 art. 33). Callers commit."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.common.refs import require
from api.compliance import clocks
from api.deps import Principal
from api.enterprises.schemas import EnterpriseDrillCreate, EnterpriseDrills
from api.enterprises.schemas import EnterpriseDrillRead as Read
from api.errors import InvalidInput
from resources_db.models import EmergencyPlan, Enterprise, EnterpriseDrill


def _not_after_today(value: date, today: date, field: str, what: str) -> None:
    if value > today:
        message = f"{what} {value.isoformat()} is in the future (today is {today.isoformat()} in Leizhou)"
        raise InvalidInput(message, [{"field": f"body.{field}", "message": message}])


def record(
    *, session: Session, principal: Principal, enterprise: Enterprise, data: EnterpriseDrillCreate, today: date
) -> EnterpriseDrill:
    """A drill held on a past day (or today); the plan it exercised must exist."""
    _not_after_today(data.held_on, today, "held_on", "a drill held on")
    if data.reported_on is not None:
        _not_after_today(data.reported_on, today, "reported_on", "a report dated")
    if data.plan_id is not None:
        require(session, EmergencyPlan, data.plan_id, field="body.plan_id")
    row = EnterpriseDrill(enterprise_id=enterprise.id, recorded_by=principal.username, **data.model_dump())
    session.add(row)
    session.flush()
    after = Read.model_validate(row).model_dump(mode="json")
    record_change(
        session,
        principal=principal,
        action="enterprise.drill",
        entity="enterprise_drill",
        entity_id=row.id,
        before=None,
        after=after,
        event_type="enterprise.drill_recorded",
        event_data=after,
        drill_id=None,
    )
    return row


def on_record(*, session: Session, enterprise: Enterprise) -> EnterpriseDrills:
    """The enterprise's drills, newest first, with the date its next drill is due by its category."""
    rows = list(
        session.scalars(
            select(EnterpriseDrill)
            .where(EnterpriseDrill.enterprise_id == enterprise.id)
            .order_by(EnterpriseDrill.held_on.desc(), EnterpriseDrill.id.desc())
        )
    )
    last = rows[0].held_on if rows else None
    return EnterpriseDrills(
        items=[Read.model_validate(r) for r in rows],
        interval_months=clocks.drill_interval_months(enterprise.category),
        next_due=clocks.next_drill_due(enterprise.category, last),
    )
