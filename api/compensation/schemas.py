from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from resources_db.enums import TeamKind


class CompensationLine(BaseModel):
    dispatch_id: int
    incident_id: int
    agreement_id: int
    dispatched_at: datetime
    on_scene_at: datetime | None
    released_at: datetime
    billed_hours: Decimal = Field(description="on-scene time rounded up to the next quarter hour")
    personnel: int
    hourly_rate_per_person_cny: Decimal
    callout_fee_cny: Decimal
    labour_cny: Decimal
    amount_cny: Decimal
    payer_enterprise_id: int | None = Field(
        description="Decree 708 art. 19: the enterprise whose hazard source the incident was at bears the rescue's "
        "cost; null when no enterprise on record is responsible (paid from the public budget)"
    )
    payer: str


class TeamStatement(BaseModel):
    team_id: int
    team_name: str
    team_kind: TeamKind
    lines: list[CompensationLine]
    dispatch_count: int
    billed_hours: Decimal
    total_cny: Decimal
    unpriced_dispatch_ids: list[int] = Field(
        description="released in the month but no agreement was valid on their dispatch date: not paid here"
    )


class CompensationReport(BaseModel):
    month: str
    timezone: str
    period_start: datetime = Field(description="first instant of the month (local midnight), UTC")
    period_end: datetime = Field(description="first instant of the next month, exclusive, UTC")
    rounding: str
    statements: list[TeamStatement]
    total_cny: Decimal
