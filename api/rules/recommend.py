"""Which teams and supplies to send: ranking and a proposed team set, on plain data (no ORM).

Team ranking rule (`rank_teams`):

1. Only `available` teams are candidates (§5: nothing else is dispatchable).
   When something is required, a team holding none of it is dropped.
2. Leizhou's own teams come before mutual-aid teams (home jurisdiction in
   `neighbours`): borrowing one needs a request and an approval (§8), so it is
   the fallback, not the first call. Mutual-aid teams are still listed.
3. Within each group, teams are compared by ETA in 5-minute bands; inside a
   band home-jurisdiction teams come first, then teams covering more of the
   required capabilities; then exact ETA and id break ties.

`propose_set` ignores that order: it minimises the worst ETA of the set. A
capability may need several teams (an emergency plan asks for "hazmat: 2");
a set meeting that holds n different teams with it, so its worst ETA is at
least the ETA of the n-th fastest holder. The best possible worst ETA is
therefore W = max over capabilities of that ETA (of the slowest holder where
fewer than n are available: all of them are then taken); the set is built
greedily from teams no slower than W (most still-needed capabilities first,
own teams before mutual aid), then teams the others make redundant are
dropped. So it covers everything coverable, and its worst ETA is never worse
than any per-capability choice (in particular "nearest team per capability",
which ignores that kinds travel at different speeds).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from api.common.geo import haversine_km
from resources_db.enums import TeamKind, TeamStatus

ETA_BAND_MINUTES = 5.0
# Typical road speeds in Leizhou's county and township roads; only the relative order matters much.
DEFAULT_SPEED_KMH: Mapping[TeamKind, float] = MappingProxyType(
    {
        TeamKind.fire_rescue: 45.0,
        TeamKind.hazmat: 40.0,
        TeamKind.medical: 50.0,
        TeamKind.water_rescue: 35.0,
        TeamKind.mine_rescue: 40.0,
        TeamKind.utility: 40.0,
        TeamKind.militia: 35.0,
        TeamKind.social: 35.0,
        TeamKind.enterprise_fulltime: 40.0,
    }
)


@dataclass(frozen=True)
class EtaParams:
    """Straight-line km × road_factor ÷ speed: rough, but the same for every team, so the order is fair."""

    road_factor: float = 1.3
    speed_kmh_by_kind: Mapping[TeamKind, float] = field(default_factory=lambda: DEFAULT_SPEED_KMH, hash=False)
    default_speed_kmh: float = 40.0

    def __post_init__(self) -> None:
        if self.road_factor < 1.0:
            raise ValueError("road_factor must be at least 1 (roads are never shorter than the great circle)")
        if self.default_speed_kmh <= 0 or any(v <= 0 for v in self.speed_kmh_by_kind.values()):
            raise ValueError("speeds must be positive")


@dataclass(frozen=True)
class TeamCandidate:
    id: int
    name: str
    kind: TeamKind
    capabilities: frozenset[str]
    status: TeamStatus
    home_jurisdiction: str
    lat: float
    lon: float
    personnel: int


@dataclass(frozen=True)
class RankedTeam:
    team: TeamCandidate
    distance_km: float
    eta_minutes: float
    covers: list[str]
    reasons: list[str]
    mutual_aid: bool


@dataclass(frozen=True)
class ProposedSet:
    team_ids: list[int]
    covered: list[str]
    """capabilities with as many teams in the set as needed"""
    uncovered: list[str]
    """capabilities with fewer available teams than needed (none, or too few)"""
    worst_eta_minutes: float | None
    assignments: dict[str, int]
    """capability → id of the fastest team in the set holding it."""
    short: dict[str, int] = field(default_factory=dict)
    """capability → how many more teams are needed than are available"""


def needed_teams(teams_needed: Mapping[str, int] | None, capability: str) -> int:
    """Teams a capability needs: the emergency plan's count where it gives one, else one."""
    return max(1, (teams_needed or {}).get(capability, 1))


