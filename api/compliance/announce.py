"""Overdue compliance clocks become events (`compliance.overdue`), once each, so a board can show them.

Run by `ercp housekeeping` (daily, from cron). Each newly overdue clock gets
an outbox event and a `compliance_notices` row in the caller's transaction;
a clock already announced for the same due date is skipped.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.changes import record_change
from api.compliance import service
from api.compliance.schemas import ComplianceItem, ComplianceKind, ComplianceStatus
from api.deps import Principal
from resources_db.enums import Role
from resources_db.models import ComplianceNotice

SYSTEM = Principal(user_id=0, username="system", role=Role.admin, team_id=None)


def notice_key(item: ComplianceItem) -> str:
    due = item.due_on.isoformat() if item.due_on else "never"
    return f"{item.kind.value}:{item.subject_id}:{due}"


def announce_overdue(*, session: Session, today: date) -> list[ComplianceItem]:
    """Write a `compliance.overdue` event for every overdue clock not announced before; the ones written."""
    report = service.report(
        session=session,
        today=today,
        kinds=set(ComplianceKind),
        statuses={ComplianceStatus.overdue},
        jurisdiction=None,
        category=None,
    )
    seen = set(session.scalars(select(ComplianceNotice.key)))
    fresh = [i for i in report.items if notice_key(i) not in seen]
    for item in fresh:
        session.add(ComplianceNotice(key=notice_key(item), enterprise_id=item.enterprise_id))
        data = item.model_dump(mode="json")
        record_change(
            session,
            principal=SYSTEM,
            action="compliance.overdue",
            entity="enterprise",
            entity_id=item.enterprise_id,
            before=None,
            after=data,
            event_type="compliance.overdue",
            event_data=data,
            drill_id=None,
        )
    session.flush()
    return fresh
