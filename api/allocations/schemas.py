from datetime import datetime
from typing import Annotated

from pydantic import Field, computed_field

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import Note, ReadModel, WriteModel
from resources_db.enums import AllocationStatus

Quantity = Annotated[int, Field(ge=1, le=1_000_000)]


class AllocationCreate(WriteModel):
    incident_id: Id
    supply_item_id: Id
    quantity: Quantity


class AllocationReturn(WriteModel):
    quantity: Quantity | None = Field(None, description="how much came back; all of it when left out")
    note: Note | None = None


class AllocationNote(WriteModel):
    note: Note | None = None


_ISSUED = frozenset({AllocationStatus.issued, AllocationStatus.returned, AllocationStatus.consumed})


class AllocationRead(ReadModel):
    id: int
    incident_id: int
    supply_item_id: int
    quantity: int
    status: AllocationStatus
    quantity_returned: int = 0
    drill_id: int | None
    actor: str
    created_at: datetime
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quantity_reserved(self) -> int:
        """Held in the depot for the incident, not yet handed out."""
        return self.quantity if self.status is AllocationStatus.reserved else 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quantity_issued(self) -> int:
        """Handed out of the depot (it stays counted after a return or consumption)."""
        return self.quantity if self.status in _ISSUED else 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quantity_consumed(self) -> int:
        """Used up: all of it when consumed, what did not come back when returned."""
        if self.status is AllocationStatus.consumed:
            return self.quantity
        return self.quantity - self.quantity_returned if self.status is AllocationStatus.returned else 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_drill(self) -> bool:
        return self.drill_id is not None


AllocationPage = Page[AllocationRead]
