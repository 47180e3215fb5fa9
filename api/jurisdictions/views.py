from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.auth.permissions import Reader, RegistryWriter
from api.common import area
from api.common.etag import IfMatch, check_if_match, set_etag
from api.common.listing import PageDep
from api.deps import SessionDep
from api.jurisdictions import service
from api.jurisdictions.schemas import JurisdictionCreate, JurisdictionPage, JurisdictionRead, JurisdictionUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enums import JurisdictionKind

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/jurisdictions", tags=["jurisdictions"])

Code = Annotated[str, Path(max_length=32)]


@router.get("", response_model=JurisdictionPage)
def list_jurisdictions(
    session: SessionDep, _: Reader, page: PageDep, kind: JurisdictionKind | None = None
) -> JurisdictionPage:
    """Jurisdictions ordered by code, optionally of one kind."""
    rows, next_cursor = service.list_(session=session, page=page, kind=kind)
    return JurisdictionPage(items=[JurisdictionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("", response_model=JurisdictionRead, status_code=status.HTTP_201_CREATED)
def create_jurisdiction(
    data: JurisdictionCreate, session: SessionDep, principal: RegistryWriter, response: Response
) -> JurisdictionRead:
    """Add a jurisdiction (admins only); 409 when the code exists."""
    row = service.create(session=session, principal=principal, data=data)
    session.commit()
    area.forget()  # the service area may have grown or moved
    set_etag(response, row.version)
    response.headers["Location"] = f"/api/v1/jurisdictions/{row.code}"
    return JurisdictionRead.model_validate(row)


@router.get("/{code}", response_model=JurisdictionRead)
def get_jurisdiction(code: Code, session: SessionDep, _: Reader, response: Response) -> JurisdictionRead:
    """One jurisdiction, with its ETag."""
    row = service.get_or_raise(session=session, code=code)
    set_etag(response, row.version)
    return JurisdictionRead.model_validate(row)


@router.patch("/{code}", response_model=JurisdictionRead)
def update_jurisdiction(
    code: Code,
    data: JurisdictionUpdate,
    session: SessionDep,
    principal: RegistryWriter,
    response: Response,
    if_match: IfMatch = None,
) -> JurisdictionRead:
    """Change names, kind or centre (`If-Match` required); the code never changes."""
    row = service.get_or_raise(session=session, code=code)
    check_if_match(if_match, row.version)
    service.update(session=session, principal=principal, row=row, data=data)
    session.commit()
    area.forget()  # the service area may have grown or moved
    set_etag(response, row.version)
    return JurisdictionRead.model_validate(row)
