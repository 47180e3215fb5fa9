from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.permissions import IncidentWriter, Reader
from api.common.drills import DrillScopeDep
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.pagination import CursorQuery, LimitQuery, cursor_id, decode_cursor, encode_cursor, forged_cursor
from api.common.strict import Moment
from api.deps import SessionDep
from api.errors import InvalidInput
from api.escalations import service
from api.escalations.schemas import EscalationPage, EscalationRead, EscalationReport, ReportDocument
from api.routing import UnitOfWorkRoute
from resources_db.base import utcnow
from resources_db.models import Escalation, Incident

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/escalations", tags=["escalations"])


def _read(row: Escalation, drill_id: int | None) -> EscalationRead:
    out = EscalationRead.model_validate(row)
    out.drill_id = drill_id
    return out


@router.get("", response_model=EscalationPage)
def list_escalations(
    session: SessionDep,
    _: Reader,
    scope: DrillScopeDep,
    incident_id: Annotated[Id | None, Query()] = None,
    due_before: Moment | None = None,
    late: bool | None = None,
    open: Annotated[bool, Query(description="only steps not yet reported")] = False,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> EscalationPage:
    """Reporting steps, earliest deadline first; `late=true` includes overdue unreported steps."""
    stmt = service.filtered(incident_id=incident_id, due_before=due_before, late=late, open_only=open, now=utcnow())
    stmt = scope.apply(stmt, Incident.drill_id)
    after = decode_cursor(cursor, length=2)
    if after is not None:
        try:
            due_at = datetime.fromisoformat(str(after[0]))
        except ValueError:
            raise forged_cursor() from None
        if due_at.tzinfo is None:
            raise forged_cursor()
        last_id = cursor_id(after[1])
        stmt = stmt.where((Escalation.due_at > due_at) | ((Escalation.due_at == due_at) & (Escalation.id > last_id)))
    rows = session.execute(stmt.order_by(Escalation.due_at, Escalation.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][0].due_at.isoformat(), rows[-1][0].id]) if more and rows else None
    return EscalationPage(items=[_read(r, d) for r, d in rows], next_cursor=next_cursor)


@router.post("/{escalation_id:int}/report", response_model=EscalationRead)
def report_escalation(
    escalation_id: Id,
    data: EscalationReport,
    session: SessionDep,
    principal: IncidentWriter,
    response: Response,
    if_match: IfMatch = None,
) -> EscalationRead:
    """File this step: the art. 12 document (with the operator's completions) is stored as sent; late after its
    due time. Filing a report moves the deadlines of the open steps above it (art. 11)."""
    row, incident = service.get_or_raise(session=session, escalation_id=escalation_id)
    check_if_match_sent(if_match, row.version)
    completions = {c.number: c.text for c in data.completions}
    if len(completions) != len(data.completions):
        message = "each item is completed once"
        raise InvalidInput(message, [{"field": "body.completions", "message": message}])
    service.report(
        session=session, principal=principal, escalation=row, incident=incident, note=data.note, completions=completions
    )
    session.commit()
    set_etag(response, row.version)
    return _read(row, incident.drill_id)


@router.get("/{escalation_id:int}/report-document", response_model=ReportDocument)
def report_document(escalation_id: Id, session: SessionDep, _: Reader) -> ReportDocument:
    """The art. 12 report of this step (six items, art. 10 recipients) as JSON and printable zh/en text.

    A draft from the incident's data until the step is filed; afterwards exactly what was filed.
    """
    row, incident = service.get_or_raise(session=session, escalation_id=escalation_id)
    return ReportDocument.model_validate(service.draft(session=session, escalation=row, incident=incident))
