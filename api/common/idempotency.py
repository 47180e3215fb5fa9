"""`Idempotency-Key` for writes a retry could duplicate (DESIGN §10, IETF httpapi draft semantics).

The key is claimed inside the request's own transaction (INSERT … ON CONFLICT
DO NOTHING) and its answer stored in that same transaction, beside the effect:
- first request with a key: claims it, runs, stores its answer, commits;
- same key and body while the first is still running: the duplicate's insert
  waits on the first one's uncommitted row (PostgreSQL; SQLite serialises
  writers anyway), then finds the stored answer and replays it — so an
  in-flight duplicate gets an identical replay, never a second effect;
- same key and body later: the first answer replayed (`Idempotent-Replayed: true`);
- same key, another body: 422;
- a first request that fails rolls back its claim with everything else, so a
  retry runs anew; a crashed process leaves no claim behind.
Keys live 24 hours (KEY_TTL); an expired key is taken over by the next request.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, cast

import orjson
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import BindParameter, Connection, Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from api.deps import CurrentPrincipal
from api.errors import Conflict, InvalidInput
from resources_db.base import utcnow
from resources_db.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)
REPLAYED_HEADERS = ("location", "etag")

# Built once: the claim and the stored answer are two statements of every retry-safe write, and building
# and cache-keying a statement per request costs more CPU than running it.
_KEYS = cast(Table, IdempotencyKey.__table__)
_THIS_KEY = (
    (_KEYS.c.principal == bindparam("k_principal"))
    & (_KEYS.c.scope == bindparam("k_scope"))
    & (_KEYS.c.key == bindparam("k_key"))
)
_CLAIM_VALUES: dict[str, BindParameter[Any]] = {
    "principal": bindparam("k_principal"),
    "scope": bindparam("k_scope"),
    "key": bindparam("k_key"),
    "request_hash": bindparam("request_hash"),
    "created_at": bindparam("created_at"),
    "expires_at": bindparam("expires_at"),
}
_CLAIM = {
    # RETURNING yields a row only when the insert happened (rowcount is not reliable for ON CONFLICT).
    dialect: insert(_KEYS)
    .values(_CLAIM_VALUES)
    .on_conflict_do_nothing(index_elements=["principal", "scope", "key"])
    .returning(_KEYS.c.key)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_STORED = select(
    _KEYS.c.request_hash, _KEYS.c.status_code, _KEYS.c.response_body, _KEYS.c.response_headers, _KEYS.c.expires_at
).where(_THIS_KEY)
_FORGET = delete(_KEYS).where(_THIS_KEY)
_COMPLETE = (
    update(_KEYS)
    .where(_THIS_KEY)
    .values(
        status_code=bindparam("status_code"),
        response_body=bindparam("response_body", type_=_KEYS.c.response_body.type),
        response_headers=bindparam("response_headers", type_=_KEYS.c.response_headers.type),
    )
)


def body_hash(payload: BaseModel) -> str:
    data = payload.model_dump(mode="json")
    try:
        canonical = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        # orjson stops at 64-bit integers; request models bound theirs, but a hash must never be why a valid body fails.
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


class OrjsonResponse(JSONResponse):
    """JSON rendered by orjson: stdlib `json` is a visible share of a small write's CPU."""

    def render(self, content: Any) -> bytes:
        # OPT_NON_STR_KEYS: int keys become strings, as the stdlib's `json` made them.
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


@dataclass(frozen=True)
class Idempotency:
    principal: str
    scope: str
    key: str | None

    def _params(self) -> dict[str, Any]:
        return {"k_principal": self.principal, "k_scope": self.scope, "k_key": self.key}

    def _insert(self, conn: Connection, request_hash: str) -> bool:
        now = utcnow()
        params = {**self._params(), "request_hash": request_hash, "created_at": now, "expires_at": now + KEY_TTL}
        return conn.execute(_CLAIM[conn.dialect.name], params).first() is not None

    def claim(self, session: Session, request_hash: str) -> JSONResponse | None:
        """None when this request may run (the key is now ours); the stored answer when it already ran."""
        if self.key is None:
            return None
        conn = session.connection()
        if self._insert(conn, request_hash):
            return None
        row = conn.execute(_STORED, self._params()).one()
        if row.expires_at < utcnow():
            conn.execute(_FORGET, self._params())
            if self._insert(conn, request_hash):
                return None
        if row.request_hash != request_hash:
            raise InvalidInput(
                "this Idempotency-Key was used with a different request body",
                [{"field": "header.Idempotency-Key", "message": "reused with a different body"}],
            )
        if row.status_code is None:  # only a row written by an older version could be left like this
            raise Conflict("a request with this Idempotency-Key has not finished; retry shortly")
        headers = {**(row.response_headers or {}), "Idempotent-Replayed": "true"}
        return OrjsonResponse(row.response_body, status_code=row.status_code, headers=headers)

    def complete(self, session: Session, status_code: int, body: Any, headers: dict[str, str]) -> None:
        """Store the answer beside the effect, in the same transaction."""
        if self.key is None:
            return
        kept = {k: v for k, v in headers.items() if k.lower() in REPLAYED_HEADERS}
        params = {**self._params(), "status_code": status_code, "response_body": body, "response_headers": kept}
        session.connection().execute(_COMPLETE, params)


def run(
    idem: Idempotency,
    session: Session,
    payload: BaseModel,
    *,
    status_code: int,
    write: Callable[[], tuple[BaseModel, dict[str, str]]],
) -> JSONResponse:
    """Run `write` (which changes rows and returns the answer) at most once per key, then commit."""
    replay = idem.claim(session, body_hash(payload))
    if replay is not None:
        session.rollback()
        return replay
    try:
        answer, headers = write()
        body = answer.model_dump(mode="json")
        idem.complete(session, status_code, body, headers)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return OrjsonResponse(body, status_code=status_code, headers=headers)


def purge_expired(session: Session) -> int:
    """Drop keys past their lifetime (for housekeeping)."""
    result = session.execute(delete(_KEYS).where(_KEYS.c.expires_at < utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, description="retry-safe key (kept 24 h)"),
]


async def get_idempotency(
    request: Request, principal: CurrentPrincipal, key: IdempotencyKeyHeader = None
) -> Idempotency:
    route = request.scope.get("route")
    scope = f"{request.method} {getattr(route, 'path', request.url.path)}"
    return Idempotency(principal.username, scope, key)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
