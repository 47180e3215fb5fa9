from datetime import datetime

from pydantic import Field

from api.common.pagination import Page
from api.common.schemas import Note, ReadModel, WriteModel
from resources_db.enums import EscalationKind, EscalationLevel


class EscalationReport(WriteModel):
    note: Note | None = None


class EscalationRead(ReadModel):
    id: int
    incident_id: int
    level: EscalationLevel
    kind: EscalationKind
    sequence: int | None = Field(None, description="the number of a follow-up report")
    due_at: datetime
    owed_from: datetime | None = Field(None, description="when a re-grade made the step owed, if after the accident")
    reported_at: datetime | None
    reported_by: str | None
    late: bool
    note: str | None
    withdrawn_at: datetime | None = Field(None, description="set when the incident was closed as a duplicate")
    version: int
    drill_id: int | None = None


EscalationPage = Page[EscalationRead]
