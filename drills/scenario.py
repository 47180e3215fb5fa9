"""A drill scenario (演练脚本): header, injects on a scenario clock, expected actions, simulated actors.

The shape follows a drill plan under AQ/T 9007 (objectives, a script of
injects, an evaluation plan) and HSEEP's Master Scenario Events List: every
inject has a trigger in scenario time, the expected actions that answer it
(who, within what window, and the platform event that proves it) and the
objectives it serves. `drills.scenario_file` reads one from YAML and names
the file, line and field of anything wrong.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from drills.timing import Duration

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Count = Annotated[int, Field(ge=0, le=100_000)]

IncidentType = Literal[
    "fire",
    "road_traffic",
    "construction_collapse",
    "hazchem_leak",
    "mine",
    "water_rescue",
    "ammonia_leak",
    "fireworks_explosion",
    "gas_pipeline",
    "special_equipment",
    "crowd_crush",
    "typhoon_flood",
    "landslide",
    "other",
]
# The platform facts that prove an expected action (each read from the incident's timeline after the inject).
Proof = Literal[
    "verified",  # the incident moved to verified
    "dismissed",  # the report was dismissed (a duplicate or false alarm)
    "dispatched",  # a team was dispatched to the incident
    "acknowledged",  # a dispatched team acknowledged
    "supplies_reserved",  # supplies were reserved for the incident
    "escalated",  # a reporting step was reported upward
    "mutual_aid_requested",  # a mutual-aid request was filed for the incident
    "mutual_aid_answered",  # the neighbour approved or declined it
    "casualties_updated",  # the incident's casualty figures were corrected
]
Interval = Literal["call_processing", "report_to_verified", "verified_to_dispatch", "acknowledge", "turnout", "travel"]
Role = Literal["operator", "team_leader", "controller", "neighbour"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DrillType(Strict):
    form: Literal["tabletop", "live"]
    scope: Literal["single", "combined"]


class Measure(Strict):
    """What makes an objective measurable: an interval's share within a target, or the share of actions met."""

    interval: Interval | None = None
    within: Duration | None = None
    actions_met: float | None = Field(None, gt=0, le=1, description="share of its expected actions met in time")
    share: float = Field(0.9, gt=0, le=1)

    @model_validator(mode="after")
    def _one_kind(self) -> "Measure":
        if (self.interval is None) == (self.actions_met is None):
            raise ValueError("give either `interval` (with `within`) or `actions_met`")
        if self.interval is not None and self.within is None:
            raise ValueError("an interval measure needs `within`")
        return self


class Objective(Strict):
    id: Key
    title: Text
    standard: Text = Field(description="the measurable standard, in words")
    measure: Measure


class Roles(Strict):
    controller: Text
    evaluators: list[Text] = Field(min_length=1)
    players: list[Text] = Field(min_length=1)
    simulated: list[Text] = Field(default_factory=list)


class Target(Strict):
    within: Duration
    share: float = Field(gt=0, le=1)


class Place(Strict):
    """Where: at a hazard source (by name), near a jurisdiction's centre, or at a point."""

    hazard: Text | None = None
    town: Key | None = None
    near_km: float = Field(0.0, ge=0, le=20, description="a seeded point within this distance")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: Text | None = None

    @model_validator(mode="after")
    def _one_anchor(self) -> "Place":
        anchors = [self.hazard is not None, self.town is not None, self.lat is not None or self.lon is not None]
        if sum(anchors) != 1:
            raise ValueError("give exactly one of `hazard`, `town`, or `lat` with `lon`")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("`lat` and `lon` go together")
        return self


class ExpectedAction(Strict):
    id: Key
    what: Text
    role: Role
    within: Duration = Field(gt=0)
    proof: Proof
    objectives: list[Key] = Field(default_factory=list, description="defaults to the inject's")


