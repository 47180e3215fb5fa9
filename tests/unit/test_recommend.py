"""Team and supply recommendation on hand-made fixtures (synthetic coordinates near 雷城)."""

from collections.abc import Iterable, Mapping
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.common.geo import haversine_km
from api.rules.capability_table import NearbyHazard, from_nearby_hazards, incident_requirements, merge_requirements
from api.rules.recommend import (
    EtaParams,
    RankedTeam,
    SupplyCandidate,
    TeamCandidate,
    eta_minutes,
    propose_set,
    rank_supplies,
    rank_teams,
    supply_shortfall,
)
from resources_db.enums import HazardKind, IncidentType, RiskLevel, TeamKind, TeamStatus

LAT, LON = 20.91, 110.09
HOME, NEIGHBOURS = "leicheng", frozenset({"suixi", "xuwen", "mazhang"})
KM = 1 / 111.2  # degrees of latitude per km, near enough


def team(
    id_: int,
    kind: TeamKind,
    caps: set[str],
    km_north: float,
    *,
    status: TeamStatus = TeamStatus.available,
    home: str = HOME,
) -> TeamCandidate:
    return TeamCandidate(id_, f"team {id_}", kind, frozenset(caps), status, home, LAT + km_north * KM, LON, 20)


def rank(
    required: Mapping[str, str],
    candidates: list[TeamCandidate],
    limit: int | None = None,
    teams_needed: Mapping[str, int] | None = None,
) -> list[RankedTeam]:
    return rank_teams(
        incident_lat=LAT,
        incident_lon=LON,
        incident_jurisdiction=HOME,
        neighbours=NEIGHBOURS,
        required=required,
        candidates=candidates,
        limit=limit,
        teams_needed=teams_needed,
    )


def ids(ranked: list[RankedTeam]) -> list[int]:
    return [r.team.id for r in ranked]


def test_eta_is_road_km_over_speed():
    assert eta_minutes(45.0, TeamKind.fire_rescue) == pytest.approx(78.0)
    assert eta_minutes(10.0, TeamKind.medical, EtaParams(road_factor=1.0)) == pytest.approx(12.0)
    with pytest.raises(ValueError, match="road_factor"):
        EtaParams(road_factor=0.9)


def test_fire_beside_red_ammonia_cold_store_brings_hazmat():
    required = merge_requirements(
        incident_requirements(IncidentType.fire),
        from_nearby_hazards([NearbyHazard(HazardKind.ammonia_refrigeration, RiskLevel.red, 0.4, "冷库")]),
    )
    teams = [
        team(1, TeamKind.fire_rescue, {"fire_suppression", "search_rescue"}, 2),
        team(2, TeamKind.medical, {"medical"}, 3),
        team(3, TeamKind.hazmat, {"hazmat", "decontamination"}, 15, home="xinan"),
    ]
    ranked = rank(required, teams)
    proposed = propose_set(ranked, required)
    assert 3 in proposed.team_ids
    assert proposed.uncovered == []
    hazmat = next(r for r in ranked if r.team.id == 3)
    assert "has hazmat (needed for red ammonia_refrigeration source 0.4 km away (冷库))" in hazmat.reasons


def test_hazchem_leak_proposes_hazmat_and_every_capability():
    required = merge_requirements(
        incident_requirements(IncidentType.hazchem_leak),
        from_nearby_hazards([NearbyHazard(HazardKind.ammonia_refrigeration, RiskLevel.red, 0.4)]),
    )
    teams = [
        team(1, TeamKind.fire_rescue, {"fire_suppression"}, 1),
        team(2, TeamKind.hazmat, {"hazmat", "decontamination"}, 8),
        team(3, TeamKind.medical, {"medical"}, 4),
        team(4, TeamKind.enterprise_fulltime, {"hazmat", "fire_suppression"}, 20),
    ]
    proposed = propose_set(rank(required, teams), required)
    assert proposed.covered == ["decontamination", "fire_suppression", "hazmat", "medical"]
    assert proposed.uncovered == []
    assert set(proposed.team_ids) == {1, 2, 3}
    assert proposed.assignments["hazmat"] == 2


