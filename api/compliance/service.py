"""The compliance clocks of every enterprise on record, evaluated on one day. Reads only.

The tables involved hold one row per enterprise, plan or hazard source of a
county (hundreds), so each kind is one query and the clocks run in Python.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.compliance import clocks
from api.compliance.schemas import ComplianceItem, ComplianceKind, ComplianceReport, ComplianceStatus, StatusCounts
from resources_db.enums import JurisdictionKind
from resources_db.models import EmergencyPlan, Enterprise, EnterpriseDrill, HazardSource, Jurisdiction

RULES = {
    ComplianceKind.drill: "Decree 708 art. 8 (half-yearly for high-risk units); Order 2 art. 33 (yearly otherwise)",
    ComplianceKind.plan_filing: "Order 2 art. 26: filed within 20 working days of issue",
    ComplianceKind.plan_evaluation: "Order 2 art. 35: evaluated every 3 years",
    ComplianceKind.risk_assessment: "seed §19: risk assessed every 3 years",
}
CITY_MEMBERS = (JurisdictionKind.city, JurisdictionKind.town, JurisdictionKind.street)


def jurisdiction_codes(session: Session, code: str) -> set[str]:
    """The jurisdictions a filter names: the city means itself with its towns and streets (not neighbours)."""
    row = session.get(Jurisdiction, code)
    if row is None or row.kind is not JurisdictionKind.city:
        return {code}
    return set(session.scalars(select(Jurisdiction.code).where(Jurisdiction.kind.in_(CITY_MEMBERS))))


def _item(
    e: Enterprise,
    kind: ComplianceKind,
    subject: str,
    subject_id: int,
    last: date | None,
    due: date | None,
    today: date,
    window: int,
) -> ComplianceItem | None:
    state = clocks.status(due, today, window)
    if state is clocks.ClockStatus.ok:
        return None
    return ComplianceItem(
        enterprise_id=e.id,
        enterprise=e.name,
        credit_code=e.credit_code,
        jurisdiction=e.jurisdiction,
        category=e.category,
        kind=kind,
        subject=subject,
        subject_id=subject_id,
        last_done=last,
        due_on=due,
        status=ComplianceStatus(state.value),
        overdue_since=due + timedelta(days=1) if due is not None and state is clocks.ClockStatus.overdue else None,
        rule=RULES[kind],
    )


def _drills(
    session: Session, enterprises: dict[int, Enterprise], today: date, window: int
) -> Iterator[ComplianceItem | None]:
    latest = select(EnterpriseDrill.enterprise_id, func.max(EnterpriseDrill.held_on))
    # .all(): a Result has keys(), so dict() would take it for a mapping.
    last: dict[int, date] = dict(session.execute(latest.group_by(EnterpriseDrill.enterprise_id)).all())
    for e in enterprises.values():
        held = last.get(e.id)
        yield _item(e, ComplianceKind.drill, e.name, e.id, held, clocks.next_drill_due(e.category, held), today, window)


def _plans(
    session: Session, enterprises: dict[int, Enterprise], kinds: set[ComplianceKind], today: date, window: int
) -> Iterator[ComplianceItem | None]:
    stmt = select(EmergencyPlan).where(
        EmergencyPlan.owner_enterprise_id.is_not(None), EmergencyPlan.issued_on.is_not(None)
    )
    for plan in session.scalars(stmt.order_by(EmergencyPlan.id)):
        e = enterprises.get(plan.owner_enterprise_id or 0)
        # Filing and evaluation bind the high-risk units of Order 2 arts. 26 and 35.
        if e is None or e.category not in clocks.HIGH_RISK or plan.issued_on is None:
            continue
        if ComplianceKind.plan_filing in kinds and plan.filed_on is None:
            due = clocks.filing_due(plan.issued_on)
            yield _item(e, ComplianceKind.plan_filing, plan.title, plan.id, plan.issued_on, due, today, window)
        if ComplianceKind.plan_evaluation in kinds:
            due = clocks.evaluation_due(plan.issued_on, plan.evaluated_on)
            last = plan.evaluated_on or plan.issued_on
            yield _item(e, ComplianceKind.plan_evaluation, plan.title, plan.id, last, due, today, window)


def _assessments(
    session: Session, enterprises: dict[int, Enterprise], today: date, window: int
) -> Iterator[ComplianceItem | None]:
    stmt = select(HazardSource).where(HazardSource.enterprise_id.in_(list(enterprises))).order_by(HazardSource.id)
    for source in session.scalars(stmt):
        e = enterprises[source.enterprise_id or 0]
        last = source.last_risk_assessment_on
        due = clocks.risk_assessment_due(last) if last else None
        yield _item(e, ComplianceKind.risk_assessment, source.name, source.id, last, due, today, window)


def report(
    *,
    session: Session,
    today: date,
    kinds: set[ComplianceKind],
    statuses: set[ComplianceStatus],
    jurisdiction: str | None,
    category: str | None,
    window_days: int = clocks.DUE_WINDOW_DAYS,
) -> ComplianceReport:
    """Every clock of the chosen kinds that is due or overdue on `today`, with counts per town and category."""
    stmt = select(Enterprise).order_by(Enterprise.id)
    if jurisdiction:
        stmt = stmt.where(Enterprise.jurisdiction.in_(jurisdiction_codes(session, jurisdiction)))
    if category:
        stmt = stmt.where(Enterprise.category == category)
    enterprises = {e.id: e for e in session.scalars(stmt)}
    found: list[ComplianceItem | None] = []
    if enterprises:
        if ComplianceKind.drill in kinds:
            found += _drills(session, enterprises, today, window_days)
        if kinds & {ComplianceKind.plan_filing, ComplianceKind.plan_evaluation}:
            found += _plans(session, enterprises, kinds, today, window_days)
        if ComplianceKind.risk_assessment in kinds:
            found += _assessments(session, enterprises, today, window_days)
    items = [i for i in found if i is not None and i.status in statuses]
    items.sort(key=lambda i: (i.enterprise_id, list(ComplianceKind).index(i.kind), i.subject_id))
    by_town: dict[str, StatusCounts] = {}
    by_category: dict[str, StatusCounts] = {}
    for i in items:
        for table, key in ((by_town, i.jurisdiction), (by_category, i.category.value)):
            counts = table.setdefault(key, StatusCounts())
            setattr(counts, i.status.value, getattr(counts, i.status.value) + 1)
    return ComplianceReport(
        as_of=today,
        items=items,
        by_jurisdiction=dict(sorted(by_town.items())),
        by_category=dict(sorted(by_category.items())),
    )
