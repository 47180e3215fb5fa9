"""Response of GET /incidents/{id}/recommendations, and the `supplies=` query parser."""

import re

from pydantic import BaseModel, Field

from api.incidents.schemas import NearbyHazard
from resources_db.enums import Severity, TeamKind

MAX_SUPPLY_QUANTITY = 1_000_000
MAX_SUPPLY_TERMS = 64
_TERM = re.compile(r"^([a-z0-9_]{2,64}):([0-9]{1,7})$")


class RequiredCapability(BaseModel):
    capability: str
    teams: int = Field(description="teams needed with it: the emergency plan's count, else 1")
    dispatched: int = Field(description="teams with it already dispatched to the incident (active dispatches)")
    reasons: list[str] = Field(description="why it is needed: incident type, emergency plan, nearby hazard source")


class TeamRecommendation(BaseModel):
    team_id: int
    name: str
    kind: TeamKind
    home_jurisdiction: str
    distance_km: float = Field(description="great-circle distance from the team's base")
    eta_minutes: float = Field(description="distance × road factor ÷ the kind's speed")
    covers: list[str] = Field(description="required capabilities the team has")
    reasons: list[str]
    mutual_aid: bool = Field(description="the team belongs to a neighbouring jurisdiction: borrowing needs a request")


class ProposedTeams(BaseModel):
    team_ids: list[int] = Field(
        description="a small set to send, fastest first: with the teams already dispatched, as many teams per "
        "capability as needed, where the available ones allow"
    )
    covered: list[str] = Field(description="required capabilities that then have as many teams as needed")
    uncovered: list[str] = Field(
        description="required capabilities still short: too few available teams within the radius (or none)"
    )
    short: dict[str, int] = Field(description="capability → teams still missing after the set (uncovered ones)")
    worst_eta_minutes: float | None


class SupplyRecommendation(BaseModel):
    supply_item_id: int
    depot_id: int
    depot_name: str
    category: str
    name: str
    available: int = Field(description="on hand − reserved − minimum reserve (储备下限)")
    suggested_quantity: int = Field(description="0 marks an alternative to nearer depots")
    distance_km: float
    reasons: list[str]


class Recommendation(BaseModel):
    incident_id: int
    severity: Severity
    required: list[RequiredCapability]
    hazards: list[NearbyHazard] = Field(description="red and orange hazard sources within 1 km")
    teams: list[TeamRecommendation] = Field(description="own teams first, then mutual aid; by ETA band")
    proposed: ProposedTeams
    supplies: list[SupplyRecommendation] = Field(description="per needed category, nearest depot first")
    supply_shortfall: dict[str, int] = Field(description="category → quantity no depot can spare")


def parse_supplies(text: str) -> dict[str, int]:
    """`category:qty,category:qty` → {category: qty}; repeated categories add up. ValueError names the bad term."""
    terms = [t.strip() for t in text.split(",")]
    if len(terms) > MAX_SUPPLY_TERMS:
        raise ValueError(f"at most {MAX_SUPPLY_TERMS} categories")
    out: dict[str, int] = {}
    for term in terms:
        match = _TERM.match(term)
        if match is None:
            raise ValueError(f"{term!r} is not category:quantity (category [a-z0-9_]{{2,64}}, quantity 1–1000000)")
        qty = int(match.group(2))
        if not 1 <= qty <= MAX_SUPPLY_QUANTITY:
            raise ValueError(f"{term!r}: quantity must be 1–{MAX_SUPPLY_QUANTITY}")
        out[match.group(1)] = min(out.get(match.group(1), 0) + qty, MAX_SUPPLY_QUANTITY)
    return out
