"""The snapshot `GET /api/v1/situation` answers; every entity carries its `version` so clients can skip stale events."""

from datetime import datetime

from pydantic import BaseModel

from resources_db.enums import (
    DispatchStatus,
    DrillStatus,
    EscalationKind,
    EscalationLevel,
    IncidentStatus,
    IncidentType,
    Severity,
    TeamKind,
    TeamStatus,
)


class BoardIncident(BaseModel):
    id: int
    title: str
    type: IncidentType
    severity: Severity
    status: IncidentStatus
    lat: float
    lon: float
    jurisdiction: str
    reported_at: datetime
    deaths: int
    serious_injuries: int
    active_dispatches: int
    dispatches_by_status: dict[DispatchStatus, int]
    version: int
    drill_id: int | None
    is_drill: bool


class TeamPosition(BaseModel):
    id: int
    name: str
    kind: TeamKind
    status: TeamStatus
    lat: float
    lon: float
    home_jurisdiction: str
    version: int


class TeamsSection(BaseModel):
    counts: dict[TeamStatus, int]
    positions: list[TeamPosition] | None  # null when asked with positions=false


class SupplyBelowMin(BaseModel):
    supply_item_id: int
    depot_id: int
    depot_name: str
    category: str
    name: str
    quantity_on_hand: int
    quantity_reserved: int
    min_reserve: int
    version: int


class BoardEscalation(BaseModel):
    id: int
    incident_id: int
    level: EscalationLevel
    kind: EscalationKind
    due_at: datetime
    seconds_left: int  # negative when overdue
    reported_at: datetime | None
    late: bool  # reported late, or unreported and past due
    version: int
    drill_id: int | None
    is_drill: bool


class EscalationsSection(BaseModel):
    due: list[BoardEscalation]  # open steps due within the horizon, overdue ones included
    late: list[BoardEscalation]


class BoardDrill(BaseModel):
    id: int
    name: str
    scenario: str | None
    status: DrillStatus
    started_by: str
    started_at: datetime
    version: int


class Situation(BaseModel):
    seq: int
    epoch: str
    generated_at: datetime
    incidents: list[BoardIncident]
    teams: TeamsSection
    supplies_below_min: list[SupplyBelowMin]
    escalations: EscalationsSection
    drills: list[BoardDrill]
