"""Revision history of plans on record: `/plans/{plan_id}/revisions`."""

from fastapi import APIRouter, status

from api.auth.permissions import LibraryWriter, Reader
from api.common.ids import Id
from api.deps import SessionDep
from api.enterprises import plan_records
from api.enterprises.plan_records import RevisionCreate, RevisionRead
from api.plans import service as plans
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/plans", tags=["emergency plans"])


@router.post("/{plan_id:int}/revisions", response_model=RevisionRead, status_code=status.HTTP_201_CREATED)
def revise_plan(plan_id: Id, data: RevisionCreate, session: SessionDep, principal: LibraryWriter) -> RevisionRead:
    """Record a revision with its Decree 708 art. 6 trigger; the plan is re-issued and must be filed again."""
    plan = plans.get_or_raise(session=session, plan_id=plan_id)
    row = plan_records.revise(session=session, principal=principal, plan=plan, data=data)
    session.commit()
    return RevisionRead.model_validate(row)


@router.get("/{plan_id:int}/revisions", response_model=list[RevisionRead])
def plan_revisions(plan_id: Id, session: SessionDep, _: Reader) -> list[RevisionRead]:
    """The plan's revision history, oldest first."""
    plan = plans.get_or_raise(session=session, plan_id=plan_id)
    return [RevisionRead.model_validate(r) for r in plan_records.history(session=session, plan=plan)]
