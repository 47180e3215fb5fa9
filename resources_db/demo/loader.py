"""Deterministic Leizhou demo data (placeholder until the loader lands)."""

from collections.abc import Callable

from sqlalchemy.orm import Session


def seed_demo(session: Session, *, password_hash: str, progress: Callable[[str], object] = print) -> dict[str, int]:
    raise NotImplementedError
