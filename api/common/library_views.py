"""The resource library's item routes, declared once: get with `ETag`, create with `ETag` and `Location`, PATCH with
`If-Match`, and actions that honour `If-Match` when sent.

Teams, depots, supply items, hazard sources, plans, jurisdictions and enterprises differ in their schemas, roles,
service calls, list filters and wording, not in these steps; each views module declares what differs with a
`Library` and keeps its list route (the filters genuinely differ) and any route of its own.

A route built here is the route a hand-written view would be: its function gets the name (`get_team`), the
docstring and the parameters (`team_id`, `data`, `if_match`…) that view had, in the same order, so operationIds,
summaries, descriptions and parameters in the OpenAPI document stay what clients were generated from.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy.orm import Session, object_mapper

from api.auth.permissions import Reader
from api.common.etag import IfMatch, check_if_match, check_if_match_sent, set_etag
from api.common.ids import Id
from api.deps import Principal, SessionDep

# Where api.main mounts every router; `Location` names the new item there.
API_PREFIX = "/api/v1"


class Versioned(Protocol):
    """A library row: its `version` is the ETag (api.common.etag)."""

    @property
    def version(self) -> int: ...


RowT = TypeVar("RowT", bound=Versioned)
RowT_co = TypeVar("RowT_co", bound=Versioned, covariant=True)
ReadT = TypeVar("ReadT", bound=BaseModel)
DataT = TypeVar("DataT", bound=BaseModel)
DataT_contra = TypeVar("DataT_contra", bound=BaseModel, contravariant=True)
# A role alias from api.auth.permissions (`Annotated[Principal, Depends(allow(...))]`): a special form, not a class.
RoleDep = Any


class Creator(Protocol[DataT_contra, RowT_co]):
    """A service's `create`: the new row, flushed; the view commits."""

    def __call__(self, *, session: Session, principal: Principal, data: DataT_contra) -> RowT_co: ...


# A change to a loaded row (update, status change…): `(session, principal, row, data)`; the view commits. A plain
# callable, not a protocol, so that mypy checks the lambda a views module adapts its service's keywords with.
Writer = Callable[[Session, Principal, RowT, DataT], object]


def with_distance(read: type[ReadT], rows: Iterable[tuple[Any, float | None]]) -> list[ReadT]:
    """Rows of a radius search as their read model, each with its `distance_km` (None without `near`)."""
    return [read.model_validate(row).model_copy(update={"distance_km": km}) for row, km in rows]


def _param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


class Library(Generic[RowT]):
    """The item routes of one library router.

    `noun` names the routes as the hand-written views did (`get_<noun>`, `create_<noun>`, `update_<noun>`) and the
    path parameter, `<noun>_id`, a bounded `Id`; a library keyed otherwise names its `key` and gives its
    `key_type`. `load` is the service's get-or-404; `after_write` runs after each commit (jurisdictions drop the
    cached service area).
    """

    def __init__(
        self,
        router: APIRouter,
        noun: str,
        *,
        read: type[BaseModel],
        load: Callable[[Session, Any], RowT],
        key: str | None = None,
        key_type: Any = None,
        after_write: Callable[[], None] | None = None,
    ) -> None:
        self.router = router
        self.noun = noun
        self.read = read
        self.load = load
        self.key = key or f"{noun}_id"
        self.key_type = Id if key_type is None else key_type
        # An id takes the `:int` converter, so that a literal path such as `/export.csv` never reaches `/{id}`.
        self.item_path = f"/{{{self.key}:int}}" if key_type is None else f"/{{{self.key}}}"
        self.after_write = after_write

    def get(self, *, role: RoleDep = Reader) -> None:
        """GET /{key}: the item with its ETag."""

        def view(**kw: Any) -> BaseModel:
            row = self.load(kw["session"], kw[self.key])
            set_etag(kw["response"], row.version)
            return self.read.model_validate(row)

        params = [
            _param(self.key, self.key_type),
            _param("session", SessionDep),
            _param("_", role),
            _param("response", Response),
        ]
        doc = f"One {self.noun.replace('_', ' ')}, with its ETag."
        self._route("GET", self.item_path, f"get_{self.noun}", doc, params, view)

    def create(self, schema: type[DataT], role: RoleDep, create: Creator[DataT, RowT], *, doc: str) -> None:
        """POST "": the new item (201) with its ETag and its `Location`."""

        def view(**kw: Any) -> BaseModel:
            session: Session = kw["session"]
            row = create(session=session, principal=kw["principal"], data=kw["data"])
            self._commit(session)
            set_etag(kw["response"], row.version)
            kw["response"].headers["Location"] = self.location(row)
            return self.read.model_validate(row)

        params = [
            _param("data", schema),
            _param("session", SessionDep),
            _param("principal", role),
            _param("response", Response),
        ]
        self._route("POST", "", f"create_{self.noun}", doc, params, view, status_code=status.HTTP_201_CREATED)

    def patch(self, schema: type[DataT], role: RoleDep, update: Writer[RowT, DataT], *, doc: str) -> None:
        """PATCH /{key}: `If-Match` required (428 without it, 412 when stale), the new ETag after."""
        self._write("PATCH", self.item_path, f"update_{self.noun}", schema, role, update, check_if_match, doc)

    def action(
        self, verb: str, name: str, schema: type[DataT], role: RoleDep, act: Writer[RowT, DataT], *, doc: str
    ) -> None:
        """POST /{key}/{verb}: like PATCH, but `If-Match` is checked only when sent."""
        self._write("POST", f"{self.item_path}/{verb}", name, schema, role, act, check_if_match_sent, doc)

    def location(self, row: RowT) -> str:
        """Where the item is read: its primary key (an id, or a jurisdiction's code) under the router's prefix."""
        key = object_mapper(row).primary_key_from_instance(row)[0]
        return f"{API_PREFIX}{self.router.prefix}/{key}"

    def _write(
        self,
        method: str,
        path: str,
        name: str,
        schema: type[DataT],
        role: RoleDep,
        write: Writer[RowT, DataT],
        precondition: Callable[[str | None, int], None],
        doc: str,
    ) -> None:
        def view(**kw: Any) -> BaseModel:
            session: Session = kw["session"]
            row = self.load(session, kw[self.key])
            precondition(kw["if_match"], row.version)
            write(session, kw["principal"], row, kw["data"])
            self._commit(session)
            set_etag(kw["response"], row.version)
            return self.read.model_validate(row)

        params = [
            _param(self.key, self.key_type),
            _param("data", schema),
            _param("session", SessionDep),
            _param("principal", role),
            _param("response", Response),
            _param("if_match", IfMatch, None),
        ]
        self._route(method, path, name, doc, params, view)

    def _commit(self, session: Session) -> None:
        session.commit()
        if self.after_write is not None:
            self.after_write()

    def _route(
        self,
        method: str,
        path: str,
        name: str,
        doc: str,
        params: list[inspect.Parameter],
        view: Callable[..., BaseModel],
        *,
        status_code: int | None = None,
    ) -> None:
        # FastAPI reads the parameters from the signature and the name and description from the function, as it
        # would from a `def` written out in the views module.
        view.__name__ = view.__qualname__ = name
        view.__doc__ = doc
        view.__signature__ = inspect.Signature(params, return_annotation=self.read)  # type: ignore[attr-defined]
        self.router.add_api_route(
            path, view, methods=[method], response_model=self.read, status_code=status_code, name=name
        )
