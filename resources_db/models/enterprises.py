"""Enterprises on record (seed §12), the drills they report, plan revisions and whom agreements serve."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum, utcnow
from resources_db.enterprise_enums import DrillForm, DrillScope, EnterpriseCategory, RevisionTrigger


class Enterprise(Base):
    """A production or business unit, identified by its unified social credit code (GB 32100-2015).

    `credit_code` is empty only on rows the 0005 migration made from the old
    free-text enterprise field of hazard sources, until someone completes them.
    """

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    sector: Mapped[str] = mapped_column(String(64))
    category: Mapped[EnterpriseCategory] = mapped_column(
        str_enum(EnterpriseCategory, "enterprise_category"), index=True
    )
    large_scale: Mapped[bool] = mapped_column(default=False)
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    duty_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class EnterpriseDrill(Base):
    """A drill an enterprise held, as it reported it (append-only: a correction is a new row)."""

    __tablename__ = "enterprise_drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    held_on: Mapped[date]
    form: Mapped[DrillForm] = mapped_column(str_enum(DrillForm, "drill_form"))
    scope: Mapped[DrillScope] = mapped_column(str_enum(DrillScope, "drill_scope"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plans.id"))
    summary: Mapped[str] = mapped_column(Text)
    findings: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[date | None]
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanRevision(Base):
    """One revision of a plan on record, with the Decree 708 art. 6 trigger that caused it."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("emergency_plans.id"), index=True)
    edition: Mapped[str] = mapped_column(String(32))
    revised_on: Mapped[date]
    trigger: Mapped[RevisionTrigger] = mapped_column(str_enum(RevisionTrigger, "revision_trigger"))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementEnterprise(Base):
    """An enterprise a service agreement serves (Decree 708 art. 10: small high-risk units sign with a team)."""

    __tablename__ = "agreement_enterprises"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("service_agreements.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True, index=True)


class ComplianceNotice(Base):
    """A compliance clock already announced as overdue (`compliance.overdue` event), so it is announced once.

    `key` is kind, subject and due date: a clock that is met and later runs
    out again, with a new due date, is announced again.
    """

    __tablename__ = "compliance_notices"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)
