"""Gather what the pure ranking in api.rules.recommend needs for one incident, rank, and shape the answer.

Read-only: nothing here writes. The team query is the hot path (10,000 teams,
p99 goal 50 ms): `nearest` has the database cut the library to the fastest
few hundred teams per capability, in plain column rows (no ORM entities,
whose `selectin` capability loading would add a query and an object per
row), and `shortlist` cuts those before the ranking builds reasons.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from api.common.geo import haversine_from
from api.incidents import service as incidents
from api.incidents.schemas import NearbyHazard
from api.recommendations import agreements, scene
from api.recommendations.nearest import nearest_teams
from api.recommendations.nearest_supplies import nearest_supplies
from api.recommendations.scene import Plan, Scene
from api.recommendations.schemas import (
    ProposedTeams,
    Recommendation,
    RequiredCapability,
    SupplyRecommendation,
    TeamRecommendation,
)
from api.recommendations.shortlist import Scored, shortlist
from api.rules import capability_table
from api.rules.recommend import (
    DEFAULT_SPEED_KMH,
    EtaParams,
    TeamCandidate,
    eta_minutes,
    needed_teams,
    propose_set,
    rank_supplies,
    rank_teams,
    supply_shortfall,
)
from api.settings import Settings
from resources_db.capability_bits import bit_of
from resources_db.enums import HazardKind, RiskLevel, TeamStatus

# Items listed per needed category: those that cover the need, then alternatives up to this many.
SUPPLIES_PER_CATEGORY = 3
# Expiry dates are local calendar dates (Leizhou is on China Standard Time, no DST).
CST = timezone(timedelta(hours=8), "CST")


def eta_params(settings: Settings) -> EtaParams:
    """The ETA model from settings; kinds the environment leaves out keep their default speed."""
    return EtaParams(
        road_factor=settings.road_factor, speed_kmh_by_kind={**DEFAULT_SPEED_KMH, **settings.team_speeds_kmh}
    )


def plan_team_counts(plan: Plan | None) -> dict[str, int]:
    """capability → teams the emergency plan asks for (others need one)."""
    return {str(cap): int(n) for cap, n in plan.required_capabilities.items()} if plan else {}


def dispatched_holders(required: Iterable[str], masks: Iterable[int]) -> dict[str, int]:
    """capability → how many of the incident's actively dispatched teams (by capability mask) hold it."""
    held = list(masks)
    return {c: sum(1 for m in held if m & bit_of(c)) for c in sorted(required)}


def still_to_send(counts: Mapping[str, int], required: Iterable[str], sent: Mapping[str, int]) -> dict[str, int]:
    """capability → teams still to send: those needed less those already dispatched (met ones left out)."""
    return {c: n for c in sorted(required) if (n := needed_teams(counts, c) - sent.get(c, 0)) > 0}


def requirements(incident: Scene, plan: Plan | None, hazards: list[NearbyHazard]) -> dict[str, str]:
    """capability → reasons: the incident type's needs ∪ the plan's ∪ red/orange hazard sources' within 1 km."""
    from_plan: dict[str, str] = {}
    if plan is not None:
        for cap, count in sorted(plan.required_capabilities.items()):
            teams = f"{count} team{'s' if count != 1 else ''}"
            from_plan[cap] = f"emergency plan {plan.title} of {plan.source_name} ({teams})"
    nearby = [
        capability_table.NearbyHazard(HazardKind(h.kind), RiskLevel(h.risk_level), h.distance_km, h.name)
        for h in hazards
    ]
    return capability_table.merge_requirements(
        capability_table.incident_requirements(incident.type), from_plan, capability_table.from_nearby_hazards(nearby)
    )


def team_candidates(
    *,
    session: Session,
    incident: Scene,
    radius_km: float,
    required: frozenset[str],
    params: EtaParams,
    neighbours: frozenset[str],
    limit: int | None,
    teams_needed: Mapping[str, int],
) -> list[TeamCandidate]:
    """Available teams within `radius_km` holding a required capability, cut to what `rank_teams` can return.

    Each candidate's `capabilities` are the required ones it has (all that ranking looks at).
    """
    if not required:
        return []
    near = nearest_teams(
        session=session,
        lat=incident.lat,
        lon=incident.lon,
        radius_km=radius_km,
        required=required,
        params=params,
        mutual_homes=neighbours - {incident.jurisdiction},
        keep=max([per_capability(limit), *(per_capability(n) for n in teams_needed.values())]),
    )
    scored: list[Scored] = []
    distance, at_home = haversine_from(incident.lat, incident.lon), incident.jurisdiction
    for team_id, t in near.items():
        km = distance(t.lat, t.lon)
        if km <= radius_km:  # the box's corners lie beyond the radius
            mutual_aid = t.home_jurisdiction in neighbours and t.home_jurisdiction != at_home
            scored.append(Scored(eta_minutes(km, t.kind, params), mutual_aid, team_id, frozenset(t.capabilities)))
    out = []
    for i in shortlist(scored, required, limit, teams_needed):
        s = scored[i]
        t = near[s.team_id]
        out.append(
            TeamCandidate(
                s.team_id,
                t.name,
                t.kind,
                s.capabilities,
                TeamStatus.available,
                t.home_jurisdiction,
                t.lat,
                t.lon,
                t.personnel,
            )
        )
    return out


