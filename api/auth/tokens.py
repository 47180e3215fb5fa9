"""Signed bearer tokens (HS256 JWT) carrying the user id and token generation; the role is re-read from the database.

A token is accepted only while it is younger than the maximum age counted
from its `iat`, whatever its `exp` says, and only while its `gen` equals the
user's `token_generation` (checked where the user is loaded, api.deps).
"""

import time
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
# Clocks of several API processes disagree a little; a token "issued" further ahead than this is refused.
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    expires_at: int
    token_id: str
    generation: int


def issue(
    *, user_id: int, secret: str, ttl_seconds: int, generation: int = 0, now: float | None = None
) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "gen": generation,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), ttl_seconds


def decode(token: str, *, secret: str, max_age_seconds: int, now: float | None = None) -> TokenClaims | None:
    """Claims of a valid token within its maximum age, or None for anything else."""
    try:
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "iat", "jti", "gen"]}
        )
        issued, expires, generation = int(payload["iat"]), int(payload["exp"]), payload["gen"]
        if not isinstance(generation, int) or isinstance(generation, bool):
            return None
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    current = time.time() if now is None else now
    # The `exp` is the signer's word; the maximum age is ours, so a token minted to live until 2100 dies anyway.
    if issued > current + CLOCK_SKEW_SECONDS or expires - issued > max_age_seconds:
        return None
    if current - issued > max_age_seconds:
        return None
    return TokenClaims(
        user_id=int(payload["sub"]),
        expires_at=min(expires, issued + max_age_seconds),
        token_id=str(payload["jti"]),
        generation=generation,
    )
