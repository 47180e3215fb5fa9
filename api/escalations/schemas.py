from datetime import datetime

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
    due_at: datetime
    reported_at: datetime | None
    reported_by: str | None
    late: bool
    note: str | None
    version: int
    drill_id: int | None = None


EscalationPage = Page[EscalationRead]
