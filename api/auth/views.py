from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.auth import passwords, tokens
from api.auth.gate import PasswordGate
from api.auth.revocation import end_all_tokens
from api.deps import CurrentPrincipal, PrincipalCache, SessionDep, SettingsDep
from api.errors import NotAuthenticated
from api.routing import UnitOfWorkRoute
from resources_db.models import User

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int


class Me(BaseModel):
    user_id: int
    username: str
    role: str
    team_id: int | None


def _find_user(factory: sessionmaker[Session], username: str) -> User | None:
    with factory() as session:
        return session.scalar(select(User).where(User.username == username))


# async: the password check waits for a slot of the gate on the event loop, not in a pool thread.
@router.post("/token", response_model=TokenResponse)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], settings: SettingsDep, request: Request
) -> TokenResponse:
    """Exchange a username and password (OAuth2 password form) for a bearer token; 503 when too many sign in."""
    user = await run_in_threadpool(_find_user, request.app.state.session_factory, form.username)
    gate: PasswordGate = request.app.state.password_gate
    ok = await gate.check(lambda: passwords.verify_password(user.password_hash if user else None, form.password))
    if user is None or not ok or not user.active:
        raise NotAuthenticated("unknown username or wrong password")
    token, ttl = tokens.issue(
        user_id=user.id,
        secret=request.app.state.verified_tokens.secret,
        ttl_seconds=settings.token_ttl_seconds,
        generation=user.token_generation,
    )
    return TokenResponse(access_token=token, expires_in=ttl)


@router.post("/logout", status_code=204, response_class=Response)
def logout(principal: CurrentPrincipal, session: SessionDep, request: Request) -> Response:
    """End every token of the caller (all devices) and close their websockets within a second."""
    end_all_tokens(session, principal.user_id)
    session.commit()
    cache: PrincipalCache = request.app.state.principal_cache
    cache.forget(principal.user_id)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    """Who the bearer token belongs to."""
    return Me(
        user_id=principal.user_id, username=principal.username, role=principal.role.value, team_id=principal.team_id
    )
