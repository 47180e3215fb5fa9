"""GET /incidents/{id}/recommendations on hand-made fixtures at remote synthetic spots.

Every test works at its own spot in the sea-side south-west corner of the
synthetic box (lat 20.5x, lon 109.7x, spots ≥ 6 km apart) and asks with a
3 km radius, so other tests' teams never interfere; supply categories are
unique per test for the same reason.
"""

import itertools
import math
import random
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.common.geo import haversine_km
from api.recommendations.shortlist import Scored, shortlist
from api.rules.recommend import EtaParams, ProposedSet, RankedTeam, TeamCandidate, eta_minutes, propose_set, rank_teams
from resources_db.enums import TeamKind, TeamStatus
from resources_db.models import Drill
from tests.factories import make_team, ok
from tests.registry_factories import make_hazard, make_plan
from tests.supply_factories import make_depot, make_item
from tests.workflow_factories import make_dispatch, make_incident, set_dispatch_status

KM = 1 / 111.2  # degrees of latitude per km, near enough here
RADIUS = {"radius_km": 3}
_spots = itertools.count()

Headers = dict[str, dict[str, str]]


def spot() -> tuple[float, float]:
    i = next(_spots)
    return 20.50 + 0.06 * (i // 5), 109.70 + 0.06 * (i % 5)


def category() -> str:
    """A supply category no other test uses (letters only: plans refuse digits)."""
    return "rx_" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])


def team_at(client: TestClient, tokens: dict[str, str], lat: float, lon: float, **kw: Any) -> dict[str, Any]:
    return make_team(client, tokens["operator"], base_lat=lat, base_lon=lon, **kw)


def incident_at(client: TestClient, tokens: dict[str, str], lat: float, lon: float, **kw: Any) -> dict[str, Any]:
    kw.setdefault("jurisdiction", "leicheng")
    return make_incident(client, tokens["operator"], lat=lat, lon=lon, **kw)


def recommend(client: TestClient, headers: Headers, incident_id: int, **params: Any) -> dict[str, Any]:
    url = f"/api/v1/incidents/{incident_id}/recommendations"
    return ok(client.get(url, params={**RADIUS, **params}, headers=headers["observer"]))  # type: ignore[no-any-return]


def team_ids(body: dict[str, Any]) -> list[int]:
    return [t["team_id"] for t in body["teams"]]


def listed(body: dict[str, Any], team_id: int) -> dict[str, Any]:
    found: list[dict[str, Any]] = [t for t in body["teams"] if t["team_id"] == team_id]
    assert found, f"team {team_id} not recommended: {team_ids(body)}"
    return found[0]


def required(body: dict[str, Any]) -> dict[str, list[str]]:
    return {r["capability"]: r["reasons"] for r in body["required"]}


