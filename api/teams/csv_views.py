"""Team rosters as CSV, for operators who keep them in spreadsheets.

Export takes the filters of `GET /teams`. Import is all-or-nothing (see
`api.common.csvio`): rows are matched to existing teams by `name`; a matched
team is updated, an unknown name becomes a new `available` team. The `id`
and `status` columns of an export are accepted and **ignored**, so a sheet
round-trips: ids are this server's, and status follows dispatches, never a
spreadsheet. For a matched team, an optional column present in the header
sets its field (an empty `contact_phone` / `capabilities` cell clears it);
an optional column left out of the header keeps the stored value.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
from pydantic import BaseModel, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.permissions import LibraryWriter, Reader
from api.changes import one_event
from api.common import csvio
from api.common.schemas import JurisdictionCode, Latitude, Longitude, Name, Phone, ShortText, WriteModel
from api.deps import Principal, SessionDep
from api.errors import InvalidInput
from api.routing import UnitOfWorkRoute
from api.teams import service
from api.teams.schemas import Capabilities, Personnel, TeamCreate, TeamUpdate
from resources_db.enums import Capability, TeamKind, TeamStatus
from resources_db.models import Jurisdiction, RescueTeam

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/teams", tags=["teams"])

COLUMNS = (
    "id",
    "name",
    "kind",
    "capabilities",
    "personnel",
    "home_jurisdiction",
    "base_lat",
    "base_lon",
    "status",
    "contact_phone",
)
IMPORTED = ("name", "kind", "capabilities", "personnel", "home_jurisdiction", "base_lat", "base_lon", "contact_phone")
NAME_CHUNK = 500  # bound on bind parameters per `IN (...)` when matching names


class TeamRow(WriteModel):
    """One CSV row; `id` and `status` are read only so that an export can be imported back unchanged."""

    id: Annotated[str, StringConstraints(max_length=20)] | None = None
    name: Name
    kind: TeamKind
    capabilities: Capabilities = Field(default_factory=list)
    personnel: Personnel
    home_jurisdiction: JurisdictionCode
    base_lat: Latitude
    base_lon: Longitude
    status: ShortText | None = None
    contact_phone: Phone | None = None


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int


def _checked_row_model(known_jurisdictions: frozenset[str]) -> type[TeamRow]:
    """TeamRow plus the checks that need the database or the other rows, so one pass reports every bad line."""
    seen: set[str] = set()

    class CheckedTeamRow(TeamRow):
        @field_validator("home_jurisdiction")
        @classmethod
        def _jurisdiction_exists(cls, code: str) -> str:
            if code not in known_jurisdictions:
                raise ValueError(f"no jurisdiction {code!r}")
            return code

        @field_validator("name")
        @classmethod
        def _name_once_per_file(cls, name: str) -> str:
            if name in seen:
                raise ValueError(f"the name {name!r} appears on more than one row of this file")
            seen.add(name)
            return name

    return CheckedTeamRow


def _header(data: bytes) -> set[str]:
    text = data.decode("utf-8").removeprefix(csvio.UTF8_BOM)
    return set(next(csv.reader(io.StringIO(text, newline="")), []))


def _existing_by_name(session: Session, names: Sequence[str]) -> dict[str, RescueTeam]:
    found: dict[str, RescueTeam] = {}
    for start in range(0, len(names), NAME_CHUNK):
        chunk = names[start : start + NAME_CHUNK]
        found.update((t.name, t) for t in session.scalars(select(RescueTeam).where(RescueTeam.name.in_(chunk))))
    return found


def _changes(team: RescueTeam, values: dict[str, Any], columns: set[str]) -> dict[str, Any]:
    """The imported fields whose value differs from the team's (the name is the match key, never a change)."""
    out: dict[str, Any] = {}
    for field in IMPORTED:
        if field == "name" or field not in columns:
            continue
        current = team.capabilities if field == "capabilities" else getattr(team, field)
        wanted = sorted({str(c) for c in values[field]}) if field == "capabilities" else values[field]
        if current != wanted:
            out[field] = values[field]
    return out


def import_rows(*, session: Session, principal: Principal, data: bytes) -> ImportResult:
    """Validate every row, then create or update teams; raises InvalidInput (nothing written) on any bad row."""
    known = frozenset(session.scalars(select(Jurisdiction.code)))
    try:
        rows = csvio.parse(data, _checked_row_model(known), list_fields=("capabilities",))
        columns = _header(data)
    except csv.Error as exc:
        # The csv module's own limits (e.g. a cell over 128 KiB) are the client's file, not a server fault.
        raise InvalidInput(
            "the file is not readable CSV", [{"line": None, "field": None, "message": str(exc)}]
        ) from exc
    existing = _existing_by_name(session, [row.name for _, row in rows])
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    # One "reload the teams" event for the whole file, not one per row.
    with one_event(session, event_type="team.reload", data={"section": "teams", "counts": counts}):
        for _, row in rows:
            values = row.model_dump(include=set(IMPORTED))
            team = existing.get(row.name)
            if team is None:
                service.create(session=session, principal=principal, data=TeamCreate.model_validate(values))
                counts["created"] += 1
            elif changes := _changes(team, values, columns):
                service.update(session=session, principal=principal, team=team, data=TeamUpdate.model_validate(changes))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return ImportResult(**counts)


def _export_rows(teams: Iterator[RescueTeam]) -> Iterator[dict[str, Any]]:
    for team in teams:
        yield {c: getattr(team, c) for c in COLUMNS}


@router.get("/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_teams_csv(
    session: SessionDep,
    _: Reader,
    status: TeamStatus | None = None,
    kind: TeamKind | None = None,
    capability: Annotated[list[Capability] | None, Query(max_length=len(Capability))] = None,
    jurisdiction: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """Teams matching the filters of `GET /teams`, as CSV in id order (UTF-8 with a BOM so Excel shows 中文)."""
    stmt = service.filtered(status=status, kind=kind, capabilities=capability, jurisdiction=jurisdiction)
    teams = session.scalars(stmt.order_by(RescueTeam.id))
    body = csvio.UTF8_BOM + csvio.render(COLUMNS, _export_rows(iter(teams)))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="teams.csv"'},
    )


@router.post("/import", response_model=ImportResult)
def import_teams_csv(
    file: Annotated[UploadFile, File(description="CSV with the columns of GET /teams/export.csv")],
    session: SessionDep,
    principal: LibraryWriter,
) -> ImportResult:
    """Create or update teams from a CSV roster; any bad row → 422 listing every bad line, nothing written."""
    result = import_rows(session=session, principal=principal, data=file.file.read())
    session.commit()
    return result
