"""Alembic environment. The URL comes from the caller (`resources_db.migrate`), never from settings."""

from alembic import context
from sqlalchemy import Connection

import resources_db.models  # noqa: F401  (registers every table)
from resources_db.base import Base
from resources_db.engine import make_engine

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
