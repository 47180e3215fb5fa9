from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, JSONType, str_enum, utcnow
from resources_db.enums import DrillStatus


class Drill(Base):
    """An exercise (演练); rows carrying its id are exercise data, kept out of real views."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[DrillStatus] = mapped_column(str_enum(DrillStatus, "drill_status"), default=DrillStatus.running)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # Scenario seconds per wall-clock second: every interval of the evaluation is multiplied by it.
    speed: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    seed: Mapped[int | None]
    operators: Mapped[str | None] = mapped_column(String(16))  # simulated | human, for a scripted drill
    # The scenario's evaluation plan (objectives, targets, expected actions), as the runner sent it.
    script: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # What only a human evaluator can give: ratings, findings, corrective actions; marked as theirs.
    evaluator_notes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class DrillInject(Base):
    """One inject as it was delivered: planned scenario time against the actual moment. Insert-only."""

    __tablename__ = "drill_injects"

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    inject: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    planned_s: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    message: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(64))
