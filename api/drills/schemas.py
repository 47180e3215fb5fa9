from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from api.common.pagination import Page
from api.common.schemas import ReadModel, WriteModel
from resources_db.enums import DrillStatus

DrillName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Scenario = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class DrillCreate(WriteModel):
    name: DrillName
    scenario: Scenario | None = None


class DrillRead(ReadModel):
    id: int
    name: str
    scenario: str | None
    status: DrillStatus
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    version: int


DrillPage = Page[DrillRead]
