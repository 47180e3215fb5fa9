from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, JSONType, str_enum, utcnow
from resources_db.enums import EscalationKind, EscalationLevel, IncidentStatus, IncidentType, Severity


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[IncidentType] = mapped_column(str_enum(IncidentType, "incident_type"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(300))
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    hazard_source_id: Mapped[int | None] = mapped_column(ForeignKey("hazard_sources.id"))
    # Indexed for the duplicate search of every new report (a time window around its accident).
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    deaths: Mapped[int] = mapped_column(default=0)
    serious_injuries: Mapped[int] = mapped_column(default=0)
    direct_loss_cny: Mapped[int] = mapped_column(BigInteger, default=0)
    # Persons missing (下落不明), trapped, at risk and evacuated: they do not grade by themselves, but make a
    # major near-miss and, missing past the art. 13 window, count as dead (api.rules.casualties).
    missing: Mapped[int] = mapped_column(default=0, server_default="0")
    trapped: Mapped[int] = mapped_column(default=0, server_default="0")
    at_risk: Mapped[int] = mapped_column(default=0, server_default="0")
    evacuated: Mapped[int] = mapped_column(default=0, server_default="0")
    near_miss: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when an operator closed this report as a repeat call about another incident.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    severity: Mapped[Severity] = mapped_column(str_enum(Severity, "severity"), index=True)
    status: Mapped[IncidentStatus] = mapped_column(
        str_enum(IncidentStatus, "incident_status"), default=IncidentStatus.reported, index=True
    )
    investigation_due_at: Mapped[datetime]
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    reporter: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TimelineEntry(Base):
    """The incident's log: append-only, one row per state change, dispatch, allocation, note, escalation."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # The team a dispatch entry concerns: a team leader's view of the timeline keeps only their own team's.
    team_id: Mapped[int | None]


class Escalation(Base):
    """One step of reporting upward (逐级上报) with its legal deadline."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    level: Mapped[EscalationLevel] = mapped_column(str_enum(EscalationLevel, "escalation_level"))
    kind: Mapped[EscalationKind] = mapped_column(str_enum(EscalationKind, "escalation_kind"), default="report")
    due_at: Mapped[datetime] = mapped_column(index=True)
    reported_at: Mapped[datetime | None]
    reported_by: Mapped[str | None] = mapped_column(String(64))
    late: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(500))
    # When the step became owed, if later than the accident (a re-grade's moment): art. 11 counts from it.
    owed_from: Mapped[datetime | None]
    # Follow-up reports are numbered 1, 2, …; null for every other kind.
    sequence: Mapped[int | None]
    # A duplicate report's steps are withdrawn, never deleted: the audit trail keeps what was owed.
    withdrawn_at: Mapped[datetime | None]
    # The art. 12 document exactly as filed; written once, with reported_at.
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_escalations_open_due", "reported_at", "due_at"),)
