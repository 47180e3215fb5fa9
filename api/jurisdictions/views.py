from typing import Annotated

from fastapi import APIRouter, Path

from api.auth.permissions import Reader, RegistryWriter
from api.common import area
from api.common.library_views import Library
from api.common.listing import PageDep
from api.deps import SessionDep
from api.jurisdictions import service
from api.jurisdictions.schemas import JurisdictionCreate, JurisdictionPage, JurisdictionRead, JurisdictionUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import JurisdictionKind

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/jurisdictions", tags=["jurisdictions"])

Code = Annotated[str, Path(max_length=32)]
jurisdictions = Library(
    router,
    "jurisdiction",
    read=JurisdictionRead,
    load=lambda s, code: service.get_or_raise(session=s, code=code),
    key="code",
    key_type=Code,
    after_write=area.forget,  # the service area may have grown or moved
)


@router.get("", response_model=JurisdictionPage)
def list_jurisdictions(
    session: SessionDep, _: Reader, page: PageDep, kind: JurisdictionKind | None = None
) -> JurisdictionPage:
    """Jurisdictions ordered by code, optionally of one kind."""
    rows, next_cursor = service.list_(session=session, page=page, kind=kind)
    return JurisdictionPage(items=[JurisdictionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


jurisdictions.create(
    JurisdictionCreate,
    RegistryWriter,
    service.create,
    doc="Add a jurisdiction (admins only); 409 when the code exists.",
)
jurisdictions.get()
jurisdictions.patch(
    JurisdictionUpdate,
    RegistryWriter,
    lambda session, principal, row, data: service.update(session=session, principal=principal, row=row, data=data),
    doc="Change names, kind or centre (`If-Match` required); the code never changes.",
)
