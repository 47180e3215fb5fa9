from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.common.pagination import Page
from api.common.schemas import Note, ReadModel, WriteModel
from resources_db.enums import EscalationKind, EscalationLevel


class Completion(WriteModel):
    number: int = Field(ge=1, le=6, description="the art. 12 item the operator completes")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class EscalationReport(WriteModel):
    note: Note | None = None
    completions: list[Completion] = Field(
        [], max_length=6, description="the operator's additions to the draft's items; filed with it, unchangeable"
    )


class Bilingual(ReadModel):
    zh: str
    en: str


class DocumentItem(ReadModel):
    number: int
    title_zh: str
    title_en: str
    zh: str
    en: str


class DocumentRecipients(ReadModel):
    report_to: Bilingual
    same_level_government: Bilingual
    notify: list[Bilingual]


class FigureChange(ReadModel):
    field: str
    before: int | str | None
    after: int | str | None


class ReportDocument(ReadModel):
    """The art. 12 report of one step: a draft until filed, then exactly what was sent."""

    escalation_id: int
    incident_id: int
    kind: EscalationKind
    level: EscalationLevel
    sequence: int | None
    title_zh: str
    title_en: str
    sender: Bilingual
    recipients: DocumentRecipients
    due_at: datetime
    due_text: Bilingual
    is_drill: bool
    figures: dict[str, int | str]
    items: list[DocumentItem]
    changes: list[FigureChange]
    text_zh: str
    text_en: str
    filed: bool = False
    filed_at: datetime | None = None
    filed_by: str | None = None


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