def test_hazchem_leak_beside_red_ammonia_store_brings_hazmat_team_naming_the_source(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    store = make_hazard(
        client, tokens["admin"], kind="ammonia_refrigeration", risk_level="red", lat=lat + 0.3 * KM, lon=lon
    )
    hazmat = team_at(client, tokens, lat + 1 * KM, lon, kind="hazmat", capabilities=["hazmat", "decontamination"])
    incident = incident_at(client, tokens, lat, lon, type="hazchem_leak")

    body = recommend(client, headers, incident["id"])

    assert [h["id"] for h in body["hazards"]] == [store["id"]]
    assert any(store["name"] in reason for reason in required(body)["hazmat"])
    team = listed(body, hazmat["id"])
    assert team["covers"] == ["decontamination", "hazmat"]
    assert any(store["name"] in reason for reason in team["reasons"])
    assert team["mutual_aid"] is False


def test_fire_beside_orange_ammonia_store_needs_hazmat_but_a_yellow_one_adds_nothing(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    make_hazard(client, tokens["admin"], kind="ammonia_refrigeration", risk_level="orange", lat=lat, lon=lon + 0.5 * KM)
    yellow = spot()
    make_hazard(
        client, tokens["admin"], kind="ammonia_refrigeration", risk_level="yellow", lat=yellow[0], lon=yellow[1]
    )
    near_orange = incident_at(client, tokens, lat, lon, type="fire")
    near_yellow = incident_at(client, tokens, yellow[0] + 0.2 * KM, yellow[1], type="fire")

    assert {"hazmat", "decontamination"} <= required(recommend(client, headers, near_orange["id"])).keys()
    assert sorted(required(recommend(client, headers, near_yellow["id"]))) == [
        "fire_suppression",
        "medical",
        "search_rescue",
    ]


def test_out_of_service_and_dispatched_teams_never_appear(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    ready = team_at(client, tokens, lat + 0.5 * KM, lon)
    resting = team_at(client, tokens, lat + 0.2 * KM, lon)
    busy = team_at(client, tokens, lat + 0.1 * KM, lon)
    incident = incident_at(client, tokens, lat, lon, type="fire")
    assert {ready["id"], resting["id"], busy["id"]} <= set(team_ids(recommend(client, headers, incident["id"])))

    status = {"status": "out_of_service", "note": "engine repair"}
    ok(client.post(f"/api/v1/teams/{resting['id']}/status", json=status, headers=headers["operator"]))
    dispatch = {"incident_id": incident["id"], "team_id": busy["id"]}
    ok(client.post("/api/v1/dispatches", json=dispatch, headers=headers["operator"]), 201)

    body = recommend(client, headers, incident["id"])
    assert ready["id"] in team_ids(body)
    assert resting["id"] not in team_ids(body)
    assert busy["id"] not in team_ids(body)
    assert not {resting["id"], busy["id"]} & set(body["proposed"]["team_ids"])


def test_proposed_set_covers_every_required_capability_when_the_library_can(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    boat = team_at(client, tokens, lat + 1 * KM, lon, kind="water_rescue", capabilities=["water_rescue", "boat"])
    divers = team_at(client, tokens, lat, lon + 1 * KM, kind="water_rescue", capabilities=["diving", "boat"])
    medics = team_at(client, tokens, lat - 1 * KM, lon, kind="medical", capabilities=["medical"])
    incident = incident_at(client, tokens, lat, lon, type="water_rescue")

    proposed = recommend(client, headers, incident["id"])["proposed"]

    assert proposed["covered"] == ["boat", "diving", "medical", "water_rescue"]
    assert proposed["uncovered"] == []
    assert sorted(proposed["team_ids"]) == sorted([boat["id"], divers["id"], medics["id"]])
    assert proposed["worst_eta_minutes"] > 0


def test_proposed_set_lists_the_capabilities_nobody_can_cover(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    medics = team_at(client, tokens, lat + 1 * KM, lon, kind="medical", capabilities=["medical"])
    # 2.5 km north and 2.5 km east: inside the 3 km bounding box, 3.5 km away.
    corner = (lat + 2.5 * KM, lon + 2.5 * KM / math.cos(math.radians(lat)))
    far_miners = team_at(client, tokens, *corner, kind="mine_rescue", capabilities=["mine_rescue"])
    incident = incident_at(client, tokens, lat, lon, type="mine")

    body = recommend(client, headers, incident["id"])

    assert far_miners["id"] not in team_ids(body), "beyond the 3 km radius"
    assert body["proposed"]["team_ids"] == [medics["id"]]
    assert body["proposed"]["covered"] == ["medical"]
    assert body["proposed"]["uncovered"] == ["mine_rescue"]


def test_emergency_plan_of_the_hazard_source_adds_capabilities_and_supplies(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    kits = category()
    plan = make_plan(
        client, tokens["admin"], required_capabilities={"elevator_rescue": 2}, required_supplies={kits: 30}
    )
    source = make_hazard(
        client, tokens["admin"], kind="special_equipment", risk_level="blue", lat=lat, lon=lon, plan_id=plan["id"]
    )
    lifts = team_at(client, tokens, lat + 1 * KM, lon, kind="utility", capabilities=["elevator_rescue"])
    depot = make_depot(client, tokens["operator"], lat=lat + 2 * KM, lon=lon)
    item = make_item(client, tokens["operator"], depot["id"], category=kits, quantity_on_hand=20, min_reserve=5)
    at_source = incident_at(client, tokens, lat, lon, type="fire", hazard_source_id=source["id"])
    elsewhere = incident_at(client, tokens, lat, lon, type="fire")

    body = recommend(client, headers, at_source["id"], supplies=f"{kits}:5")

    reasons = required(body)["elevator_rescue"]
    assert reasons == [f"emergency plan {plan['title']} of {source['name']} (2 teams)"]
    assert listed(body, lifts["id"])["covers"] == ["elevator_rescue"]
    # The plan asks for two teams and only one is near: it is proposed, and the second one is reported missing.
    assert [r["teams"] for r in body["required"] if r["capability"] == "elevator_rescue"] == [2]
    assert lifts["id"] in body["proposed"]["team_ids"]
    assert "elevator_rescue" in body["proposed"]["uncovered"]
    assert body["proposed"]["short"]["elevator_rescue"] == 1
    assert [(s["supply_item_id"], s["available"], s["suggested_quantity"]) for s in body["supplies"]] == [
        (item["id"], 15, 15)
    ]
    assert body["supply_shortfall"] == {kits: 30 + 5 - 15}
    plain = recommend(client, headers, elsewhere["id"])
    assert "elevator_rescue" not in required(plain)
    assert lifts["id"] not in team_ids(plain)
    assert plain["supplies"] == []


def _two_teams_wanted(
    client: TestClient, tokens: dict[str, str], *, incidents: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Incidents at a site whose plan asks for two search-and-rescue teams, and three such teams 0.5, 1, 1.5 km off."""
    lat, lon = spot()
    plan = make_plan(client, tokens["admin"], required_capabilities={"search_rescue": 2})
    source = make_hazard(
        client, tokens["admin"], kind="construction_site", risk_level="blue", lat=lat, lon=lon, plan_id=plan["id"]
    )
    teams = [
        team_at(client, tokens, lat + km * KM, lon, kind="fire_rescue", capabilities=["search_rescue"])
        for km in (0.5, 1.0, 1.5)
    ]
    at_site = [
        incident_at(client, tokens, lat, lon, type="other", hazard_source_id=source["id"]) for _ in range(incidents)
    ]
    return at_site, teams


def test_a_plan_asking_for_two_teams_of_a_capability_gets_the_two_fastest_proposed(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    (incident,), (near, second, third) = _two_teams_wanted(client, tokens, incidents=1)

    body = recommend(client, headers, incident["id"])

    assert [r["teams"] for r in body["required"]] == [2]
    assert body["proposed"]["team_ids"] == [near["id"], second["id"]]
    assert (body["proposed"]["covered"], body["proposed"]["uncovered"], body["proposed"]["short"]) == (
        ["search_rescue"],
        [],
        {},
    )
    assert body["proposed"]["worst_eta_minutes"] == listed(body, second["id"])["eta_minutes"]
    assert third["id"] in team_ids(body)  # listed, just not needed


def test_teams_already_dispatched_count_towards_the_need_and_the_proposal_is_for_the_rest(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    (incident, elsewhere), (near, second, third) = _two_teams_wanted(client, tokens, incidents=2)

    first = make_dispatch(client, tokens["operator"], incident["id"], near["id"])
    body = recommend(client, headers, incident["id"])
    assert [(r["teams"], r["dispatched"]) for r in body["required"]] == [(2, 1)]
    assert body["proposed"]["team_ids"] == [second["id"]]
    assert body["proposed"]["covered"] == ["search_rescue"]
    # Another incident's need is its own.
    other = recommend(client, headers, elsewhere["id"])
    assert [(r["teams"], r["dispatched"]) for r in other["required"]] == [(2, 0)]
    assert other["proposed"]["team_ids"] == [second["id"], third["id"]]

    make_dispatch(client, tokens["operator"], incident["id"], second["id"])
    done = recommend(client, headers, incident["id"])
    assert [(r["teams"], r["dispatched"]) for r in done["required"]] == [(2, 2)]
    assert (done["proposed"]["team_ids"], done["proposed"]["covered"], done["proposed"]["uncovered"]) == (
        [],
        ["search_rescue"],
        [],
    )

    # A cancelled dispatch no longer counts, and its team is available again.
    set_dispatch_status(client, tokens["operator"], first["id"], "cancelled")
    again = recommend(client, headers, incident["id"])
    assert [(r["teams"], r["dispatched"]) for r in again["required"]] == [(2, 1)]
    assert again["proposed"]["team_ids"] == [near["id"]]


def test_a_neighbours_team_is_marked_mutual_aid_with_a_reason(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    own = team_at(client, tokens, lat + 2 * KM, lon, capabilities=["fire_suppression"])
    lent = team_at(client, tokens, lat + 0.5 * KM, lon, home_jurisdiction="suixi", capabilities=["fire_suppression"])
    incident = incident_at(client, tokens, lat, lon, type="fire")

    body = recommend(client, headers, incident["id"])

    mine, theirs = listed(body, own["id"]), listed(body, lent["id"])
    assert mine["mutual_aid"] is False
    assert theirs["mutual_aid"] is True
    assert "mutual aid from suixi" in theirs["reasons"]
    assert team_ids(body).index(own["id"]) < team_ids(body).index(lent["id"]), "own teams before borrowed ones"


def test_supplies_at_or_below_minimum_reserve_never_appear_and_nearest_depot_comes_first(
    client: TestClient, tokens: dict[str, str], headers: Headers
) -> None:
    lat, lon = spot()
    bags = category()
    op = tokens["operator"]
    near, far, floor = (make_depot(client, op, lat=lat + d * KM, lon=lon) for d in (1, 8, 0.1))
    far_item = make_item(client, op, far["id"], category=bags, quantity_on_hand=100, min_reserve=10)
    near_item = make_item(client, op, near["id"], category=bags, quantity_on_hand=50, min_reserve=20)
    at_floor = make_item(client, op, floor["id"], category=bags, quantity_on_hand=10, min_reserve=10)
    below = make_item(client, op, floor["id"], category=bags, quantity_on_hand=5, min_reserve=10)
    incident = incident_at(client, tokens, lat, lon, type="typhoon_flood")

    body = recommend(client, headers, incident["id"], supplies=f"{bags}:40")

    rows = [(s["supply_item_id"], s["depot_name"], s["available"], s["suggested_quantity"]) for s in body["supplies"]]
    assert rows == [(near_item["id"], near["name"], 30, 30), (far_item["id"], far["name"], 90, 10)]
    assert not {at_floor["id"], below["id"]} & {s["supply_item_id"] for s in body["supplies"]}
    assert body["supply_shortfall"] == {}


def test_limit_cuts_the_team_list(client: TestClient, tokens: dict[str, str], headers: Headers) -> None:
    lat, lon = spot()
    for i in range(4):
        team_at(client, tokens, lat + (i + 1) * 0.3 * KM, lon, capabilities=["search_rescue"])
    incident = incident_at(client, tokens, lat, lon, type="other")

    assert len(recommend(client, headers, incident["id"])["teams"]) == 4
    assert len(recommend(client, headers, incident["id"], limit=2)["teams"]) == 2


@pytest.mark.parametrize(
    "supplies",
    ["sandbags", "sandbags:", "sandbags:0", "sandbags:-1", "Sandbags:3", "sandbags:3,", "sandbags:3;pumps:1", ":3"],
)
def test_bad_supplies_query_is_a_422_problem(client: TestClient, tokens: dict[str, str], supplies: str) -> None:
    lat, lon = spot()
    incident = incident_at(client, tokens, lat, lon)
    r = client.get(
        f"/api/v1/incidents/{incident['id']}/recommendations",
        params={"supplies": supplies},
        headers={"Authorization": f"Bearer {tokens['observer']}"},
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["query.supplies"]


def test_unknown_incident_is_404(client: TestClient, headers: Headers) -> None:
    r = client.get("/api/v1/incidents/987654321/recommendations", headers=headers["leader"])
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_drill_incident_gets_recommendations_from_the_real_library(
    client: TestClient, tokens: dict[str, str], headers: Headers, app: FastAPI
) -> None:
    lat, lon = spot()
    real = team_at(client, tokens, lat + 1 * KM, lon, capabilities=["fire_suppression"])
    with app.state.session_factory() as s:
        drill = Drill(name="recommendation drill (synthetic)", started_by="controller")
        s.add(drill)
        s.commit()
        drill_id = drill.id
    incident = make_incident(client, tokens["controller"], lat=lat, lon=lon, jurisdiction="leicheng", drill_id=drill_id)

    assert real["id"] in team_ids(recommend(client, headers, incident["id"]))


@pytest.mark.parametrize("seed", range(40))
def test_shortlist_gives_rank_teams_the_same_answer_as_all_candidates(seed: int) -> None:
    rnd = random.Random(seed)
    caps = ["hazmat", "medical", "fire_suppression", "decontamination", "boat"]
    required = dict.fromkeys(rnd.sample(caps, rnd.randint(1, 4)), "needed")
    # Some capabilities need several teams, as an emergency plan may ask.
    counts = {c: rnd.choice([1, 2, 3, 5]) for c in required if rnd.random() < 0.5}
    homes = ["leicheng", "baisha", "suixi", "xuwen"]
    neighbours, params = frozenset({"suixi", "xuwen"}), EtaParams()
    lat, lon = 20.9, 110.1
    teams = []
    for i in range(rnd.randint(1, 300)):
        # A coarse grid, so equal distances and ETAs on band edges happen.
        held = frozenset(rnd.sample(sorted(required), rnd.randint(1, len(required))))
        t_lat, t_lon = lat + rnd.randint(-40, 40) * 0.01, lon + rnd.randint(-40, 40) * 0.01
        kind = rnd.choice(list(TeamKind))
        home = rnd.choice(homes)
        teams.append(TeamCandidate(i + 1, f"t{i}", kind, held, TeamStatus.available, home, t_lat, t_lon, 5))
    scored = [
        Scored(
            eta_minutes(haversine_km(lat, lon, t.lat, t.lon), t.kind, params),
            t.home_jurisdiction in neighbours and t.home_jurisdiction != "leicheng",
            t.id,
            t.capabilities,
        )
        for t in teams
    ]
    limit = rnd.choice([1, 3, 20, 200])
    kept = [teams[i] for i in shortlist(scored, required, limit, counts)]

    def ranked(candidates: list[TeamCandidate]) -> tuple[list[RankedTeam], ProposedSet]:
        out = rank_teams(
            incident_lat=lat,
            incident_lon=lon,
            incident_jurisdiction="leicheng",
            neighbours=neighbours,
            required=required,
            candidates=candidates,
            params=params,
            limit=limit,
            teams_needed=counts,
        )
        return out, propose_set(out, required, counts)

    assert ranked(kept) == ranked(teams)
    assert len(kept) <= len(teams)


def test_database_cut_to_the_fastest_per_capability_changes_no_answer(
    app: FastAPI, client: TestClient, tokens, headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL pre-selection (fastest `keep` per capability) must give what ranking every team gives."""
    from api.recommendations import service as recommendations_service
    from resources_db.enums import Capability
    from resources_db.models import RescueTeam

    rnd = random.Random(11)
    base_lat, base_lon = 20.47, 110.33  # a corner of the county no other test uses
    tag = uuid.uuid4().hex[:8]
    with app.state.session_factory() as s:
        for i in range(300):
            team = RescueTeam(
                name=f"cut-{tag}-{i}",
                kind=rnd.choice(list(TeamKind)),
                personnel=8,
                home_jurisdiction=rnd.choice(["leicheng", "baisha", "suixi"]),
                base_lat=base_lat + rnd.uniform(-0.05, 0.05),
                base_lon=base_lon + rnd.uniform(-0.05, 0.05),
            )
            team.set_capabilities([c.value for c in rnd.sample(list(Capability), 3)])
            s.add(team)
        s.commit()
    compared = 0
    for incident_type in ("hazchem_leak", "water_rescue", "fire", "construction_collapse", "typhoon_flood"):
        incident = make_incident(client, tokens["operator"], type=incident_type, lat=base_lat, lon=base_lon)
        # A tight cut (12 per capability) makes the pre-selection bite on 300 dense teams.
        monkeypatch.setattr(recommendations_service, "per_capability", lambda limit: 12)
        cut = recommend(client, headers, incident["id"], limit=5, radius_km=10)
        monkeypatch.setattr(recommendations_service, "per_capability", lambda limit: 10**9)
        full = recommend(client, headers, incident["id"], limit=5, radius_km=10)
        assert team_ids(cut) == team_ids(full), incident_type
        assert [t["covers"] for t in cut["teams"]] == [t["covers"] for t in full["teams"]]
        assert cut["proposed"] == full["proposed"]
        compared += len(full["teams"])
    assert compared >= 20
