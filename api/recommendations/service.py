"""Gather what the pure ranking in api.rules.recommend needs for one incident, rank, and shape the answer.

Read-only: nothing here writes. The team query is the hot path (10,000 teams,
p99 goal 50 ms): one SELECT of plain columns joined on team_capabilities,
filtered by status, capability and a bounding box, aggregated in Python —
no ORM entities, whose `selectin` capability loading would add a query and
an object per row — and cut by `shortlist` before the ranking builds reasons.
"""

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from api.common.geo import bounding_box, haversine_km
from api.incidents import service as incidents
from api.incidents.schemas import NearbyHazard
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
    SupplyCandidate,
    TeamCandidate,
    eta_minutes,
    propose_set,
    rank_supplies,
    rank_teams,
    supply_shortfall,
)
from api.settings import Settings
from resources_db.enums import HazardKind, JurisdictionKind, RiskLevel, TeamKind, TeamStatus
from resources_db.models import Depot, EmergencyPlan, HazardSource, Incident, Jurisdiction, RescueTeam, SupplyItem
from resources_db.models import TeamCapability as Cap

# Expiry dates are local calendar dates (Leizhou is on China Standard Time, no DST).
CST = timezone(timedelta(hours=8), "CST")


def eta_params(settings: Settings) -> EtaParams:
    """The ETA model from settings; kinds the environment leaves out keep their default speed."""
    return EtaParams(
        road_factor=settings.road_factor, speed_kmh_by_kind={**DEFAULT_SPEED_KMH, **settings.team_speeds_kmh}
    )


def plan_of(*, session: Session, incident: Incident) -> tuple[EmergencyPlan, HazardSource] | None:
    """The emergency plan of the hazard source the incident happened at, with that source (seed §12)."""
    if incident.hazard_source_id is None:
        return None
    row = session.execute(
        select(EmergencyPlan, HazardSource)
        .join(HazardSource, HazardSource.plan_id == EmergencyPlan.id)
        .where(HazardSource.id == incident.hazard_source_id)
    ).first()
    return None if row is None else (row[0], row[1])


def requirements(
    incident: Incident, plan: tuple[EmergencyPlan, HazardSource] | None, hazards: list[NearbyHazard]
) -> dict[str, str]:
    """capability → reasons: the incident type's needs ∪ the plan's ∪ red/orange hazard sources' within 1 km."""
    from_plan: dict[str, str] = {}
    if plan is not None:
        p, source = plan
        for cap, count in sorted(p.required_capabilities.items()):
            teams = f"{count} team{'s' if count != 1 else ''}"
            from_plan[cap] = f"emergency plan {p.title} of {source.name} ({teams})"
    nearby = [
        capability_table.NearbyHazard(HazardKind(h.kind), RiskLevel(h.risk_level), h.distance_km, h.name)
        for h in hazards
    ]
    return capability_table.merge_requirements(
        capability_table.incident_requirements(incident.type), from_plan, capability_table.from_nearby_hazards(nearby)
    )


def neighbours(*, session: Session) -> frozenset[str]:
    """Codes of the neighbouring jurisdictions whose teams come as mutual aid."""
    rows = session.scalars(select(Jurisdiction.code).where(Jurisdiction.kind == JurisdictionKind.neighbor))
    return frozenset(rows)


def team_candidates(
    *,
    session: Session,
    incident: Incident,
    radius_km: float,
    required: frozenset[str],
    params: EtaParams,
    neighbours: frozenset[str],
    limit: int | None,
) -> list[TeamCandidate]:
    """Available teams within `radius_km` holding a required capability, cut to what `rank_teams` can return.

    Each candidate's `capabilities` are the required ones it has (all that ranking looks at).
    """
    if not required:
        return []
    box = bounding_box(incident.lat, incident.lon, radius_km)
    in_reach = (
        RescueTeam.status == TeamStatus.available,
        Cap.capability.in_(sorted(required)),
        RescueTeam.base_lat.between(box.min_lat, box.max_lat),
        RescueTeam.base_lon.between(box.min_lon, box.max_lon),
    )
    nearest = _nearest_per_capability(incident, params, neighbours, in_reach, per_capability(limit))
    stmt = (
        select(
            RescueTeam.id,
            RescueTeam.name,
            RescueTeam.kind,
            RescueTeam.home_jurisdiction,
            RescueTeam.base_lat,
            RescueTeam.base_lon,
            RescueTeam.personnel,
            Cap.capability,
        )
        .join(Cap, Cap.team_id == RescueTeam.id)
        .where(Cap.capability.in_(sorted(required)), RescueTeam.id.in_(nearest))
    )
    # Core execution: plain column rows need none of the ORM's per-row loading machinery.
    teams: dict[int, tuple[str, TeamKind, str, float, float, int]] = {}
    caps: dict[int, set[str]] = {}
    for team_id, name, kind, home, lat, lon, personnel, cap in session.connection().execute(stmt).all():
        if team_id not in teams:
            teams[team_id] = (name, kind, home, lat, lon, personnel)
            caps[team_id] = set()
        caps[team_id].add(cap)
    scored: list[Scored] = []
    # Plain locals: an ORM attribute read per team costs more than the distance itself.
    at_lat, at_lon, at_home = incident.lat, incident.lon, incident.jurisdiction
    for team_id, (_, kind, home, lat, lon, _) in teams.items():
        km = haversine_km(at_lat, at_lon, lat, lon)
        if km <= radius_km:  # the box's corners lie beyond the radius
            mutual_aid = home in neighbours and home != at_home
            scored.append(Scored(eta_minutes(km, kind, params), mutual_aid, team_id, frozenset(caps[team_id])))
    out = []
    for i in shortlist(scored, required, limit):
        s = scored[i]
        name, kind, home, lat, lon, personnel = teams[s.team_id]
        out.append(
            TeamCandidate(s.team_id, name, kind, s.capabilities, TeamStatus.available, home, lat, lon, personnel)
        )
    return out


