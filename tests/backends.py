"""Test databases: a fresh PostgreSQL database per run when DATABASE_URL points at a server, else SQLite.

Each test session creates its own database (never the one in DATABASE_URL
itself), migrates it with Alembic, and drops it at the end.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from resources_db.engine import normalize_url


def server_url() -> str | None:
    """The PostgreSQL server the environment points at, if any."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgresql", "postgres")) else None


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if server_url() else ["sqlite"]


@contextmanager
def fresh_postgres_database(prefix: str = "ercp_test", server: str | None = None) -> Iterator[str]:
    """A new database on `server` (default: DATABASE_URL's), dropped when the block ends."""
    base = server or server_url()
    assert base, "DATABASE_URL must name a PostgreSQL server"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalize_url(base), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield normalize_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, tmp_dir: Path) -> Iterator[str]:
    if backend == "postgresql":
        with fresh_postgres_database() as url:
            yield url
    else:
        path = tmp_dir / f"ercp-{uuid.uuid4().hex[:8]}.db"
        yield str(make_url(f"sqlite:///{path}"))
