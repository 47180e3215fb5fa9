from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum
from resources_db.capability_bits import codes_of, mask_of
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
    # Bits of resources_db.capability_bits: filterable and groupable by SQL on every backend, in the team's own row.
    capability_mask: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_rescue_teams_base_lat_base_lon", "base_lat", "base_lon"),)

    @property
    def capabilities(self) -> list[str]:
        """The capability codes the team holds, sorted."""
        return codes_of(self.capability_mask or 0)

    def set_capabilities(self, codes: list[str]) -> None:
        mask = mask_of(codes)
        if mask != self.capability_mask:
            self.capability_mask = mask