def per_capability(limit: int | None) -> int:
    """How many of the fastest teams per capability (and per own / mutual-aid group) the database hands over."""
    return max(limit or 0, 20) * 2 + 10


def _nearest_per_capability(
    incident: Incident,
    params: EtaParams,
    neighbours: frozenset[str],
    in_reach: tuple[ColumnElement[bool], ...],
    keep: int,
) -> Select[tuple[int]]:
    """Ids of the `keep` fastest teams per required capability, own and mutual-aid teams counted apart.

    A county-wide radius holds thousands of teams; building and ranking them
    all in Python was most of the request. The database orders by a cheap
    stand-in for the ETA — squared equirectangular distance ÷ squared speed,
    which sorts the same as distance ÷ speed — and the exact ranking then
    runs on a few hundred rows. A team can only be missed if more than `keep`
    faster teams hold each of its capabilities, far beyond what a list of
    `limit` shows.
    """
    cos_lat = math.cos(math.radians(incident.lat))
    dlat = RescueTeam.base_lat - incident.lat
    dlon = (RescueTeam.base_lon - incident.lon) * cos_lat
    speeds = {kind.value: speed for kind, speed in params.speed_kmh_by_kind.items()}
    speed = case(speeds, value=RescueTeam.kind, else_=params.default_speed_kmh)
    mutual = case((RescueTeam.home_jurisdiction.in_(sorted(neighbours - {incident.jurisdiction})), 1), else_=0)
    order = func.row_number().over(
        partition_by=(Cap.capability, mutual),
        order_by=((dlat * dlat + dlon * dlon) / (speed * speed), RescueTeam.id),
    )
    ranked = (
        select(RescueTeam.id.label("team_id"), order.label("place"))
        .join(Cap, Cap.team_id == RescueTeam.id)
        .where(*in_reach)
        .subquery()
    )
    return select(ranked.c.team_id).where(ranked.c.place <= keep)


def supply_candidates(*, session: Session, categories: frozenset[str]) -> list[SupplyCandidate]:
    """Items of these categories with stock above on hand − reserved − minimum reserve, with their depot."""
    if not categories:
        return []
    spare = SupplyItem.quantity_on_hand - SupplyItem.quantity_reserved - SupplyItem.min_reserve
    stmt = (
        select(
            SupplyItem.id,
            SupplyItem.depot_id,
            Depot.name,
            SupplyItem.category,
            SupplyItem.name,
            SupplyItem.unit,
            SupplyItem.quantity_on_hand,
            SupplyItem.quantity_reserved,
            SupplyItem.min_reserve,
            Depot.lat,
            Depot.lon,
            SupplyItem.expires_on,
        )
        .join(Depot, Depot.id == SupplyItem.depot_id)
        .where(SupplyItem.category.in_(sorted(categories)), spare > 0)
    )
    return [SupplyCandidate(*row) for row in session.execute(stmt)]


def _needed_supplies(plan: tuple[EmergencyPlan, HazardSource] | None, extra: Mapping[str, int]) -> dict[str, int]:
    needed = {str(c): int(q) for c, q in plan[0].required_supplies.items()} if plan else {}
    for category, qty in extra.items():
        needed[category] = needed.get(category, 0) + qty
    return needed


def recommend(
    *,
    session: Session,
    incident: Incident,
    settings: Settings,
    limit: int,
    radius_km: float,
    extra_supplies: Mapping[str, int],
) -> Recommendation:
    """Teams and supplies for the incident, each with reasons, and a proposed team set."""
    hazards = incidents.nearby_hazards(session=session, lat=incident.lat, lon=incident.lon)
    plan = plan_of(session=session, incident=incident)
    required = requirements(incident, plan, hazards)
    params, near = eta_params(settings), neighbours(session=session)
    candidates = team_candidates(
        session=session,
        incident=incident,
        radius_km=radius_km,
        required=frozenset(required),
        params=params,
        neighbours=near,
        limit=limit,
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
    )
    proposed = propose_set(ranked, required)
    needed = _needed_supplies(plan, extra_supplies)
    supplies = rank_supplies(
        incident_lat=incident.lat,
        incident_lon=incident.lon,
        needed=needed,
        candidates=supply_candidates(session=session, categories=frozenset(needed)),
        today=datetime.now(UTC).astimezone(CST).date(),
    )
    return Recommendation(
        incident_id=incident.id,
        severity=incident.severity,
        required=[RequiredCapability(capability=c, reasons=r.split("; ")) for c, r in sorted(required.items())],
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
            covered=proposed.covered,
            uncovered=proposed.uncovered,
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
