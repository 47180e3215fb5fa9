from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.auth.permissions import CompensationReader
from api.common import csvio
from api.common.ids import Id
from api.compensation import rules, service
from api.compensation.schemas import CompensationReport
from api.deps import SessionDep
from api.errors import InvalidInput
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/compensation", tags=["compensation"])


def month_query(
    month: Annotated[
        str,
        Query(
            max_length=7,
            description="YYYY-MM, a calendar month in Asia/Shanghai",
            json_schema_extra={"pattern": rules.MONTH_PATTERN},
        ),
    ],
) -> str:
    try:
        rules.parse_month(month)
    except ValueError as exc:
        raise InvalidInput(str(exc), [{"field": "query.month", "message": str(exc)}]) from None
    return month


MonthDep = Annotated[str, Depends(month_query)]
TeamIdQuery = Annotated[Id | None, Query(description="one team's statement only")]
# Bounded so an absurd id is a 422, not a database integer overflow.
EnterpriseQuery = Annotated[Id | None, Query(description="only the dispatches this enterprise pays for (art. 19)")]


@router.get("", response_model=CompensationReport)
def compensation_report(
    session: SessionDep,
    _: CompensationReader,
    month: MonthDep,
    team_id: TeamIdQuery = None,
    enterprise_id: EnterpriseQuery = None,
) -> CompensationReport:
    """Per-team statements for a month: released real dispatches priced by each team's agreement, each naming
    its payer; with `enterprise_id`, that enterprise's share."""
    return service.report(session=session, month=month, team_id=team_id, enterprise_id=enterprise_id)


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_compensation_csv(
    session: SessionDep,
    _: CompensationReader,
    month: MonthDep,
    team_id: TeamIdQuery = None,
    enterprise_id: EnterpriseQuery = None,
) -> Response:
    """The same statements as CSV: `line` rows, then a `team_total` row per team (UTF-8 with a BOM for Excel)."""
    report = service.report(session=session, month=month, team_id=team_id, enterprise_id=enterprise_id)
    body = csvio.UTF8_BOM + csvio.render(service.CSV_COLUMNS, service.csv_rows(report))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="compensation-{month}.csv"'},
    )
