from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.audit import service
from api.auth.permissions import Admin
from api.common.ids import AfterId
from api.common.pagination import LimitQuery
from api.common.schemas import ReadModel
from api.deps import SessionDep
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/audit", tags=["audit"])


class AuditRead(ReadModel):
    id: int
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    at: str
    request_id: str | None
    client_request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditRead]
    next_after_id: int | None


@router.get("", response_model=AuditPage)
def list_audit(
    session: SessionDep,
    _: Admin,
    entity: Annotated[str | None, Query(max_length=64)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    after_id: Annotated[AfterId, Query()] = 0,
    limit: LimitQuery = 100,
) -> AuditPage:
    """Read the audit log (admins only). There is no route that changes or deletes audit rows."""
    rows = service.list_(session, entity=entity, entity_id=entity_id, after_id=after_id, limit=limit)
    fields = [c for c in AuditRead.model_fields if c != "at"]
    items = [AuditRead.model_validate({**{c: getattr(r, c) for c in fields}, "at": r.at.isoformat()}) for r in rows]
    return AuditPage(items=items, next_after_id=rows[-1].id if len(rows) == limit else None)
