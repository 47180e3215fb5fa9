from fastapi import APIRouter, Response, status

from api.auth.permissions import DrillController, Reader
from api.common.etag import set_etag
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.drills import service
from api.drills.schemas import DrillCreate, DrillPage, DrillRead
from api.routing import UnitOfWorkRoute
from resources_db.enums import DrillStatus
from resources_db.models import Drill

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


@router.get("/{drill_id}", response_model=DrillRead)
def get_drill(drill_id: int, session: SessionDep, _: Reader, response: Response) -> DrillRead:
    """One drill."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    set_etag(response, drill.version)
    return DrillRead.model_validate(drill)


@router.post("/{drill_id}/end", response_model=DrillRead)
def end_drill(drill_id: int, session: SessionDep, principal: DrillController, response: Response) -> DrillRead:
    """End a running drill; 409 if it has already ended. Its data stays, marked, out of real views."""
    drill = service.get_or_raise(session=session, drill_id=drill_id)
    service.end(session=session, principal=principal, drill=drill)
    session.commit()
    set_etag(response, drill.version)
    return DrillRead.model_validate(drill)
