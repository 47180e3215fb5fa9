from fastapi import APIRouter, Response, status

from api.auth.permissions import Reader, RegistryWriter
from api.common.etag import IfMatch, check_if_match, set_etag
from api.common.ids import Id
from api.common.listing import PageDep
from api.deps import SessionDep
from api.plans import service
from api.plans.schemas import PlanCreate, PlanPage, PlanRead, PlanUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import HazardKind, IncidentType

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/plans", tags=["emergency plans"])


@router.get("", response_model=PlanPage)
def list_plans(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    incident_type: IncidentType | None = None,
    hazard_kind: HazardKind | None = None,
) -> PlanPage:
    """Emergency plans in id order; with filters, only plans that list that incident type and/or hazard kind."""
    rows, next_cursor = service.list_(session=session, page=page, incident_type=incident_type, hazard_kind=hazard_kind)
    return PlanPage(items=[PlanRead.model_validate(p) for p in rows], next_cursor=next_cursor)


@router.post("", response_model=PlanRead, status_code=status.HTTP_201_CREATED)
def create_plan(data: PlanCreate, session: SessionDep, principal: RegistryWriter, response: Response) -> PlanRead:
    """Add an emergency plan (admins only)."""
    plan = service.create(session=session, principal=principal, data=data)
    session.commit()
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return PlanRead.model_validate(plan)


@router.get("/{plan_id:int}", response_model=PlanRead)
def get_plan(plan_id: Id, session: SessionDep, _: Reader, response: Response) -> PlanRead:
    """One plan, with its ETag."""
    plan = service.get_or_raise(session=session, plan_id=plan_id)
    set_etag(response, plan.version)
    return PlanRead.model_validate(plan)


@router.patch("/{plan_id:int}", response_model=PlanRead)
def update_plan(
    plan_id: Id,
    data: PlanUpdate,
    session: SessionDep,
    principal: RegistryWriter,
    response: Response,
    if_match: IfMatch = None,
) -> PlanRead:
    """Change a plan (`If-Match` required); lists and maps given replace the stored ones."""
    plan = service.get_or_raise(session=session, plan_id=plan_id)
    check_if_match(if_match, plan.version)
    service.update(session=session, principal=principal, plan=plan, data=data)
    session.commit()
    set_etag(response, plan.version)
    return PlanRead.model_validate(plan)
