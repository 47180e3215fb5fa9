from datetime import date
from typing import Any

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, JSONType, str_enum
from resources_db.enums import HazardKind, RiskLevel


class EmergencyPlan(Base):
    """An enterprise or departmental emergency plan (预案).

    `required_capabilities` maps capability code -> team count and
    `required_supplies` maps supply category -> quantity.
    """

    __tablename__ = "emergency_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    hazard_kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    incident_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    required_capabilities: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    required_supplies: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # The plan on record (seed §12): who owns it (an enterprise, or a government body named in text),
    # its edition and the dates its compliance clocks run from (api.compliance).
    owner_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    owner_body: Mapped[str | None] = mapped_column(String(200))
    edition: Mapped[str | None] = mapped_column(String(32))
    issued_on: Mapped[date | None]
    filed_on: Mapped[date | None]
    evaluated_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class HazardSource(Base):
    __tablename__ = "hazard_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[HazardKind] = mapped_column(str_enum(HazardKind, "hazard_kind"), index=True)
    risk_level: Mapped[RiskLevel] = mapped_column(str_enum(RiskLevel, "risk_level"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    enterprise: Mapped[str] = mapped_column(String(200))
    responsible_person: Mapped[str] = mapped_column(String(64))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_plans.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    last_risk_assessment_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
