"""Typed dependencies shared by every router: the session, settings and the current user."""

import threading
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.auth import tokens
from api.errors import NotAuthenticated
from api.settings import Settings
from resources_db.enums import Role
from resources_db.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# The dependencies below are `async def` although they do no I/O on their common path: FastAPI runs a sync
# dependency in the thread pool, and each such hop costs a worker more CPU than the dependency itself.


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One unit of work per request: nothing is kept unless the view calls `session.commit()`."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()  # no connection yet: the session checks one out on first use, in the view's thread
    try:
        yield session
    finally:
        if session.in_transaction():
            # A view that left its transaction open (routes without api.routing's UnitOfWorkRoute): the
            # rollback talks to the database, so it runs in a thread, never on the event loop.
            await run_in_threadpool(session.close)
        else:
            session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: what routes check permissions against and audit rows record."""

    user_id: int
    username: str
    role: Role
    team_id: int | None
    # The user's token generation when this was read: a token of another generation is no longer valid.
    token_generation: int = 0


class VerifiedTokens:
    """Claims of tokens whose signature was checked in the last `ttl` seconds, keyed by the exact token text.

    Checking an HS256 signature costs about as much CPU as one SQL statement,
    and a client sends the same token with every request. Only a byte-identical
    token, verified before with this object's key, is answered from here, and
    its expiry is checked on every use; whether its generation is still the
    user's is PrincipalCache's business.
    """

    def __init__(self, *, secret: str, max_age_seconds: int, ttl: float = 60.0, maxsize: int = 10_000) -> None:
        self.secret = secret
        self.max_age_seconds = max_age_seconds
        self._cache: TTLCache[str, tokens.TokenClaims] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def decode(self, token: str) -> tokens.TokenClaims | None:
        with self._lock:
            claims = self._cache.get(token)
        if claims is None:
            claims = tokens.decode(token, secret=self.secret, max_age_seconds=self.max_age_seconds)
            if claims is None:
                return None
            with self._lock:
                self._cache[token] = claims
        return claims if claims.expires_at > time.time() else None


def load_principal(session: Session, user_id: int) -> Principal | None:
    """The active user with this id, or None (gone or disabled)."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        team_id=user.team_id,
        token_generation=user.token_generation,
    )


def principal_for_token(session: Session, verified: VerifiedTokens, token: str) -> Principal | None:
    """The active user a valid token of the current generation names, or None."""
    claims = verified.decode(token)
    if claims is None:
        return None
    principal = load_principal(session, claims.user_id)
    if principal is None or principal.token_generation != claims.generation:
        return None
    return principal


def valid_tokens(session: Session, verified: VerifiedTokens, candidates: Collection[str]) -> set[str]:
    """The tokens among `candidates` that are still valid, with one query for all their users (websockets)."""
    claims = {token: verified.decode(token) for token in candidates}
    user_ids = {c.user_id for c in claims.values() if c is not None}
    if not user_ids:
        return set()
    rows = session.execute(
        select(User.id, User.token_generation).where(User.id.in_(user_ids), User.active.is_(True))
    ).all()
    generation: dict[int, int] = {int(row[0]): int(row[1]) for row in rows}
    return {t for t, c in claims.items() if c is not None and generation.get(c.user_id) == c.generation}


class PrincipalCache:
    """Active users by id for a few seconds: saves a database round trip on every request.

    The token itself is still verified (signature, age) on every request;
    only "is this user still active, with which role and token generation"
    may be `ttl` seconds old in another process. The process that ends a
    user's tokens drops its entry at once (`forget`); websockets are
    re-checked against the database every second (realtime.ws).
    """

    def __init__(self, ttl: float, maxsize: int = 10_000) -> None:
        self._cache: TTLCache[int, Principal] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def get(self, user_id: int) -> Principal | None:
        with self._lock:
            return self._cache.get(user_id)

    def put(self, principal: Principal) -> None:
        with self._lock:
            self._cache[principal.user_id] = principal

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._cache.pop(user_id, None)


def _load_principal_now(factory: sessionmaker[Session], user_id: int) -> Principal | None:
    # A session of its own, closed before returning: a pooled connection must never be held across the hop
    # to the view's thread (see api.routing).
    with factory() as session:
        return load_principal(session, user_id)


async def get_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    if not token:
        raise NotAuthenticated("send a bearer token (POST /api/v1/auth/token)")
    verified: VerifiedTokens = request.app.state.verified_tokens
    claims = verified.decode(token)
    if claims is None:
        raise NotAuthenticated("the token is invalid or has expired")
    cache: PrincipalCache = request.app.state.principal_cache
    principal = cache.get(claims.user_id)
    # A newer token than the cached row (a login right after a logout) means the row is stale: read it again.
    if principal is None or principal.token_generation < claims.generation:
        principal = await run_in_threadpool(_load_principal_now, request.app.state.session_factory, claims.user_id)
        if principal is not None:
            cache.put(principal)
    if principal is None or principal.token_generation != claims.generation:
        raise NotAuthenticated("the token is invalid, expired or revoked, or its user is disabled")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