@pytest.mark.parametrize("status", [s for s in TeamStatus if s is not TeamStatus.available])
def test_only_available_teams_are_ranked(status):
    teams = [team(1, TeamKind.hazmat, {"hazmat"}, 0.5, status=status), team(2, TeamKind.hazmat, {"hazmat"}, 30)]
    assert ids(rank({"hazmat": "required for hazchem_leak"}, teams)) == [2]


def test_teams_without_any_required_capability_are_dropped():
    teams = [team(1, TeamKind.utility, {"power_repair"}, 1), team(2, TeamKind.medical, {"medical"}, 5)]
    assert ids(rank({"medical": "required for fire"}, teams)) == [2]
    assert ids(rank({}, teams)) == [1, 2]


def test_uncovered_capabilities_are_reported():
    required = incident_requirements(IncidentType.water_rescue)
    teams = [team(1, TeamKind.water_rescue, {"water_rescue", "boat"}, 6), team(2, TeamKind.medical, {"medical"}, 2)]
    proposed = propose_set(rank(required, teams), required)
    assert proposed.uncovered == ["diving"]
    assert proposed.covered == ["boat", "medical", "water_rescue"]
    assert set(proposed.team_ids) == {1, 2}


def test_nothing_coverable_gives_an_empty_set():
    proposed = propose_set([], {"diving"})
    assert proposed.team_ids == []
    assert proposed.uncovered == ["diving"]
    assert proposed.worst_eta_minutes is None


def test_redundant_slow_team_is_dropped():
    teams = [
        team(1, TeamKind.fire_rescue, {"fire_suppression", "medical", "search_rescue"}, 3),
        team(2, TeamKind.medical, {"medical"}, 10),
        team(3, TeamKind.social, {"search_rescue"}, 1),
    ]
    required = incident_requirements(IncidentType.fire)
    assert propose_set(rank(required, teams), required).team_ids == [1]


def test_proposed_worst_eta_beats_nearest_per_capability():
    # The nearest diver is a slow social team; a farther fire-rescue team with divers arrives sooner.
    required = incident_requirements(IncidentType.water_rescue)
    teams = [
        team(1, TeamKind.social, {"diving", "boat"}, 10),
        team(2, TeamKind.fire_rescue, {"water_rescue", "boat", "diving"}, 11),
        team(3, TeamKind.medical, {"medical"}, 12),
    ]
    ranked = rank(required, teams)
    proposed = propose_set(ranked, required)
    naive = _naive_nearest_worst(ranked, required)
    assert proposed.worst_eta_minutes is not None
    assert proposed.worst_eta_minutes < naive
    assert proposed.team_ids == [3, 2]  # fastest first


def _naive_nearest_worst(ranked: list[RankedTeam], required: Iterable[str]) -> float:
    picks = [min((r for r in ranked if c in r.team.capabilities), key=lambda r: r.distance_km) for c in required]
    return max(r.eta_minutes for r in picks)


