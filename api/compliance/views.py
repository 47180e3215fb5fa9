from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.auth.permissions import Reader
from api.common import csvio
from api.common.strict import Day
from api.compliance import clocks, service
from api.compliance.schemas import ComplianceItem, ComplianceKind, ComplianceReport, ComplianceStatus
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from resources_db.enterprise_enums import EnterpriseCategory

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/compliance", tags=["compliance"])

CSV_COLUMNS = tuple(ComplianceItem.model_fields)


@dataclass(frozen=True, slots=True)
class Filters:
    kind: list[ComplianceKind] | None
    status: list[ComplianceStatus] | None
    jurisdiction: str | None
    category: EnterpriseCategory | None
    within_days: int
    as_of: date | None


def _filters(
    kind: Annotated[list[ComplianceKind] | None, Query(max_length=len(ComplianceKind))] = None,
    status: Annotated[list[ComplianceStatus] | None, Query(max_length=len(ComplianceStatus))] = None,
    jurisdiction: Annotated[
        str | None, Query(max_length=32, description="a town or street; the city means all of its own")
    ] = None,
    category: EnterpriseCategory | None = None,
    within_days: Annotated[int, Query(ge=0, le=366, description="how far ahead a clock counts as due")] = (
        clocks.DUE_WINDOW_DAYS
    ),
    as_of: Annotated[Day | None, Query(description="the day to evaluate the clocks on (default: today)")] = None,
) -> Filters:
    return Filters(kind, status, jurisdiction, category, within_days, as_of)


FiltersDep = Annotated[Filters, Depends(_filters)]


def _report(session: SessionDep, f: Filters) -> ComplianceReport:
    return service.report(
        session=session,
        today=f.as_of or clocks.city_today(),
        kinds=set(f.kind or ComplianceKind),
        statuses=set(f.status or ComplianceStatus),
        jurisdiction=f.jurisdiction,
        category=f.category,
        window_days=f.within_days,
    )


@router.get("", response_model=ComplianceReport)
def compliance_report(session: SessionDep, _: Reader, filters: FiltersDep) -> ComplianceReport:
    """Per enterprise, which drills, plan filings and evaluations and risk assessments are due or overdue, since
    when; with counts per town and per category. Repeat `kind` or `status` for several."""
    return _report(session, filters)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_compliance_csv(session: SessionDep, _: Reader, filters: FiltersDep) -> Response:
    """The items of `GET /compliance` with the same filters, as CSV (UTF-8 with a BOM for Excel)."""
    report = _report(session, filters)
    rows = (i.model_dump(mode="json") for i in report.items)
    body = csvio.UTF8_BOM + csvio.render(CSV_COLUMNS, rows)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="compliance-{report.as_of.isoformat()}.csv"'},
    )