class InjectBase(Strict):
    id: Key
    at: Duration | None = Field(None, description="scenario offset")
    after: Key | None = Field(None, description="fires `delay` after this inject")
    delay: Duration = 0.0
    if_missed: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][\w-]*\.[A-Za-z][\w-]*$")] | None = Field(
        None, description="INJECT.ACTION: a contingency, fired when that action's window passes unmet"
    )
    message: Text = Field(description="what the players hear or see")
    objectives: list[Key] = Field(default_factory=list)
    expected: list[ExpectedAction] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_trigger(self) -> "InjectBase":
        if sum(x is not None for x in (self.at, self.after, self.if_missed)) != 1:
            raise ValueError("give exactly one trigger: `at`, `after` or `if_missed`")
        return self


class IncidentSpec(Strict):
    ref: Key = Field(description="a name later injects use for this incident")
    title: Text
    type: IncidentType
    place: Place
    deaths: Count = 0
    serious_injuries: Count = 0
    missing: Count = 0
    direct_loss_cny: Annotated[int, Field(ge=0, le=10**13)] = 0
    supplies: dict[Key, Annotated[int, Field(ge=1, le=1_000_000)]] = Field(
        default_factory=dict, description="supplies the players should reserve beyond the emergency plan's"
    )


class IncidentReport(InjectBase):
    kind: Literal["incident_report"]
    incident: IncidentSpec


class CasualtyUpdate(InjectBase):
    kind: Literal["casualty_update"]
    incident: Key
    deaths: Count | None = None
    serious_injuries: Count | None = None
    missing: Count | None = None


class DuplicateReport(InjectBase):
    kind: Literal["duplicate_report"]
    of: Key = Field(description="the incident another caller reports again")
    title: Text
    moved_km: float = Field(0.3, ge=0, le=5, description="the second caller places it this far off")


class TeamOutOfService(InjectBase):
    kind: Literal["team_out_of_service"]
    incident: Key = Field(description="one of the teams sent to it breaks down")


class StockLost(InjectBase):
    kind: Literal["stock_lost"]
    depot: Text = Field(description="depot name, as in the resource library")
    category: Key
    incident: Key | None = Field(None, description="the incident whose supply plan it upsets")


class MutualAidNeed(InjectBase):
    kind: Literal["mutual_aid_request"]
    incident: Key
    to: Key = Field(description="the neighbouring jurisdiction asked")
    capabilities: list[Key] = Field(min_length=1)
    answer: Literal["approve", "decline"] = "approve"
    answer_after: Duration = 600.0


class SituationMessage(InjectBase):
    kind: Literal["message"]
    incident: Key | None = None


Inject = Annotated[
    IncidentReport | CasualtyUpdate | DuplicateReport | TeamOutOfService | StockLost | MutualAidNeed | SituationMessage,
    Field(discriminator="kind"),
]
Range = tuple[Duration, Duration]


class OperatorTiming(Strict):
    """Human-like delays of the simulated operators, each a uniform range in scenario time."""

    verify: Range = (20.0, 50.0)
    dispatch: Range = (10.0, 30.0)
    reserve: Range = (30.0, 90.0)
    escalate: Range = (300.0, 2400.0)
    dismiss: Range = (30.0, 120.0)
    update: Range = (20.0, 60.0)
    mutual_aid: Range = (60.0, 240.0)


class TeamLeaderTiming(Strict):
    """Simulated team leaders: acknowledge and turn out after ranges, travel the ETA times a jittered factor."""

    acknowledge: Range = (10.0, 40.0)
    turnout: Range = (30.0, 75.0)
    travel_factor: float = Field(1.0, gt=0, le=5)
    jitter: float = Field(0.15, ge=0, lt=1)


class Simulation(Strict):
    operators: OperatorTiming = OperatorTiming()
    team_leaders: TeamLeaderTiming = TeamLeaderTiming()


class Scenario(Strict):
    name: Text
    drill_type: DrillType
    plan: Text = Field(description="the emergency plan (预案) the drill exercises")
    duration: Duration = Field(gt=0, description="scenario time at which the drill ends")
    objectives: list[Objective] = Field(min_length=1)
    roles: Roles
    targets: dict[Interval, Target] = Field(default_factory=dict, description="overrides of the default targets")
    simulation: Simulation = Simulation()
    injects: list[Inject] = Field(min_length=1)
