"""Turn the demo data tables into ORM rows.

Each table draws from its own `random.Random` with a fixed seed, so editing
one table never shifts the numbers of another. Every position is SYNTHETIC
(a jurisdiction's synthetic centre plus a seeded offset, clamped to the demo
box lat 20.45–21.15, lon 109.70–110.35).
"""

import math
import random
from datetime import date, timedelta

from resources_db.demo import hazards_data, places, supplies_data, teams_data
from resources_db.enums import HazardKind, Role, TeamStatus
from resources_db.models import Depot, EmergencyPlan, HazardSource, Jurisdiction, RescueTeam, SupplyItem, User

TEAM_SEED = 20_250_101
DEPOT_SEED = 20_250_102
SUPPLY_SEED = 20_250_103
HAZARD_SEED = 20_250_104

KM_PER_DEGREE_LAT = 111.32


def _rng(seed: int) -> random.Random:
    # Reproducibility is the point here: a seeded PRNG, never used for anything secret.
    return random.Random(seed)  # noqa: S311


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def synthetic_point(rng: random.Random, jurisdiction: str, spread_km: float) -> tuple[float, float]:
    """A made-up point within `spread_km` of the jurisdiction's synthetic centre, inside the demo box."""
    lat0, lon0 = places.CENTRES[jurisdiction]
    distance = spread_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / KM_PER_DEGREE_LAT
    dlon = distance * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    # Rounded so both backends store and return exactly the same floats.
    lat = round(_clamp(lat0 + dlat, places.LAT_MIN, places.LAT_MAX), 5)
    lon = round(_clamp(lon0 + dlon, places.LON_MIN, places.LON_MAX), 5)
    return lat, lon


def jurisdictions() -> list[Jurisdiction]:
    return [
        Jurisdiction(code=p.code, name_zh=p.name_zh, name_en=p.name_en, kind=p.kind, center_lat=p.lat, center_lon=p.lon)
        for p in places.JURISDICTIONS
    ]


def plans() -> list[EmergencyPlan]:
    return [
        EmergencyPlan(
            title=p.title,
            hazard_kinds=[k.value for k in p.hazard_kinds],
            incident_types=[t.value for t in p.incident_types],
            required_capabilities=dict(p.required_capabilities),
            required_supplies=dict(p.required_supplies),
        )
        for p in hazards_data.PLANS
    ]


def teams() -> list[RescueTeam]:
    rng = _rng(TEAM_SEED)
    out = []
    for spec in teams_data.ROSTER:
        lat, lon = synthetic_point(rng, spec.jurisdiction, spread_km=2.5)
        pool = [c for c in teams_data.OPTIONAL[spec.kind] if c not in spec.core]
        extras = rng.sample(pool, k=rng.randint(0, min(2, len(pool))))
        team = RescueTeam(
            name=spec.name,
            kind=spec.kind,
            personnel=rng.randint(6, 60),
            home_jurisdiction=spec.jurisdiction,
            base_lat=lat,
            base_lon=lon,
            status=TeamStatus.out_of_service if spec.out_of_service else TeamStatus.available,
            contact_phone=f"0759-88{rng.randrange(100_000):05d}",
        )
        team.set_capabilities([c.value for c in (*spec.core, *extras)])
        out.append(team)
    return out


STAFF: tuple[tuple[str, Role], ...] = (
    ("admin", Role.admin),
    ("operator", Role.operator),
    ("observer", Role.observer),
    ("controller", Role.drill_controller),
)


def staff_users(password_hash: str) -> list[User]:
    return [User(username=name, password_hash=password_hash, role=role) for name, role in STAFF]


def leader_users(password_hash: str, count: int) -> list[User]:
    """One leader per roster team, numbered in roster order; the team link is set once teams have ids."""
    return [
        User(username=f"leader-{i:03d}", password_hash=password_hash, role=Role.team_leader)
        for i in range(1, count + 1)
    ]


def depots() -> list[Depot]:
    rng = _rng(DEPOT_SEED)
    out = []
    for spec in places.DEPOTS:
        lat, lon = synthetic_point(rng, spec.jurisdiction, spread_km=3.0)
        out.append(Depot(name=spec.name, jurisdiction=spec.jurisdiction, lat=lat, lon=lon, operator=spec.operator))
    return out


def supply_items(depot_rows: list[Depot], today: date) -> list[SupplyItem]:
    """Every depot's stock per its profile; a seeded handful short of reserve and a handful about to expire.

    Depots must have ids. Expiry dates count from `today` so "expiring soon" stays true on any day.
    """
    rng = _rng(SUPPLY_SEED)
    specs = [
        (depot, supplies_data.CATALOGUE[category])
        for depot, dspec in zip(depot_rows, places.DEPOTS, strict=True)
        for category in supplies_data.PROFILES[dspec.profile]
    ]
    order = list(range(len(specs)))
    rng.shuffle(order)
    low = set(order[: supplies_data.LOW_STOCK_ITEMS])
    perishable = [i for i in order if specs[i][1].shelf_life_days is not None]
    expiring = set(perishable[: supplies_data.EXPIRING_ITEMS])

    out = []
    for i, (depot, spec) in enumerate(specs):
        quantity = rng.randint(0, spec.min_reserve - 1) if i in low else rng.randint(spec.low, spec.high)
        expires_on = None
        if spec.shelf_life_days is not None:
            if i in expiring:
                days = rng.randint(1, supplies_data.EXPIRING_WITHIN_DAYS - 2)
            else:
                days = rng.randint(supplies_data.EXPIRING_WITHIN_DAYS + 60, spec.shelf_life_days)
            expires_on = today + timedelta(days=days)
        out.append(
            SupplyItem(
                depot_id=depot.id,
                category=spec.category,
                name=spec.name,
                unit=spec.unit,
                quantity_on_hand=quantity,
                quantity_reserved=0,
                min_reserve=spec.min_reserve,
                expires_on=expires_on,
            )
        )
    return out


def hazard_sources(plan_rows: list[EmergencyPlan]) -> list[HazardSource]:
    """Plans must have ids; each red/orange/yellow source links the plan written for its kind."""
    rng = _rng(HAZARD_SEED)
    plan_for: dict[HazardKind, EmergencyPlan] = {}
    for row, plan_spec in zip(plan_rows, hazards_data.PLANS, strict=True):
        for kind in plan_spec.hazard_kinds:
            plan_for.setdefault(kind, row)
    out = []
    for spec in hazards_data.ROSTER:
        lat, lon = spec.at if spec.at else synthetic_point(rng, spec.jurisdiction, spread_km=3.0)
        person = rng.choice(hazards_data.SURNAMES) + rng.choice(hazards_data.GIVEN_NAMES)
        plan = plan_for.get(spec.kind) if spec.risk in hazards_data.PLANNED_LEVELS else None
        out.append(
            HazardSource(
                name=spec.name,
                kind=spec.kind,
                risk_level=spec.risk,
                lat=lat,
                lon=lon,
                jurisdiction=spec.jurisdiction,
                enterprise=spec.enterprise,
                responsible_person=person,
                plan_id=plan.id if plan else None,
            )
        )
    return out
