from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.agreements import service
from api.agreements.schemas import AgreementCreate, AgreementPage, AgreementRead
from api.auth.permissions import Admin, CompensationReader
from api.common.etag import set_etag
from api.common.ids import Id
from api.common.listing import PageDep, fetch_page
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute
from resources_db.models import ServiceAgreement

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/agreements", tags=["agreements"])


@router.post("", response_model=AgreementRead, status_code=status.HTTP_201_CREATED)
def create_agreement(data: AgreementCreate, session: SessionDep, principal: Admin, response: Response) -> AgreementRead:
    """Record a social or enterprise team's service agreement; it becomes the team's current one."""
    row = service.create(session=session, principal=principal, data=data)
    session.commit()
    response.headers["Location"] = f"/api/v1/agreements/{row.id}"
    set_etag(response, row.version)
    return AgreementRead.model_validate(row)


@router.get("", response_model=AgreementPage)
def list_agreements(
    session: SessionDep, _: CompensationReader, page: PageDep, team_id: Annotated[Id | None, Query()] = None
) -> AgreementPage:
    """Agreements, oldest first."""
    rows, next_cursor = fetch_page(session, service.filtered(team_id=team_id), id_col=ServiceAgreement.id, page=page)
    return AgreementPage(items=[AgreementRead.model_validate(a) for a, _ in rows], next_cursor=next_cursor)


@router.get("/{agreement_id:int}", response_model=AgreementRead)
def get_agreement(agreement_id: Id, session: SessionDep, _: CompensationReader, response: Response) -> AgreementRead:
    """One agreement."""
    row = service.get_or_raise(session=session, agreement_id=agreement_id)
    set_etag(response, row.version)
    return AgreementRead.model_validate(row)
