"""Typed dependencies shared by every router: the session, settings and the current user."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

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
    user = session.get(User, claims.user_id)
    if user is None or not user.active:
        return None
    return Principal(user_id=user.id, username=user.username, role=user.role, team_id=user.team_id)


def get_principal(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise NotAuthenticated("send a bearer token (POST /api/v1/auth/token)")
    principal = principal_for_token(session, settings.secret_key, token)
    # End the read transaction: its pooled connection must not wait, held, for the view's thread (api.routing).
    session.commit()
    if principal is None:
        raise NotAuthenticated("the token is invalid or expired, or its user is disabled")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
