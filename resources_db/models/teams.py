from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resources_db.base import Base, str_enum
from resources_db.enums import TeamKind, TeamStatus


class RescueTeam(Base):
    __tablename__ = "rescue_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[TeamKind] = mapped_column(str_enum(TeamKind, "team_kind"), index=True)
    personnel: Mapped[int]
    home_jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    base_lat: Mapped[float] = mapped_column(Float)
    base_lon: Mapped[float] = mapped_column(Float)
    status: Mapped[TeamStatus] = mapped_column(
        str_enum(TeamStatus, "team_status"), default=TeamStatus.available, index=True
    )
    # No FK: users point at teams (team leaders), and a cycle would complicate inserts.
    leader_user_id: Mapped[int | None]
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    agreement_id: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    capability_rows: Mapped[list["TeamCapability"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="selectin", order_by="TeamCapability.capability"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_rescue_teams_base_lat_base_lon", "base_lat", "base_lon"),)

    @property
    def capabilities(self) -> list[str]:
        return [row.capability for row in self.capability_rows]

    def set_capabilities(self, codes: list[str]) -> None:
        wanted = sorted(set(codes))
        if wanted != self.capabilities:
            self.capability_rows = [TeamCapability(capability=c) for c in wanted]


class TeamCapability(Base):
    """One row per (team, capability): filterable by SQL on every backend, unlike a JSON array."""

    __tablename__ = "team_capabilities"

    team_id: Mapped[int] = mapped_column(ForeignKey("rescue_teams.id", ondelete="CASCADE"), primary_key=True)
    capability: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    team: Mapped[RescueTeam] = relationship(back_populates="capability_rows")
