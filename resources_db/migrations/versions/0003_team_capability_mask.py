"""team capabilities as a bit mask on rescue_teams (replaces team_capabilities)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:55:00

The nearest-team query of the recommendation joined team_capabilities twice;
a mask column in the team row lets it filter and group in one pass
(resources_db.capability_bits). Data is carried both ways.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# resources_db.capability_bits.BITS as of this revision: a migration must not change when that module grows.
BITS = {
    "fire_suppression": 0,
    "hazmat": 1,
    "decontamination": 2,
    "medical": 3,
    "water_rescue": 4,
    "boat": 5,
    "diving": 6,
    "structural_collapse": 7,
    "heavy_equipment": 8,
    "mine_rescue": 9,
    "rope_rescue": 10,
    "vehicle_extrication": 11,
    "gas_repair": 12,
    "power_repair": 13,
    "elevator_rescue": 14,
    "crowd_control": 15,
    "flood_pumping": 16,
    "search_rescue": 17,
    "explosive_handling": 18,
    "logistics": 19,
}


def upgrade() -> None:
    op.add_column(
        "rescue_teams", sa.Column("capability_mask", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
    )
    # (team_id, capability) is the primary key, so summing distinct bits is OR-ing them.
    bit = " ".join(f"WHEN '{code}' THEN {1 << b}" for code, b in BITS.items())
    op.execute(
        "UPDATE rescue_teams SET capability_mask = COALESCE("
        f"(SELECT SUM(CASE tc.capability {bit} ELSE 0 END) FROM team_capabilities tc "
        "WHERE tc.team_id = rescue_teams.id), 0)"
    )
    op.drop_index(op.f("ix_team_capabilities_capability"), table_name="team_capabilities")
    op.drop_table("team_capabilities")


def downgrade() -> None:
    # Read before the column goes: on SQLite the batch drop rebuilds rescue_teams, and dropping the
    # old table would cascade-delete team_capabilities rows written any earlier.
    masks = op.get_bind().execute(sa.text("SELECT id, capability_mask FROM rescue_teams")).all()
    with op.batch_alter_table("rescue_teams") as batch:
        batch.drop_column("capability_mask")
    table = op.create_table(
        "team_capabilities",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("capability", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["rescue_teams.id"],
            name=op.f("fk_team_capabilities_team_id_rescue_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "capability", name=op.f("pk_team_capabilities")),
    )
    op.create_index(op.f("ix_team_capabilities_capability"), "team_capabilities", ["capability"], unique=False)
    rows = [
        {"team_id": team_id, "capability": code}
        for team_id, mask in masks
        for code, bit in BITS.items()
        if mask & (1 << bit)
    ]
    if rows:
        op.bulk_insert(table, rows)
