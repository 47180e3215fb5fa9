"""NOTIFY ercp_outbox when outbox rows are written (PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 08:10:00

Wakes the outbox relay at commit instead of it polling an idle log
(realtime.wakeup). A statement trigger: one NOTIFY per INSERT statement, and
PostgreSQL folds repeats within a transaction into one delivery. SQLite has no
notifications; nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION ercp_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('ercp_outbox', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION ercp_outbox_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION ercp_outbox_notify()")
