"""enterprises on record; plans gain owner and dates; enterprise drills; plan revisions

Revision ID: 0008_enterprise
Revises: 0007_intake_reporting
Create Date: 2026-12-06 02:05:50

Seed §12 holds enterprises to their plans, reserves and drills. Hazard sources
and depots gain `enterprise_id`; hazard sources also their last risk
assessment date. The free-text `hazard_sources.enterprise` becomes records:
one enterprise per distinct name, in the jurisdiction of its first source and
with the Decree 708 art. 8 category its hazard kinds imply. Those rows have no
credit code yet (the column allows that for them alone; the API requires one).
The text column stays, as the name shown with a source, until every client
reads `enterprise_id`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import resources_db.base

revision: str = "0008_enterprise"
down_revision: str | None = "0007_intake_reporting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Hazard kind -> Decree 708 art. 8 category and a sector label, as of this revision. A unit with sources of
# several kinds takes the first high-risk category met in this order.
CATEGORY_OF_KIND = {
    "hazchem_storage": ("hazardous_goods", "危险化学品储存经营"),
    "ammonia_refrigeration": ("hazardous_goods", "涉氨制冷"),
    "gas_station": ("hazardous_goods", "成品油及燃气经营"),
    "pipeline": ("hazardous_goods", "燃气及油品管道输送"),
    "fireworks_store": ("hazardous_goods", "烟花爆竹经营储存"),
    "mine": ("mine", "非煤矿山"),
    "construction_site": ("construction", "建筑施工"),
    "crowded_place": ("crowded_place", "人员密集场所经营"),
    "port_wharf": ("other", "港口码头"),
    "special_equipment": ("other", "特种设备使用"),
}
CATEGORY_ORDER = ("hazardous_goods", "mine", "construction", "crowded_place", "other")


def upgrade() -> None:
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("sector", sa.String(length=64), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "hazardous_goods",
                "mine",
                "metal_smelting",
                "urban_rail",
                "construction",
                "crowded_place",
                "other",
                name="enterprise_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("large_scale", sa.Boolean(), nullable=False),
        sa.Column("contact_person", sa.String(length=64), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("duty_phone", sa.String(length=32), nullable=True),
        sa.Column("created_at", resources_db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction"], ["jurisdictions.code"], name=op.f("fk_enterprises_jurisdiction_jurisdictions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprises")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_enterprises_credit_code")),
        sa.UniqueConstraint("name", name=op.f("uq_enterprises_name")),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprises_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprises_jurisdiction"), ["jurisdiction"], unique=False)

    op.create_table(
        "enterprise_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column(
            "form",
            sa.Enum("tabletop", "live", name="drill_form", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum(
                "comprehensive",
                "special",
                "on_site",
                name="drill_scope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("drill_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", resources_db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name=op.f("fk_enterprise_drills_drill_id_drills")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_enterprise_drills_enterprise_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["emergency_plans.id"], name=op.f("fk_enterprise_drills_plan_id_emergency_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_drills")),
    )
    with op.batch_alter_table("enterprise_drills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_drills_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(length=32), nullable=False),
        sa.Column("revised_on", sa.Date(), nullable=False),
        sa.Column(
            "trigger",
            sa.Enum(
                "law_changed",
                "command_changed",
                "risk_changed",
                "resources_changed",
                "drill_or_rescue_lesson",
                "other",
                name="revision_trigger",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", resources_db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["emergency_plans.id"], name=op.f("fk_plan_revisions_plan_id_emergency_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revisions")),
    )
    with op.batch_alter_table("plan_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_revisions_plan_id"), ["plan_id"], unique=False)

    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_depots_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_depots_enterprise_id_enterprises"), "enterprises", ["enterprise_id"], ["id"]
        )

    with op.batch_alter_table("emergency_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_enterprise_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("owner_body", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("edition", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("filed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("evaluated_on", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_emergency_plans_owner_enterprise_id"), ["owner_enterprise_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_emergency_plans_owner_enterprise_id_enterprises"),
            "enterprises",
            ["owner_enterprise_id"],
            ["id"],
        )

    with op.batch_alter_table("hazard_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_risk_assessment_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_hazard_sources_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_hazard_sources_enterprise_id_enterprises"), "enterprises", ["enterprise_id"], ["id"]
        )

    op.create_table(
        "agreement_enterprises",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["service_agreements.id"],
            name=op.f("fk_agreement_enterprises_agreement_id_service_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_agreement_enterprises_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "enterprise_id", name=op.f("pk_agreement_enterprises")),
    )
    with op.batch_alter_table("agreement_enterprises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_enterprises_enterprise_id"), ["enterprise_id"], unique=False)

    op.create_table(
        "compliance_notices",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("announced_at", resources_db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_compliance_notices_enterprise_id_enterprises")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_compliance_notices")),
    )
    with op.batch_alter_table("compliance_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compliance_notices_enterprise_id"), ["enterprise_id"], unique=False)

    _enterprises_from_hazard_text()


def downgrade() -> None:
    with op.batch_alter_table("compliance_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_notices_enterprise_id"))
    op.drop_table("compliance_notices")
    with op.batch_alter_table("agreement_enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_enterprises_enterprise_id"))
    op.drop_table("agreement_enterprises")

    with op.batch_alter_table("hazard_sources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_hazard_sources_enterprise_id_enterprises"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_hazard_sources_enterprise_id"))
        batch_op.drop_column("last_risk_assessment_on")
        batch_op.drop_column("enterprise_id")

    with op.batch_alter_table("emergency_plans", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_emergency_plans_owner_enterprise_id_enterprises"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_emergency_plans_owner_enterprise_id"))
        batch_op.drop_column("evaluated_on")
        batch_op.drop_column("filed_on")
        batch_op.drop_column("issued_on")
        batch_op.drop_column("edition")
        batch_op.drop_column("owner_body")
        batch_op.drop_column("owner_enterprise_id")

    with op.batch_alter_table("depots", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_depots_enterprise_id_enterprises"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_depots_enterprise_id"))
        batch_op.drop_column("enterprise_id")

    with op.batch_alter_table("plan_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_revisions_plan_id"))

    op.drop_table("plan_revisions")
    with op.batch_alter_table("enterprise_drills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_drills_enterprise_id"))

    op.drop_table("enterprise_drills")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_jurisdiction"))
        batch_op.drop_index(batch_op.f("ix_enterprises_category"))

    op.drop_table("enterprises")


def _enterprises_from_hazard_text() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT enterprise, kind, jurisdiction FROM hazard_sources ORDER BY id")).all()
    found: dict[str, dict[str, str]] = {}
    for name, kind, jurisdiction in rows:
        category, sector = CATEGORY_OF_KIND.get(kind, ("other", "其他"))
        seen = found.setdefault(name, {"jurisdiction": jurisdiction, "category": category, "sector": sector})
        if CATEGORY_ORDER.index(category) < CATEGORY_ORDER.index(seen["category"]):
            seen.update(category=category, sector=sector)
    enterprises = sa.table(
        "enterprises",
        sa.column("name", sa.String),
        sa.column("jurisdiction", sa.String),
        sa.column("sector", sa.String),
        sa.column("category", sa.String),
        sa.column("large_scale", sa.Boolean),
        sa.column("created_at", resources_db.base.UTCDateTime(timezone=True)),
        sa.column("version", sa.Integer),
    )
    now = resources_db.base.utcnow()
    for name, values in found.items():
        conn.execute(enterprises.insert().values(name=name, large_scale=False, created_at=now, version=1, **values))
    op.execute(
        "UPDATE hazard_sources SET enterprise_id = "
        "(SELECT e.id FROM enterprises e WHERE e.name = hazard_sources.enterprise)"
    )
