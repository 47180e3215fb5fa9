"""The growing search box of api.recommendations.nearest gives what one query over the whole box gives.

Each test works in its own corner north of the county (lat ≥ 21.2), away from
the teams other tests create around Leizhou.
"""

import math
import random
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.common.geo import bounding_box
from api.recommendations import nearest
from api.recommendations import service as recommendations_service
from api.rules.recommend import EtaParams
from resources_db.enums import Capability, TeamKind, TeamStatus
from resources_db.models import RescueTeam
from tests.conftest import World
from tests.factories import make_team, ok
from tests.workflow_factories import make_incident

KM = 1 / 111.2  # degrees of latitude per km, near enough here
Headers = dict[str, dict[str, str]]


def whole_box_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the search at the full radius: the plain query over the whole box, the reference answer."""
    monkeypatch.setattr(nearest, "first_radius_km", lambda keep, radius_km: radius_km)


def test_a_faster_kind_just_outside_the_first_box_still_makes_the_cut(
    client: TestClient, tokens: dict[str, str], headers: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three slow teams sit inside a 1 km first box, a fast one just outside it is faster than the third."""
    lat, lon = 21.25, 109.75
    caps = ["fire_suppression", "medical", "search_rescue"]  # all that a fire needs

    def team(km_north: float, kind: str) -> int:
        body = make_team(
            client, tokens["operator"], kind=kind, capabilities=caps, base_lat=lat + km_north * KM, base_lon=lon
        )
        return int(body["id"])

    # Social teams drive 35 km/h, medical ones 50: 0.80 km slow is 1.78 min, 1.10 km fast is 1.72 min.
    slow = [team(km, "social") for km in (0.60, 0.65, 0.80)]
    fast = team(1.10, "medical")
    incident = make_incident(client, tokens["operator"], type="fire", lat=lat, lon=lon, jurisdiction="leicheng")
    url = f"/api/v1/incidents/{incident['id']}/recommendations"
    monkeypatch.setattr(recommendations_service, "per_capability", lambda limit: 3)

    def listed() -> list[int]:
        body = ok(client.get(url, params={"radius_km": 3}, headers=headers["observer"]))
        return [t["team_id"] for t in body["teams"]]

    monkeypatch.setattr(nearest, "first_radius_km", lambda keep, radius_km: 1.0)
    grown = listed()
    whole_box_at_once(monkeypatch)
    assert grown == listed()
    assert fast in grown
    assert slow[2] not in grown  # the cut of 3 per capability: two slow teams and the fast one


def _library(app: FastAPI, rnd: random.Random, lat: float, lon: float, n: int) -> None:
    tag = uuid.uuid4().hex[:8]
    with app.state.session_factory() as s:
        for i in range(n):
            team = RescueTeam(
                name=f"grow-{tag}-{i}",
                kind=rnd.choice(list(TeamKind)),
                personnel=8,
                home_jurisdiction=rnd.choice(["leicheng", "leicheng", "baisha", "suixi"]),
                base_lat=lat + rnd.uniform(-0.08, 0.08),
                base_lon=lon + rnd.uniform(-0.08, 0.08),
            )
            team.set_capabilities([c.value for c in rnd.sample(list(Capability), rnd.randint(1, 4))])
            s.add(team)
        s.commit()


def _near(app: FastAPI, **kw: Any) -> dict[int, tuple[Any, ...]]:
    with app.state.session_factory() as s:
        found = nearest.nearest_teams(session=s, params=EtaParams(), mutual_homes={"suixi"}, **kw)
    return {i: (t.name, t.kind, t.home_jurisdiction, t.lat, t.lon, sorted(t.capabilities)) for i, t in found.items()}