def eta_minutes(distance_km: float, kind: TeamKind, params: EtaParams | None = None) -> float:
    """Minutes to cover a great-circle distance by road for a team of this kind."""
    if distance_km < 0:
        raise ValueError("distance_km must not be negative")
    p = params or EtaParams()
    return distance_km * p.road_factor / p.speed_kmh_by_kind.get(kind, p.default_speed_kmh) * 60.0


def _rank_key(r: RankedTeam, home: str) -> tuple[bool, int, bool, int, float, int]:
    band = int(r.eta_minutes // ETA_BAND_MINUTES)
    return (r.mutual_aid, band, r.team.home_jurisdiction != home, -len(r.covers), r.eta_minutes, r.team.id)


def rank_teams(
    *,
    incident_lat: float,
    incident_lon: float,
    incident_jurisdiction: str,
    neighbours: frozenset[str],
    required: Mapping[str, str],
    candidates: Iterable[TeamCandidate],
    params: EtaParams | None = None,
    limit: int | None = None,
    teams_needed: Mapping[str, int] | None = None,
) -> list[RankedTeam]:
    """Available teams in the order of the module docstring, each with why it is listed.

    `limit` cuts the list, but the fastest holders of every required capability
    (as many as it needs, `needed_teams`) are kept beyond it, so `propose_set` on
    the result covers as much with the same worst ETA as on all candidates (it
    may need more teams: pass no limit for the fewest).
    """
    ranked: list[RankedTeam] = []
    for t in candidates:
        covers = sorted(set(required) & t.capabilities)
        if t.status is not TeamStatus.available or (required and not covers):
            continue
        km = haversine_km(incident_lat, incident_lon, t.lat, t.lon)
        eta = eta_minutes(km, t.kind, params)
        mutual_aid = t.home_jurisdiction in neighbours and t.home_jurisdiction != incident_jurisdiction
        reasons = [f"has {c} ({required[c]})" for c in covers]
        if t.home_jurisdiction == incident_jurisdiction:
            reasons.append("home jurisdiction")
        elif mutual_aid:
            reasons.append(f"mutual aid from {t.home_jurisdiction}")
        else:
            reasons.append(f"from {t.home_jurisdiction}")
        reasons.append(f"{km:.1f} km, about {eta:.0f} min")
        ranked.append(RankedTeam(t, km, eta, covers, reasons, mutual_aid))
    ranked.sort(key=lambda r: _rank_key(r, incident_jurisdiction))
    if limit is None or len(ranked) <= limit:
        return ranked
    fastest = _fastest_holders(ranked, required, teams_needed)
    keep = {id(r) for r in ranked[:limit]} | {id(r) for holders in fastest.values() for r in holders}
    return [r for r in ranked if id(r) in keep]


def _order(r: RankedTeam) -> tuple[bool, float, int]:
    """Among equally useful teams: own before mutual aid, then faster, then by id."""
    return (r.mutual_aid, r.eta_minutes, r.team.id)


def _fastest_holders(
    ranked: Sequence[RankedTeam], required: Iterable[str], teams_needed: Mapping[str, int] | None
) -> dict[str, list[RankedTeam]]:
    """capability → its fastest holders, as many as it needs (own teams win an exact ETA tie); none: left out."""
    out: dict[str, list[RankedTeam]] = {}
    for cap in sorted(set(required)):
        holders = sorted(
            (r for r in ranked if cap in r.team.capabilities), key=lambda r: (r.eta_minutes, r.mutual_aid, r.team.id)
        )
        if holders:
            out[cap] = holders[: needed_teams(teams_needed, cap)]
    return out


def propose_set(
    ranked: Sequence[RankedTeam], required: Iterable[str], teams_needed: Mapping[str, int] | None = None
) -> ProposedSet:
    """A small team set with as many teams per capability as it needs, where it can, at the least worst ETA."""
    caps = set(required)
    fastest = _fastest_holders(ranked, caps, teams_needed)
    short = {c: needed_teams(teams_needed, c) - len(fastest.get(c, [])) for c in sorted(caps)}
    short = {c: n for c, n in short.items() if n > 0}
    if not fastest:
        return ProposedSet([], [], sorted(short), None, {}, short)
    worst = max(holders[-1].eta_minutes for holders in fastest.values())
    target = {c: len(holders) for c, holders in fastest.items()}
    pool = [r for r in ranked if r.eta_minutes <= worst and r.team.capabilities & caps]
    remaining, chosen = dict(target), list[RankedTeam]()
    while remaining:
        # The pool holds each capability's `target` fastest holders, so a useful team is always left.
        best = min(pool, key=lambda r: (-len(r.team.capabilities & remaining.keys()), *_order(r)))
        chosen.append(best)
        pool.remove(best)
        for c in best.team.capabilities & remaining.keys():
            remaining[c] -= 1
            if not remaining[c]:
                del remaining[c]
    for r in sorted(chosen, key=lambda r: -r.eta_minutes):  # drop the slowest redundant teams first
        others = [o for o in chosen if o is not r]
        if all(sum(c in o.team.capabilities for o in others) >= n for c, n in target.items()):
            chosen = others
    chosen.sort(key=lambda r: (r.eta_minutes, r.team.id))
    assignments = {c: next(r.team.id for r in chosen if c in r.team.capabilities) for c in sorted(fastest)}
    return ProposedSet(
        team_ids=[r.team.id for r in chosen],
        covered=sorted(set(fastest) - set(short)),
        uncovered=sorted(short),
        worst_eta_minutes=max(r.eta_minutes for r in chosen),
        assignments=assignments,
        short=short,
    )


@dataclass(frozen=True)
class SupplyCandidate:
    item_id: int
    depot_id: int
    depot_name: str
    category: str
    name: str
    unit: str
    quantity_on_hand: int
    quantity_reserved: int
    min_reserve: int
    lat: float
    lon: float
    expires_on: date | None = None

    @property
    def available(self) -> int:
        """What may be sent without breaching the depot's 储备下限: on hand − reserved − minimum reserve."""
        return self.quantity_on_hand - self.quantity_reserved - self.min_reserve


@dataclass(frozen=True)
class RankedSupply:
    item: SupplyCandidate
    distance_km: float
    available: int
    suggested_quantity: int
    reasons: list[str]


def rank_supplies(
    *,
    incident_lat: float,
    incident_lon: float,
    needed: Mapping[str, int],
    candidates: Iterable[SupplyCandidate],
    limit_per_category: int = 3,
    today: date | None = None,
) -> list[RankedSupply]:
    """Per needed category (sorted), the nearest items with stock above the minimum reserve.

    Quantities are suggested greedily nearest first, up to what is still needed;
    items listed after the need is met get 0 and stand as alternatives. Items
    expired before `today` (when given) are never suggested.
    """
    if any(q < 0 for q in needed.values()):
        raise ValueError("needed quantities must not be negative")
    usable = [c for c in candidates if c.available > 0 and not (today and c.expires_on and c.expires_on < today)]
    out: list[RankedSupply] = []
    for category in sorted(c for c, q in needed.items() if q > 0):
        items = [(haversine_km(incident_lat, incident_lon, c.lat, c.lon), c) for c in usable if c.category == category]
        items.sort(key=lambda dc: (dc[0], -dc[1].available, dc[1].item_id))
        remaining = needed[category]
        for km, c in items[:limit_per_category]:
            take = min(c.available, remaining)
            reasons = [f"{km:.1f} km away at {c.depot_name}", f"{c.available} {c.unit} above minimum reserve".strip()]
            if take:
                reasons.append(f"suggest {take} of the {remaining} {category} still needed")
            else:
                reasons.append("alternative: nearer depots cover the need")
            remaining -= take
            out.append(RankedSupply(c, km, c.available, take, reasons))
    return out


def supply_shortfall(ranked: Iterable[RankedSupply], needed: Mapping[str, int]) -> dict[str, int]:
    """category → quantity the suggestions leave unmet (only categories with a gap)."""
    got: dict[str, int] = {}
    for r in ranked:
        got[r.item.category] = got.get(r.item.category, 0) + r.suggested_quantity
    return {c: q - got.get(c, 0) for c, q in sorted(needed.items()) if q - got.get(c, 0) > 0}
