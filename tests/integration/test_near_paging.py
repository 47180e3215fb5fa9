"""`near=` lists are ordered and cut by the database: paging through them gives exactly the brute-force answer."""

import random

from fastapi.testclient import TestClient

from api.common.geo import haversine_km
from tests.factories import ok, unique
from tests.registry_factories import make_jurisdiction

CENTRE = (-45.0, 170.0)  # a spot no other test puts anything near
RADIUS_KM = 30.0


def test_paging_a_radius_search_gives_the_brute_force_order(client: TestClient, headers, tokens) -> None:
    # A jurisdiction there: places outside the jurisdictions' extent (plus a margin) are refused.
    make_jurisdiction(client, tokens["admin"], center_lat=CENTRE[0], center_lon=CENTRE[1])
    rng = random.Random(13)
    made = []
    for _ in range(14):
        lat = CENTRE[0] + rng.uniform(-0.3, 0.3)
        lon = CENTRE[1] + rng.uniform(-0.4, 0.4)
        body = {"name": unique("near-page"), "jurisdiction": "leicheng", "lat": lat, "lon": lon, "operator": "gov"}
        made.append(ok(client.post("/api/v1/depots", json=body, headers=headers["operator"]), 201))
    # Two at the same spot: the id breaks the tie, on every page boundary.
    twin = {"name": unique("near-twin"), "jurisdiction": "leicheng", "lat": made[0]["lat"], "lon": made[0]["lon"]}
    made.append(ok(client.post("/api/v1/depots", json={**twin, "operator": "gov"}, headers=headers["operator"]), 201))
    distance = {d["id"]: haversine_km(*CENTRE, d["lat"], d["lon"]) for d in made}
    expected = sorted((i for i, km in distance.items() if km <= RADIUS_KM), key=lambda i: (distance[i], i))

    got: list[int] = []
    shown: list[float] = []
    cursor = None
    for _ in range(20):
        params = {"near": f"{CENTRE[0]},{CENTRE[1]}", "radius_km": RADIUS_KM, "limit": 3}
        page = ok(client.get("/api/v1/depots", params={**params, **({"cursor": cursor} if cursor else {})},
                             headers=headers["observer"]))  # fmt: skip
        got += [item["id"] for item in page["items"]]
        shown += [item["distance_km"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    print(f"near_paging: depots={len(made)} within_radius={len(expected)} pages_of_3={-(-len(got) // 3)}")
    assert 3 < len(expected) < len(made)  # the radius really cuts, and there are several pages
    assert got == expected
    assert shown == sorted(shown)
    assert shown == [round(distance[i], 3) for i in expected]