def per_capability(limit: int | None) -> int:
    """How many of the fastest teams per capability (and per own / mutual-aid group) the database hands over."""
    return max(limit or 0, 20) * 2 + 10


def _needed_supplies(plan: Plan | None, extra: Mapping[str, int]) -> dict[str, int]:
    needed = {str(c): int(q) for c, q in plan.required_supplies.items()} if plan else {}
    for category, qty in extra.items():
        needed[category] = needed.get(category, 0) + qty
    return needed


def recommend(
    *,
    session: Session,
    incident: Scene,
    settings: Settings,
    limit: int,
    radius_km: float,
    extra_supplies: Mapping[str, int],
) -> Recommendation:
    """Teams and supplies for the incident, each with reasons, and a proposed team set."""
    hazards = incidents.nearby_hazards(session=session, lat=incident.lat, lon=incident.lon)
    plan = scene.plan_of(session=session, scene=incident)
    required, counts = requirements(incident, plan, hazards), plan_team_counts(plan)
    # Teams already sent to the incident count towards what it needs: the proposal is for the rest.
    sent = dispatched_holders(required, incident.dispatched_masks)
    to_send = still_to_send(counts, required, sent)
    params, near = eta_params(settings), scene.neighbours(session=session)
    candidates = team_candidates(
        session=session,
        incident=incident,
        radius_km=radius_km,
        required=frozenset(required),
        params=params,
        neighbours=near,
        limit=limit,
        teams_needed=to_send,
    )
    ranked = rank_teams(
        incident_lat=incident.lat,
        incident_lon=incident.lon,
        incident_jurisdiction=incident.jurisdiction,
        neighbours=near,
        required=required,
        candidates=candidates,
        params=params,
        limit=limit,
        teams_needed=to_send,
    )
    today = datetime.now(UTC).astimezone(CST).date()
    proposed = propose_set(ranked, to_send, to_send)
    ranked = agreements.first(
        session=session,
        scene=incident,
        ranked=ranked,
        required=frozenset(required),
        params=params,
        today=today,
        limit=limit,
    )
    needed = _needed_supplies(plan, extra_supplies)
    supplies = rank_supplies(
        incident_lat=incident.lat,
        incident_lon=incident.lon,
        needed=needed,
        candidates=nearest_supplies(
            session=session,
            lat=incident.lat,
            lon=incident.lon,
            categories=frozenset(c for c, q in needed.items() if q > 0),
            per_category=SUPPLIES_PER_CATEGORY,
            today=today,
        ),
        limit_per_category=SUPPLIES_PER_CATEGORY,
        today=today,
    )
    return Recommendation(
        incident_id=incident.id,
        severity=incident.severity,
        required=[
            RequiredCapability(capability=c, teams=needed_teams(counts, c), dispatched=sent[c], reasons=r.split("; "))
            for c, r in sorted(required.items())
        ],
        hazards=hazards,
        teams=[
            TeamRecommendation(
                team_id=r.team.id,
                name=r.team.name,
                kind=r.team.kind,
                home_jurisdiction=r.team.home_jurisdiction,
                distance_km=round(r.distance_km, 3),
                eta_minutes=round(r.eta_minutes, 1),
                covers=r.covers,
                reasons=r.reasons,
                mutual_aid=r.mutual_aid,
            )
            for r in ranked
        ],
        proposed=ProposedTeams(
            team_ids=proposed.team_ids,
            covered=sorted(set(required) - set(proposed.uncovered)),
            uncovered=proposed.uncovered,
            short=proposed.short,
            worst_eta_minutes=None if proposed.worst_eta_minutes is None else round(proposed.worst_eta_minutes, 1),
        ),
        supplies=[
            SupplyRecommendation(
                supply_item_id=s.item.item_id,
                depot_id=s.item.depot_id,
                depot_name=s.item.depot_name,
                category=s.item.category,
                name=s.item.name,
                available=s.available,
                suggested_quantity=s.suggested_quantity,
                distance_km=round(s.distance_km, 3),
                reasons=s.reasons,
            )
            for s in supplies
        ],
        supply_shortfall=supply_shortfall(supplies, needed),
    )
