"""drills: speed, seed, script and evaluator notes; delivered injects

Revision ID: 0006_drills
Revises: 0005_sec
Create Date: 2026-12-06 02:00:00

A scripted drill records its speed (scenario seconds per wall second), so the
evaluation reports every interval in scenario time, and the plan it is judged
against. Each inject the runner plays is kept with its planned time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import resources_db.base

revision: str = "0006_drills"
down_revision: str | None = "0005_sec"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("drills") as batch:
        batch.add_column(sa.Column("speed", sa.Float(), server_default="1", nullable=False))
        batch.add_column(sa.Column("seed", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("operators", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("script", JSON, nullable=True))
        batch.add_column(sa.Column("evaluator_notes", JSON, nullable=True))
    op.create_table(
        "drill_injects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("inject", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("planned_s", sa.Float(), nullable=False),
        sa.Column("delivered_at", resources_db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name=op.f("fk_drill_injects_drill_id_drills")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_drill_injects_incident_id_incidents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_injects")),
    )
    op.create_index(op.f("ix_drill_injects_drill_id"), "drill_injects", ["drill_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_drill_injects_drill_id"), table_name="drill_injects")
    op.drop_table("drill_injects")
    with op.batch_alter_table("drills") as batch:
        for column in ("evaluator_notes", "script", "operators", "seed", "speed"):
            batch.drop_column(column)