@pytest.mark.parametrize("seed", range(6))
def test_growing_box_cuts_the_same_teams_as_one_query_over_the_whole_box(
    app: FastAPI, world: World, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rnd = random.Random(seed)
    lat, lon = 21.30, 110.30 + 0.4 * seed  # a dense library of its own per seed
    _library(app, rnd, lat, lon, 400)
    grew, settled_early = 0, 0
    cut = nearest._cut
    for _ in range(8):
        # Off-centre incidents too, so boxes reach past the library's edge.
        radius = rnd.choice([4.0, 8.0, 15.0])
        kw: dict[str, Any] = {
            "lat": lat + rnd.uniform(-0.07, 0.07),
            "lon": lon + rnd.uniform(-0.07, 0.07),
            "radius_km": radius,
            "required": rnd.sample([c.value for c in Capability], rnd.randint(1, 5)),
            "keep": rnd.choice([2, 5, 12, 30]),
        }
        first = rnd.choice([0.3, 1.0, 2.5])
        filtered: list[bool] = []  # per query: searched a smaller box than the whole one
        with monkeypatch.context() as m:
            m.setattr(nearest, "first_radius_km", lambda keep, radius_km, first=first: min(first, radius_km))
            m.setattr(nearest, "_cut", lambda *a, seen=filtered, **k: seen.append(k["with_below"]) or cut(*a, **k))
            grown = _near(app, **kw)
        with monkeypatch.context() as m:
            whole_box_at_once(m)
            assert grown == _near(app, **kw), kw
        grew += len(filtered) > 1
        settled_early += filtered[-1]
    # Both ways out were taken: some searches grew, some were settled before reaching the whole box.
    assert grew
    assert settled_early


def _by_brute_force(app: FastAPI, *, lat: float, lon: float, radius_km: float, required: list[str], keep: int,
                    mutual_homes: set[str]) -> dict[int, list[str]]:  # fmt: skip
    """The cut as the nearest module defines it, in plain Python over every team: the reference."""
    params, box = EtaParams(), bounding_box(lat, lon, radius_km)
    cos_lat = math.cos(math.radians(lat))
    speeds = {kind.value: speed for kind, speed in params.speed_kmh_by_kind.items()}
    groups: dict[tuple[str, bool], list[tuple[float, int]]] = {}
    held: dict[int, list[str]] = {}
    with app.state.session_factory() as s:
        for t in s.scalars(select(RescueTeam).where(RescueTeam.status == TeamStatus.available)):
            if not (box.min_lat <= t.base_lat <= box.max_lat and box.min_lon <= t.base_lon <= box.max_lon):
                continue
            speed = speeds.get(t.kind.value, params.default_speed_kmh)
            dlat, dlon = t.base_lat - lat, (t.base_lon - lon) * cos_lat
            key = (dlat * dlat + dlon * dlon) / (speed * speed)
            held[t.id] = sorted(set(t.capabilities) & set(required))
            for cap in held[t.id]:
                groups.setdefault((cap, t.home_jurisdiction in mutual_homes), []).append((key, t.id))
    cut = {team_id for members in groups.values() for _, team_id in sorted(members)[:keep]}
    return {team_id: held[team_id] for team_id in cut}


@pytest.mark.parametrize("mutual_homes", [{"suixi"}, set()], ids=["one neighbour", "no neighbours"])
def test_cut_matches_a_brute_force_reference(app: FastAPI, world: World, mutual_homes: set[str]) -> None:
    rnd = random.Random(len(mutual_homes))
    lat, lon = 21.45, 111.5 + 0.5 * len(mutual_homes)
    _library(app, rnd, lat, lon, 300)
    for _ in range(6):
        kw: dict[str, Any] = {
            "lat": lat + rnd.uniform(-0.05, 0.05),
            "lon": lon + rnd.uniform(-0.05, 0.05),
            "radius_km": rnd.choice([3.0, 6.0, 12.0]),
            "required": rnd.sample([c.value for c in Capability], rnd.randint(1, 5)),
            "keep": rnd.choice([1, 4, 10]),
        }
        with app.state.session_factory() as s:
            found = nearest.nearest_teams(session=s, params=EtaParams(), mutual_homes=mutual_homes, **kw)
        expected = _by_brute_force(app, mutual_homes=mutual_homes, **kw)
        assert expected  # the library is dense enough that every search finds teams
        assert {i: sorted(t.capabilities) for i, t in found.items()} == expected, kw
