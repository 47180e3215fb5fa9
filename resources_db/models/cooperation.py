from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resources_db.base import Base, JSONType, str_enum, utcnow
from resources_db.enums import MutualAidStatus

if TYPE_CHECKING:
    from resources_db.models.enterprises import AgreementEnterprise


class MutualAidRequest(Base):
    """A request for help to a neighbouring jurisdiction (区域化应急救援资源共享, seed §12)."""

    __tablename__ = "mutual_aid_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    from_jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    to_jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    capabilities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    supplies: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[MutualAidStatus] = mapped_column(
        str_enum(MutualAidStatus, "mutual_aid_status"), default=MutualAidStatus.requested
    )
    lent_team_id: Mapped[int | None] = mapped_column(ForeignKey("rescue_teams.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ServiceAgreement(Base):
    """Terms under which a social rescue team is called out and paid (seed §12)."""

    __tablename__ = "service_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("rescue_teams.id"), index=True)
    hourly_rate_per_person_cny: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    callout_fee_cny: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    # The enterprises it serves (api.enterprises); few per agreement, so loaded with it.
    served: Mapped[list["AgreementEnterprise"]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def enterprise_ids(self) -> list[int]:
        return sorted(s.enterprise_id for s in self.served)
