"""Signed bearer tokens (HS256 JWT) carrying the user id; the role is re-read from the database."""

import time
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    expires_at: int
    token_id: str


def issue(*, user_id: int, secret: str, ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    payload = {"sub": str(user_id), "iat": issued, "exp": issued + ttl_seconds, "jti": uuid.uuid4().hex}
    return jwt.encode(payload, secret, algorithm=ALGORITHM), ttl_seconds


def decode(token: str, *, secret: str) -> TokenClaims | None:
    """Claims of a valid, unexpired token, or None for anything else."""
    try:
        payload = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "jti"]})
        return TokenClaims(user_id=int(payload["sub"]), expires_at=int(payload["exp"]), token_id=str(payload["jti"]))
    except (jwt.PyJWTError, ValueError):
        return None
