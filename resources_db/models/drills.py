from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum, utcnow
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
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