CAPS = ["hazmat", "medical", "boat", "diving", "fire_suppression"]
# Up to 12 teams: kind, capabilities, km north of the incident, mutual aid or not.
TEAM_SPECS = st.lists(
    st.tuples(
        st.sampled_from(list(TeamKind)),
        st.sets(st.sampled_from(CAPS), min_size=1, max_size=3),
        st.floats(0.1, 60),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


def teams_of(specs: list[tuple[TeamKind, set[str], float, bool]]) -> list[TeamCandidate]:
    return [team(i, k, c, d, home="suixi" if aid else HOME) for i, (k, c, d, aid) in enumerate(specs)]


@settings(max_examples=150, deadline=None)
@given(
    specs=TEAM_SPECS,
    needed=st.sets(st.sampled_from(CAPS), min_size=1),
)
def test_proposed_set_covers_what_it_can_and_never_loses_to_nearest(specs, needed):
    teams = teams_of(specs)
    required = dict.fromkeys(needed, "required")
    ranked = rank(required, teams)
    proposed = propose_set(ranked, required)
    coverable = needed & set().union(*(t.capabilities for t in teams))
    assert set(proposed.covered) == coverable
    assert set(proposed.uncovered) == needed - coverable
    chosen = [r for r in ranked if r.team.id in proposed.team_ids]
    assert coverable <= set().union(*(r.team.capabilities for r in chosen))
    if coverable:
        assert proposed.worst_eta_minutes is not None
        assert proposed.worst_eta_minutes <= _naive_nearest_worst(ranked, coverable) + 1e-9
    cut = propose_set(rank(required, teams, limit=1), required)
    assert (cut.covered, cut.uncovered, cut.worst_eta_minutes) == (
        proposed.covered,
        proposed.uncovered,
        proposed.worst_eta_minutes,
    )


def test_neighbours_teams_are_mutual_aid_and_come_after_own_teams():
    teams = [team(1, TeamKind.hazmat, {"hazmat"}, 2, home="suixi"), team(2, TeamKind.hazmat, {"hazmat"}, 25)]
    ranked = rank({"hazmat": "required for hazchem_leak"}, teams)
    assert ids(ranked) == [2, 1]
    aid = ranked[1]
    assert aid.mutual_aid
    assert "mutual aid from suixi" in aid.reasons
    assert not ranked[0].mutual_aid


def test_home_jurisdiction_first_within_a_similar_eta():
    teams = [
        team(1, TeamKind.fire_rescue, {"fire_suppression"}, 1.0, home="baisha"),
        team(2, TeamKind.fire_rescue, {"fire_suppression"}, 1.2),
    ]
    ranked = rank({"fire_suppression": "required for fire"}, teams)
    assert ids(ranked) == [2, 1]
    assert "home jurisdiction" in ranked[0].reasons
    assert "from baisha" in ranked[1].reasons


def test_every_ranked_team_has_reasons_and_distance():
    teams = [
        team(i, TeamKind.fire_rescue, {"fire_suppression"}, i * 3, home=h) for i, h in enumerate([HOME, "suixi", "x"])
    ]
    for required in ({}, {"fire_suppression": "required for fire"}):
        for r in rank(required, teams):
            assert r.reasons
            assert r.distance_km == pytest.approx(haversine_km(LAT, LON, r.team.lat, r.team.lon))


def test_limit_keeps_the_fastest_holder_of_each_capability():
    teams = [team(i, TeamKind.fire_rescue, {"fire_suppression"}, i + 1) for i in range(5)]
    teams.append(team(9, TeamKind.hazmat, {"hazmat"}, 40, home="suixi"))
    required = {"fire_suppression": "r", "hazmat": "r"}
    assert ids(rank(required, teams, limit=2)) == [0, 1, 9]


def supply(item_id: int, km: float, on_hand: int, *, reserved: int = 0, min_reserve: int = 10, **kw) -> SupplyCandidate:
    fields = {"category": "sandbags", "expires_on": None} | kw
    return SupplyCandidate(
        item_id, item_id, f"depot {item_id}", fields["category"], "编织袋", "bag",
        on_hand, reserved, min_reserve, LAT + km * KM, LON, fields["expires_on"],
    )  # fmt: skip


def test_items_at_or_below_minimum_reserve_are_never_suggested():
    items = [supply(1, 1, 10), supply(2, 2, 15, reserved=5), supply(3, 3, 5), supply(4, 9, 60)]
    ranked = rank_supplies(incident_lat=LAT, incident_lon=LON, needed={"sandbags": 100}, candidates=items)
    assert [r.item.item_id for r in ranked] == [4]
    assert ranked[0].available == ranked[0].suggested_quantity == 50
    assert supply_shortfall(ranked, {"sandbags": 100}) == {"sandbags": 50}


def test_nearest_depot_first_and_quantities_up_to_the_need():
    items = [supply(1, 8, 500), supply(2, 2, 40), supply(3, 5, 100), supply(4, 12, 900)]
    ranked = rank_supplies(
        incident_lat=LAT, incident_lon=LON, needed={"sandbags": 100}, candidates=items, limit_per_category=3
    )
    assert [r.item.item_id for r in ranked] == [2, 3, 1]
    assert [r.suggested_quantity for r in ranked] == [30, 70, 0]
    assert all(r.reasons for r in ranked)
    assert "depot 2" in ranked[0].reasons[0]
    assert supply_shortfall(ranked, {"sandbags": 100}) == {}


def test_supplies_per_category_and_expiry():
    items = [
        supply(1, 1, 100, category="medical_kits", expires_on=date(2025, 1, 1)),
        supply(2, 4, 100, category="medical_kits", expires_on=date(2025, 6, 1)),
        supply(3, 1, 100, category="tents"),
    ]
    ranked = rank_supplies(
        incident_lat=LAT,
        incident_lon=LON,
        needed={"medical_kits": 5, "tents": 0},
        candidates=items,
        today=date(2025, 6, 1),
    )
    assert [(r.item.item_id, r.suggested_quantity) for r in ranked] == [(2, 5)]
    with pytest.raises(ValueError, match="negative"):
        rank_supplies(incident_lat=LAT, incident_lon=LON, needed={"tents": -1}, candidates=items)


def test_a_capability_needing_two_teams_gets_two_and_the_worst_eta_is_the_second_fastest_holder():
    required = {"hazmat": "emergency plan (2 teams)", "medical": "required"}
    teams = [
        team(1, TeamKind.hazmat, {"hazmat"}, 2),
        team(2, TeamKind.hazmat, {"hazmat", "medical"}, 6),
        team(3, TeamKind.hazmat, {"hazmat"}, 20),
        team(4, TeamKind.medical, {"medical"}, 1),
    ]
    ranked = rank(required, teams)
    proposed = propose_set(ranked, required, {"hazmat": 2})
    assert proposed.team_ids == [1, 2]  # team 2 brings the second hazmat team and medical: team 4 is redundant
    assert (proposed.covered, proposed.uncovered, proposed.short) == (["hazmat", "medical"], [], {})
    assert proposed.worst_eta_minutes == next(r.eta_minutes for r in ranked if r.team.id == 2)
    # One team each, as before: the fastest holders.
    assert propose_set(ranked, required).team_ids == [4, 1]


def test_too_few_teams_for_a_plan_are_all_proposed_and_the_rest_reported_short():
    required = {"hazmat": "emergency plan (3 teams)"}
    teams = [team(1, TeamKind.hazmat, {"hazmat"}, 2), team(2, TeamKind.hazmat, {"hazmat"}, 9)]
    proposed = propose_set(rank(required, teams), required, {"hazmat": 3})
    assert proposed.team_ids == [1, 2]
    assert (proposed.covered, proposed.uncovered, proposed.short) == ([], ["hazmat"], {"hazmat": 1})
    nothing = propose_set([], required, {"hazmat": 3})
    assert (nothing.team_ids, nothing.uncovered, nothing.short) == ([], ["hazmat"], {"hazmat": 3})


def _nth_fastest_eta(ranked: list[RankedTeam], cap: str, n: int) -> float | None:
    holders = sorted(r.eta_minutes for r in ranked if cap in r.team.capabilities)
    return holders[min(n, len(holders)) - 1] if holders else None


@settings(max_examples=150, deadline=None)
@given(
    specs=TEAM_SPECS,
    counts=st.dictionaries(st.sampled_from(CAPS), st.integers(1, 4), min_size=1),
)
def test_proposed_set_meets_team_counts_at_the_least_possible_worst_eta(specs, counts):
    teams = teams_of(specs)
    required = dict.fromkeys(counts, "required")
    ranked = rank(required, teams)
    proposed = propose_set(ranked, required, counts)
    chosen = [r for r in ranked if r.team.id in proposed.team_ids]
    assert len(chosen) == len(proposed.team_ids)
    for cap, n in counts.items():
        available = sum(cap in t.capabilities for t in teams)
        in_set = sum(cap in r.team.capabilities for r in chosen)
        assert in_set >= min(n, available)
        assert proposed.short.get(cap, 0) == max(0, n - available)
        assert (cap in proposed.covered) == (available >= n)
    # No set can do better than the slowest of the per-capability n-th fastest holders, and this one reaches it.
    bounds = [b for cap, n in counts.items() if (b := _nth_fastest_eta(ranked, cap, n)) is not None]
    assert proposed.worst_eta_minutes == (max(bounds) if bounds else None)
    # And no team of it could be left out.
    for r in chosen:
        others = [o for o in chosen if o is not r]
        assert any(
            sum(cap in o.team.capabilities for o in others) < min(n, sum(cap in t.capabilities for t in teams))
            for cap, n in counts.items()
        )
    cut = propose_set(rank(required, teams, limit=1, teams_needed=counts), required, counts)
    assert (cut.covered, cut.short, cut.worst_eta_minutes) == (
        proposed.covered,
        proposed.short,
        proposed.worst_eta_minutes,
    )
