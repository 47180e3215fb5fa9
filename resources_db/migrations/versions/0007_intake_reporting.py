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
came back. Triggers keep a filed report's row as filed (art. 12: what was sent
stays what was sent); a later SQLite batch alter of escalations must re-create them.
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


# Columns of a filed report (what was sent, when, by whom); the database refuses to change them afterwards.
FILED = ("document", "reported_at", "reported_by", "late", "note", "due_at", "kind", "level", "incident_id")


def _refuse_filed_changes() -> None:
    """Triggers: a filed report's row is neither changed nor deleted, whatever the application does."""
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FILED)
        op.execute(
            "CREATE FUNCTION ercp_filed_report_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF OLD.reported_at IS NOT NULL AND (TG_OP = 'DELETE' OR " + changed + ") THEN "
            "RAISE EXCEPTION 'escalation % was filed and cannot be changed', OLD.id; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER escalations_filed_immutable BEFORE UPDATE OR DELETE ON escalations "
            "FOR EACH ROW EXECUTE FUNCTION ercp_filed_report_immutable()"
        )
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FILED)
    op.execute(
        "CREATE TRIGGER escalations_filed_no_update BEFORE UPDATE ON escalations "
        f"WHEN OLD.reported_at IS NOT NULL AND ({changed}) "
        "BEGIN SELECT RAISE(ABORT, 'a filed escalation cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER escalations_filed_no_delete BEFORE DELETE ON escalations "
        "WHEN OLD.reported_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'a filed escalation cannot be deleted'); END"
    )


def _allow_filed_changes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS escalations_filed_immutable ON escalations")
        op.execute("DROP FUNCTION IF EXISTS ercp_filed_report_immutable()")
        return
    op.execute("DROP TRIGGER IF EXISTS escalations_filed_no_update")
    op.execute("DROP TRIGGER IF EXISTS escalations_filed_no_delete")


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
    # Last: on SQLite a batch alter of escalations rebuilds the table and would drop the triggers.
    _refuse_filed_changes()


def downgrade() -> None:
    _allow_filed_changes()
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
