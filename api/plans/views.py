from fastapi import APIRouter

from api.auth.permissions import Reader, RegistryWriter
from api.common.library_views import Library
from api.common.listing import PageDep
from api.deps import SessionDep
from api.plans import service
from api.plans.schemas import PlanCreate, PlanPage, PlanRead, PlanUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import HazardKind, IncidentType

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/plans", tags=["emergency plans"])
plans = Library(router, "plan", read=PlanRead, load=lambda s, plan_id: service.get_or_raise(session=s, plan_id=plan_id))


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


plans.create(PlanCreate, RegistryWriter, service.create, doc="Add an emergency plan (admins only).")
plans.get()
plans.patch(
    PlanUpdate,
    RegistryWriter,
    lambda session, principal, plan, data: service.update(session=session, principal=principal, plan=plan, data=data),
    doc="Change a plan (`If-Match` required); lists and maps given replace the stored ones.",
)
