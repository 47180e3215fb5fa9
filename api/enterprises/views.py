from typing import Annotated

from fastapi import APIRouter, Query, status

from api.auth.permissions import LibraryWriter, Reader
from api.common.ids import Id
from api.common.library_views import Library
from api.common.listing import PageDep
from api.compliance.clocks import city_today
from api.deps import SessionDep
from api.enterprises import drills, revision_reasons, service
from api.enterprises.schemas import (
    EnterpriseCreate,
    EnterpriseDrillCreate,
    EnterpriseDrillRead,
    EnterpriseDrills,
    EnterprisePage,
    EnterpriseRead,
    EnterpriseUpdate,
)
from api.routing import UnitOfWorkRoute
from resources_db.enterprise_enums import EnterpriseCategory

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/enterprises", tags=["enterprises"])
enterprises = Library(
    router,
    "enterprise",
    read=EnterpriseRead,
    load=lambda s, enterprise_id: service.get_or_raise(session=s, enterprise_id=enterprise_id),
)


@router.get("", response_model=EnterprisePage)
def list_enterprises(
    session: SessionDep,
    _: Reader,
    page: PageDep,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
    category: EnterpriseCategory | None = None,
) -> EnterprisePage:
    """Enterprises on record in id order, filtered by jurisdiction and Decree 708 art. 8 category."""
    stmt = service.filtered(jurisdiction=jurisdiction, category=category)
    rows, next_cursor = service.list_(session=session, stmt=stmt, page=page)
    return EnterprisePage(items=[EnterpriseRead.model_validate(r) for r in rows], next_cursor=next_cursor)


enterprises.create(
    EnterpriseCreate,
    LibraryWriter,
    service.create,
    doc="Put an enterprise on record (its unified social credit code is checked, check character included).",
)
enterprises.get()
enterprises.patch(
    EnterpriseUpdate,
    LibraryWriter,
    lambda session, principal, row, data: service.update(session=session, principal=principal, row=row, data=data),
    doc="Change an enterprise (`If-Match` required).",
)


@router.post("/{enterprise_id:int}/drills", response_model=EnterpriseDrillRead, status_code=status.HTTP_201_CREATED)
def record_enterprise_drill(
    enterprise_id: Id, data: EnterpriseDrillCreate, session: SessionDep, principal: LibraryWriter
) -> EnterpriseDrillRead:
    """Record a drill the enterprise held (not dated in the future), as reported to the county."""
    row = service.get_or_raise(session=session, enterprise_id=enterprise_id)
    drill = drills.record(session=session, principal=principal, enterprise=row, data=data, today=city_today())
    session.commit()
    return EnterpriseDrillRead.model_validate(drill)


@router.get("/{enterprise_id:int}/drills", response_model=EnterpriseDrills)
def list_enterprise_drills(enterprise_id: Id, session: SessionDep, _: Reader) -> EnterpriseDrills:
    """The enterprise's drills, newest first, and the date its next drill is due by its category."""
    row = service.get_or_raise(session=session, enterprise_id=enterprise_id)
    return drills.on_record(session=session, enterprise=row)


@router.get("/{enterprise_id:int}/revision-reasons", response_model=list[revision_reasons.RevisionReason])
def enterprise_revision_reasons(
    enterprise_id: Id, session: SessionDep, _: Reader
) -> list[revision_reasons.RevisionReason]:
    """Why the enterprise's plan should be considered for revision now (Decree 708 art. 6), if anything."""
    row = service.get_or_raise(session=session, enterprise_id=enterprise_id)
    return revision_reasons.reasons(session=session, enterprise=row, today=city_today())
