from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api.auth.permissions import DrillController, Reader
from api.common.etag import IfMatch, check_if_match_sent, set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.drills import evaluation_data, service
from api.drills.schemas import DrillCreate, DrillPage, DrillRead, EvaluatorInput, InjectCreate, InjectPage, InjectRead
from api.routing import UnitOfWorkRoute
from resources_db.enums import DrillStatus
from resources_db.models import Drill, DrillInject

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/drills", tags=["drills"])


@router.post("", response_model=DrillRead, status_code=status.HTTP_201_CREATED)
def start_drill(data: DrillCreate, session: SessionDep, principal: DrillController, response: Response) -> DrillRead:
    """Start a drill; incidents reported with its id are exercise data until it ends."""
    drill = service.create(session=session, principal=principal, data=data)
    session.commit()
    response.headers["Location"] = f"/api/v1/drills/{drill.id}"
    set_etag(response, drill.version)
    return DrillRead.model_validate(drill)


@router.get("", response_model=DrillPage)
def list_drills(session: SessionDep, _: Reader, page: PageDep, status: DrillStatus | None = None) -> DrillPage:
    """Drills, oldest first."""
    rows, next_cursor = fetch_page(session, service.filtered(status=status), id_col=Drill.id, page=page)
    return DrillPage(items=[DrillRead.model_validate(d) for d, _ in rows], next_cursor=next_cursor)


@router.get("/{drill_id:int}", response_model=DrillRead)
def get_drill(drill_id: Id, session: SessionDep, _: Reader, response: Response) -> DrillRead:
    """One drill."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    set_etag(response, drill.version)
    return DrillRead.model_validate(drill)


@router.post("/{drill_id:int}/end", response_model=DrillRead)
def end_drill(
    drill_id: Id, session: SessionDep, principal: DrillController, response: Response, if_match: IfMatch = None
) -> DrillRead:
    """End a running drill; 409 if it has already ended. Its data stays, marked, out of real views."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    check_if_match_sent(if_match, drill.version)
    service.end(session=session, principal=principal, drill=drill)
    session.commit()
    set_etag(response, drill.version)
    return DrillRead.model_validate(drill)


@router.post("/{drill_id:int}/injects", response_model=InjectRead, status_code=status.HTTP_201_CREATED)
def deliver_inject(drill_id: Id, data: InjectCreate, session: SessionDep, principal: DrillController) -> InjectRead:
    """Record an inject of the scenario as played now (planned scenario time against actual)."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    row = service.deliver_inject(session=session, principal=principal, drill=drill, data=data)
    session.commit()
    return InjectRead.model_validate(row)


@router.get("/{drill_id:int}/injects", response_model=InjectPage)
def list_injects(drill_id: Id, session: SessionDep, _: Reader, page: PageDep) -> InjectPage:
    """The injects played so far, in order."""
    service.get_or_raise(session=session, drill_id=drill_id)
    stmt = select(DrillInject).where(DrillInject.drill_id == drill_id)
    rows, next_cursor = fetch_page(session, stmt, id_col=DrillInject.id, page=page)
    return InjectPage(items=[InjectRead.model_validate(r) for r, _ in rows], next_cursor=next_cursor)


@router.get("/{drill_id:int}/evaluation")
def get_evaluation(drill_id: Id, session: SessionDep, _: Reader) -> dict[str, Any]:
    """The drill's evaluation in scenario time (see api.drills.evaluation); `evaluator` holds what a person entered."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    return evaluation_data.report(session=session, drill=drill)


@router.patch("/{drill_id:int}/evaluation")
def enter_evaluation(
    drill_id: Id, data: EvaluatorInput, session: SessionDep, principal: DrillController
) -> dict[str, Any]:
    """Ratings per objective (HSEEP P/S/M/U), strengths, problems and corrective actions, entered by an evaluator."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    service.record_evaluation(session=session, principal=principal, drill=drill, data=data)
    session.commit()
    return evaluation_data.report(session=session, drill=drill)
