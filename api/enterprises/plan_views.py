"""Revision history of plans on record: `/plans/{plan_id}/revisions`."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.auth.permissions import LibraryWriter, Reader
from api.deps import SessionDep
from api.enterprises import plan_records
from api.enterprises.plan_records import RevisionCreate, RevisionRead
from api.plans import service as plans
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/plans", tags=["emergency plans"])

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/{plan_id}/revisions", response_model=RevisionRead, status_code=status.HTTP_201_CREATED)
def revise_plan(plan_id: PlanId, data: RevisionCreate, session: SessionDep, principal: LibraryWriter) -> RevisionRead:
    """Record a revision with its Decree 708 art. 6 trigger; the plan is re-issued and must be filed again."""
    plan = plans.get_or_raise(session=session, plan_id=plan_id)
    row = plan_records.revise(session=session, principal=principal, plan=plan, data=data)
    session.commit()
    return RevisionRead.model_validate(row)


@router.get("/{plan_id}/revisions", response_model=list[RevisionRead])
def plan_revisions(plan_id: PlanId, session: SessionDep, _: Reader) -> list[RevisionRead]:
    """The plan's revision history, oldest first."""
    plan = plans.get_or_raise(session=session, plan_id=plan_id)
    return [RevisionRead.model_validate(r) for r in plan_records.history(session=session, plan=plan)]
