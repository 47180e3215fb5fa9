"""intake and upward reporting: missing/trapped/at-risk/evacuated, duplicates, chained and filed reports, who did what

Revision ID: 0007_intake_reporting
Revises: 0006_drills
Create Date: 2026-12-06 02:30:00

Incidents gain the counts that make a near-miss or count as dead, a link to
the incident a repeat call duplicates, and an index on the accident time for
the duplicate search. Escalation steps gain when they
became owed (art. 11 chains from it), a follow-up number, a withdrawal time
and the filed art. 12 document; the kind check admits follow-up and final
reports. Dispatches record who moved them into each status; allocations what
came back.
"""

from collections.abc import Sequence

import sqlalchemy as sa

import resources_db.base
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0007_intake_reporting"
down_revision: str | None = "0006_drills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")
OLD_KINDS = ("report", "supplementary")
NEW_KINDS = (*OLD_KINDS, "follow_up", "final")
COUNTS = ("missing", "trapped", "at_risk", "evacuated")
STATUS_ACTORS = ("acknowledged_by", "en_route_by", "on_scene_by", "released_by", "cancelled_by")


def _kind_check(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("near_miss", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_incidents_duplicate_of_incidents"), "incidents", ["duplicate_of"], ["id"])
        batch.create_index(op.f("ix_incidents_duplicate_of"), ["duplicate_of"], unique=False)
        batch.create_index(op.f("ix_incidents_occurred_at"), ["occurred_at"], unique=False)
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("owed_from", resources_db.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", resources_db.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("document", JSON_TYPE, nullable=True))
        batch.drop_constraint(op.f("ck_escalations_escalation_kind"), type_="check")
        batch.create_check_constraint("escalation_kind", _kind_check(NEW_KINDS))
    with op.batch_alter_table("dispatches") as batch:
        for name in STATUS_ACTORS:
            batch.add_column(sa.Column(name, sa.String(length=64), nullable=True))
    with op.batch_alter_table("allocations") as batch:
        batch.add_column(sa.Column("quantity_returned", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("allocations") as batch:
        batch.drop_column("quantity_returned")
    with op.batch_alter_table("dispatches") as batch:
        for name in STATUS_ACTORS:
            batch.drop_column(name)
    # Steps of the new kinds cannot survive the narrower check.
    op.execute("DELETE FROM escalations WHERE kind NOT IN ('report', 'supplementary')")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_constraint(op.f("ck_escalations_escalation_kind"), type_="check")
        batch.create_check_constraint("escalation_kind", _kind_check(OLD_KINDS))
        for name in ("document", "withdrawn_at", "sequence", "owed_from"):
            batch.drop_column(name)
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index(op.f("ix_incidents_occurred_at"))
        batch.drop_index(op.f("ix_incidents_duplicate_of"))
        batch.drop_constraint(op.f("fk_incidents_duplicate_of_incidents"), type_="foreignkey")
        batch.drop_column("duplicate_of")
        batch.drop_column("near_miss")
        for name in reversed(COUNTS):
            batch.drop_column(name)
