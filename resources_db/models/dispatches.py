from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from resources_db.base import Base, str_enum, utcnow
from resources_db.enums import AllocationStatus, DispatchStatus

ACTIVE_DISPATCH = "status IN ('dispatched', 'acknowledged', 'en_route', 'on_scene') AND drill_id IS NULL"


class Dispatch(Base):
    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("rescue_teams.id"), index=True)
    # People sent, as the team's row said when the dispatch was made: compensation is priced from this.
    personnel: Mapped[int]
    status: Mapped[DispatchStatus] = mapped_column(
        str_enum(DispatchStatus, "dispatch_status"), default=DispatchStatus.dispatched
    )
    mutual_aid_request_id: Mapped[int | None] = mapped_column(ForeignKey("mutual_aid_requests.id"))
    dispatched_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    en_route_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Who moved the dispatch into each status (a team leader, usually); `actor` is who dispatched it.
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    en_route_by: Mapped[str | None] = mapped_column(String(64))
    on_scene_by: Mapped[str | None] = mapped_column(String(64))
    released_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_by: Mapped[str | None] = mapped_column(String(64))
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    # One team, one active real dispatch: the database refuses a second one, whatever the application does.
    # Drill dispatches are simulated and never hold a real team.
    __table_args__ = (
        Index(
            "uq_dispatches_one_active_per_team",
            "team_id",
            unique=True,
            postgresql_where=text(ACTIVE_DISPATCH),
            sqlite_where=text(ACTIVE_DISPATCH),
        ),
    )


class Allocation(Base):
    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    supply_item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"), index=True)
    quantity: Mapped[int]
    # What came back on return; the rest of an issued quantity was used up.
    quantity_returned: Mapped[int] = mapped_column(default=0, server_default="0")
    status: Mapped[AllocationStatus] = mapped_column(
        str_enum(AllocationStatus, "allocation_status"), default=AllocationStatus.reserved
    )
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
