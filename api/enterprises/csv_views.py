"""Enterprises as CSV, like the rest of the library (see `api.common.csvio`: all-or-nothing import).

Rows are matched to enterprises on record by `credit_code`: a matched one is
updated, a new code becomes a new enterprise. The `id` column of an export
is accepted and ignored, so an exported sheet imports back unchanged.
"""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.permissions import LibraryWriter, Reader
from api.common import csvio
from api.deps import Principal, SessionDep
from api.enterprises import service
from api.enterprises.schemas import EnterpriseCreate, EnterpriseUpdate
from api.routing import UnitOfWorkRoute
from resources_db.enterprise_enums import EnterpriseCategory
from resources_db.models import Enterprise, Jurisdiction

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/enterprises", tags=["enterprises"])

COLUMNS = ("id", *service.FIELDS)


class EnterpriseRow(EnterpriseCreate):
    id: Annotated[str, StringConstraints(max_length=20)] | None = None


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int


def _checked_row_model(known_jurisdictions: frozenset[str]) -> type[EnterpriseRow]:
    """EnterpriseRow plus the checks that need the database or the other rows, so one pass reports every bad line."""
    seen: set[str] = set()

    class CheckedRow(EnterpriseRow):
        @field_validator("jurisdiction")
        @classmethod
        def _jurisdiction_exists(cls, code: str) -> str:
            if code not in known_jurisdictions:
                raise ValueError(f"no jurisdiction {code!r}")
            return code

        @field_validator("credit_code")
        @classmethod
        def _code_once_per_file(cls, code: str) -> str:
            if code in seen:
                raise ValueError(f"the credit code {code} appears on more than one row of this file")
            seen.add(code)
            return code

    return CheckedRow


def import_rows(*, session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Validate every row, then create or update; raises InvalidInput (nothing written) on any bad row."""
    known = frozenset(session.scalars(select(Jurisdiction.code)))
    rows = csvio.parse(data, _checked_row_model(known))
    codes = [row.credit_code for _, row in rows]
    existing = {e.credit_code: e for e in session.scalars(select(Enterprise).where(Enterprise.credit_code.in_(codes)))}
    created = updated = unchanged = 0
    for _, row in rows:
        values = row.model_dump(exclude={"id"})
        match = existing.get(row.credit_code)
        if match is None:
            service.create(session=session, principal=principal, data=EnterpriseCreate.model_validate(values))
            created += 1
            continue
        changes = {k: v for k, v in values.items() if getattr(match, k) != v}
        if changes:
            service.update(session=session, principal=principal, row=match, data=EnterpriseUpdate(**changes))
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _export_rows(rows: Iterator[Enterprise]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield {c: getattr(row, c) for c in COLUMNS}


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_enterprises_csv(
    session: SessionDep,
    _: Reader,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
    category: EnterpriseCategory | None = None,
) -> Response:
    """Enterprises matching the filters of `GET /enterprises`, as CSV in id order (UTF-8 with a BOM for Excel)."""
    stmt = service.filtered(jurisdiction=jurisdiction, category=category).order_by(Enterprise.id)
    body = csvio.UTF8_BOM + csvio.render(COLUMNS, _export_rows(iter(session.scalars(stmt))))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="enterprises.csv"'},
    )


@router.post("/import", response_model=ImportResult)
def import_enterprises_csv(
    file: Annotated[UploadFile, File(description="CSV with the columns of GET /enterprises/export.csv")],
    session: SessionDep,
    principal: LibraryWriter,
) -> ImportResult:
    """Create or update enterprises from a CSV sheet; any bad row → 422 listing every bad line, nothing written."""
    result = import_rows(session=session, principal=principal, data=file.file.read())
    session.commit()
    return result
