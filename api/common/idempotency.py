"""`Idempotency-Key` for writes a retry could duplicate (DESIGN §10, IETF httpapi draft semantics).

- first request with a key: claimed in its own short transaction, then run;
  its answer is stored in the SAME transaction as its effect, so a stored
  answer always means the effect committed;
- same key, same body, after completion: the first answer is replayed
  (`Idempotent-Replayed: true`);
- same key, another body: 422;
- same key while the first is still running: 409 (a client retries later);
- the first request fails (4xx, crash): the claim is released, a retry runs anew.
A claim left by a crashed process is taken over after CLAIM_TIMEOUT.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import orjson
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.deps import CurrentPrincipal
from api.errors import Conflict, InvalidInput
from resources_db.base import utcnow
from resources_db.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)
CLAIM_TIMEOUT = timedelta(seconds=60)
REPLAYED_HEADERS = ("location", "etag")


def body_hash(payload: BaseModel) -> str:
    canonical = orjson.dumps(payload.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


@dataclass
class Idempotency:
    factory: sessionmaker[Session]
    principal: str
    scope: str
    key: str | None

    def _pk(self) -> tuple[str, str, str]:
        assert self.key is not None
        return (self.principal, self.scope, self.key)

    def claim(self, request_hash: str) -> JSONResponse | None:
        """None when this request may run; the stored answer when it already ran; raises 409/422 otherwise."""
        if self.key is None:
            return None
        now = utcnow()
        with self.factory() as s:
            row = s.get(IdempotencyKey, self._pk(), with_for_update=True)
            if row is not None and (
                row.expires_at < now or (row.status_code is None and row.created_at < now - CLAIM_TIMEOUT)
            ):
                s.delete(row)
                s.flush()
                row = None
            if row is None:
                s.add(
                    IdempotencyKey(
                        principal=self.principal,
                        scope=self.scope,
                        key=self.key,
                        request_hash=request_hash,
                        created_at=now,
                        expires_at=now + KEY_TTL,
                    )
                )
                try:
                    s.commit()
                    return None
                except IntegrityError:
                    s.rollback()
                    row = s.get(IdempotencyKey, self._pk())
                    if row is None:  # released between our insert and read: let the client retry
                        raise Conflict("a request with this Idempotency-Key is in progress; retry shortly") from None
            if row.request_hash != request_hash:
                raise InvalidInput(
                    "this Idempotency-Key was used with a different request body",
                    [{"field": "header.Idempotency-Key", "message": "reused with a different body"}],
                )
            if row.status_code is None:
                raise Conflict("a request with this Idempotency-Key is in progress; retry shortly")
            headers = {**(row.response_headers or {}), "Idempotent-Replayed": "true"}
            return JSONResponse(row.response_body, status_code=row.status_code, headers=headers)

    def complete(self, session: Session, status_code: int, body: Any, headers: dict[str, str]) -> None:
        """Store the answer in the caller's transaction, beside the effect."""
        if self.key is None:
            return
        row = session.get(IdempotencyKey, self._pk())
        if row is None:
            raise Conflict("the Idempotency-Key claim was lost; retry")
        row.status_code = status_code
        row.response_body = body
        row.response_headers = {k: v for k, v in headers.items() if k.lower() in REPLAYED_HEADERS}

    def release(self) -> None:
        """Forget an unfinished claim so that a retry runs again."""
        if self.key is None:
            return
        with self.factory() as s:
            s.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.principal == self.principal,
                    IdempotencyKey.scope == self.scope,
                    IdempotencyKey.key == self.key,
                    IdempotencyKey.status_code.is_(None),
                )
            )
            s.commit()


def run(
    idem: Idempotency,
    session: Session,
    payload: BaseModel,
    *,
    status_code: int,
    write: Callable[[], tuple[BaseModel, dict[str, str]]],
) -> JSONResponse:
    """Run `write` (which changes rows and returns the answer) at most once per key, then commit.

    Call it before the request's session has written anything: its read
    transaction is ended first, because on SQLite every transaction holds the
    write lock and the claim's own transaction would otherwise wait on it.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("claim the Idempotency-Key before writing")
    session.commit()
    replay = idem.claim(body_hash(payload))
    if replay is not None:
        return replay
    try:
        answer, headers = write()
        body = answer.model_dump(mode="json")
        idem.complete(session, status_code, body, headers)
        session.commit()
    except BaseException:
        session.rollback()
        idem.release()
        raise
    return JSONResponse(body, status_code=status_code, headers=headers)


def purge_expired(session: Session) -> int:
    """Drop keys past their lifetime (called from housekeeping)."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, description="retry-safe key (kept 24 h)"),
]


def get_idempotency(request: Request, principal: CurrentPrincipal, key: IdempotencyKeyHeader = None) -> Idempotency:
    route = request.scope.get("route")
    scope = f"{request.method} {getattr(route, 'path', request.url.path)}"
    return Idempotency(request.app.state.session_factory, principal.username, scope, key)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
