"""Typed dependencies shared by every router: the session, settings and the current user."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from api.auth import tokens
from api.errors import NotAuthenticated
from api.settings import Settings
from resources_db.enums import Role
from resources_db.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: nothing is kept unless the view calls `session.commit()`."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
        finally:
            session.rollback()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: what routes check permissions against and audit rows record."""

    user_id: int
    username: str
    role: Role
    team_id: int | None


def principal_for_token(session: Session, secret: str, token: str) -> Principal | None:
    """The active user a valid token names, or None (invalid, expired, user gone or disabled)."""
    claims = tokens.decode(token, secret=secret)
    if claims is None:
        return None
    return _load_principal(session, claims.user_id)


def _load_principal(session: Session, user_id: int) -> Principal | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return Principal(user_id=user.id, username=user.username, role=user.role, team_id=user.team_id)


class PrincipalCache:
    """Active users by id for a few seconds: saves a database round trip on every request.

    The token itself is still verified (signature, expiry) on every request;
    only "is this user still active, with which role" may be `ttl` seconds old.
    Websockets re-check against the database (realtime revalidation).
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


def get_principal(
    request: Request, session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise NotAuthenticated("send a bearer token (POST /api/v1/auth/token)")
    claims = tokens.decode(token, secret=settings.secret_key)
    if claims is None:
        raise NotAuthenticated("the token is invalid or has expired")
    cache: PrincipalCache = request.app.state.principal_cache
    principal = cache.get(claims.user_id)
    if principal is None:
        principal = _load_principal(session, claims.user_id)
        # End the read transaction: its pooled connection must not wait, held, for the view's thread (api.routing).
        session.commit()
        if principal is not None:
            cache.put(principal)
    if principal is None:
        raise NotAuthenticated("the token is invalid or expired, or its user is disabled")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
