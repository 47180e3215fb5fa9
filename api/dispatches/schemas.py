from datetime import datetime

from pydantic import Field, computed_field

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import Note, ReadModel, WriteModel
from resources_db.enums import DispatchStatus


class DispatchCreate(WriteModel):
    incident_id: Id
    team_id: Id


class DispatchStatusChange(WriteModel):
    status: DispatchStatus
    note: Note | None = None


class StatusChange(ReadModel):
    status: DispatchStatus
    at: datetime
    actor: str | None = Field(description="null for a change recorded before actors were kept per status")


class DispatchRead(ReadModel):
    id: int
    incident_id: int
    team_id: int
    status: DispatchStatus
    mutual_aid_request_id: int | None
    dispatched_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    released_at: datetime | None
    cancelled_at: datetime | None
    drill_id: int | None
    actor: str = Field(description="who dispatched the team")
    acknowledged_by: str | None = None
    en_route_by: str | None = None
    on_scene_by: str | None = None
    released_by: str | None = None
    cancelled_by: str | None = None
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def history(self) -> list[StatusChange]:
        """Each status the dispatch went through, with its time and who moved it there, in order."""
        out = [StatusChange(status=DispatchStatus.dispatched, at=self.dispatched_at, actor=self.actor)]
        for status in DispatchStatus:
            at: datetime | None = getattr(self, f"{status.value}_at")
            if status is not DispatchStatus.dispatched and at is not None:
                out.append(StatusChange(status=status, at=at, actor=getattr(self, f"{status.value}_by")))
        return sorted(out, key=lambda c: c.at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_drill(self) -> bool:
        return self.drill_id is not None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def turnout_seconds(self) -> float | None:
        """Dispatched → en route."""
        return (self.en_route_at - self.dispatched_at).total_seconds() if self.en_route_at else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def travel_seconds(self) -> float | None:
        """En route → on scene."""
        if self.en_route_at and self.on_scene_at:
            return (self.on_scene_at - self.en_route_at).total_seconds()
        return None


DispatchPage = Page[DispatchRead]
