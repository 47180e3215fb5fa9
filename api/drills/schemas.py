from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from api.common.ids import Id
from api.common.pagination import Page
from api.common.schemas import ReadModel, WriteModel
from api.common.strict import Day, json_integer
from resources_db.enums import DrillStatus

DrillName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Scenario = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
# Strict: a JSON number only (`false` is not 0 s, "0.5" not a share); integers are numbers too.
Seconds = Annotated[float, Field(ge=0, le=30 * 86400, allow_inf_nan=False, strict=True)]
Share = Annotated[float, Field(gt=0, le=1, strict=True)]
Interval = Literal["call_processing", "report_to_verified", "verified_to_dispatch", "acknowledge", "turnout", "travel"]
Proof = Literal[
    "verified",
    "dismissed",
    "dispatched",
    "acknowledged",
    "supplies_reserved",
    "escalated",
    "mutual_aid_requested",
    "mutual_aid_answered",
    "casualties_updated",
]
Rating = Literal["P", "S", "M", "U"]  # HSEEP: performed without challenges / some / major / unable to be performed


class ScriptMeasure(WriteModel):
    interval: Interval | None = None
    within_s: Seconds | None = None
    actions_met: Share | None = None
    share: Share = 0.9

    @model_validator(mode="after")
    def _one_kind_of_measure(self) -> Self:
        # The evaluation needs one or the other (an empty measure was a 500 there); the scenario file says the same.
        if (self.interval is None) == (self.actions_met is None):
            raise ValueError("give either `interval` (with `within_s`) or `actions_met`")
        if self.interval is not None and self.within_s is None:
            raise ValueError("an `interval` measure needs `within_s`")
        return self


class ScriptObjective(WriteModel):
    id: Key
    title: Text
    standard: Text
    measure: ScriptMeasure


class ScriptAction(WriteModel):
    id: Key
    what: Text
    role: Annotated[str, StringConstraints(max_length=32)]
    within_s: Annotated[float, Field(gt=0, le=30 * 86400, allow_inf_nan=False, strict=True)]
    proof: Proof
    objectives: Annotated[list[Key], Field(max_length=20)] = []


class ScriptInject(WriteModel):
    id: Key
    kind: Annotated[str, StringConstraints(max_length=40)]
    planned_s: Seconds
    contingency_of: Annotated[str, StringConstraints(max_length=81)] | None = None
    objectives: Annotated[list[Key], Field(max_length=20)] = []
    expected: Annotated[list[ScriptAction], Field(max_length=20)] = []


class ScriptTarget(WriteModel):
    within_s: Seconds
    share: Share


class DrillScript(WriteModel):
    """The scenario's evaluation plan: what the drill is judged against."""

    drill_type: Annotated[str, StringConstraints(max_length=40)]
    plan: Text
    duration_s: Seconds
    objectives: Annotated[list[ScriptObjective], Field(min_length=1, max_length=50)]
    roles: dict[Annotated[str, StringConstraints(max_length=32)], Annotated[list[Text], Field(max_length=20)]] = {}
    targets: dict[Interval, ScriptTarget] = {}
    injects: Annotated[list[ScriptInject], Field(max_length=500)] = []


class DrillCreate(WriteModel):
    name: DrillName
    scenario: Scenario | None = None
    speed: Annotated[float, Field(gt=0, le=3600, allow_inf_nan=False, strict=True)] = Field(
        1.0, description="scenario seconds per wall-clock second; the evaluation reports scenario time"
    )
    seed: Annotated[int, Field(ge=0, le=2**31 - 1, strict=True), BeforeValidator(json_integer)] | None = None
    operators: Literal["simulated", "human"] | None = None
    script: DrillScript | None = None


class DrillRead(ReadModel):
    id: int
    name: str
    scenario: str | None
    status: DrillStatus
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    speed: float
    seed: int | None
    operators: str | None
    version: int


DrillPage = Page[DrillRead]


class InjectCreate(WriteModel):
    inject: Key
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    planned_s: Seconds
    incident_id: Id | None = None
    message: Text


class InjectRead(ReadModel):
    id: int
    drill_id: int
    inject: str
    kind: str
    planned_s: float
    delivered_at: datetime
    incident_id: int | None
    message: str
    actor: str


InjectPage = Page[InjectRead]


class CorrectiveAction(WriteModel):
    issue: Text
    action: Text
    owner: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    due: Day
    objective: Key | None = None


class EvaluatorInput(WriteModel):
    """What only an evaluator can judge; replaces the fields given, keeps the others."""

    ratings: dict[Key, Rating] | None = None
    strengths: Annotated[list[Text], Field(max_length=50)] | None = None
    problems: Annotated[list[Text], Field(max_length=50)] | None = None
    improvements: Annotated[list[CorrectiveAction], Field(max_length=50)] | None = None
