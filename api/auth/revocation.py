"""Ending every token of a user at once: logout, disable, password change (and `ercp users`).

Tokens carry the user's `token_generation` (api.auth.tokens); raising it makes
every token issued before invalid. The process that raises it forgets its
cached principal at once; other API processes within their principal cache
period (ERCP_PRINCIPAL_CACHE_SECONDS); websockets within a second (realtime.ws).
"""

from sqlalchemy import update
from sqlalchemy.orm import Session

from resources_db.models import User


def end_all_tokens(session: Session, user_id: int) -> None:
    """Invalidate every token issued to the user so far; the caller commits."""
    session.execute(update(User).where(User.id == user_id).values(token_generation=User.token_generation + 1))
