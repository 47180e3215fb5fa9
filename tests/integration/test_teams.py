from fastapi.testclient import TestClient

from tests.conftest import World
from tests.factories import make_team, ok, team_body
from tests.registry_factories import assert_problem_422, make_jurisdiction


def test_operator_creates_team_and_reads_it_back_with_etag(client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"], capabilities=["hazmat", "decontamination", "hazmat"])
    r = client.get(f"/api/v1/teams/{team['id']}", headers=headers["observer"])
    body = ok(r)
    assert body["capabilities"] == ["decontamination", "hazmat"]
    assert body["status"] == "available"
    assert r.headers["ETag"] == f'"{body["version"]}"'


def test_update_requires_if_match_and_refuses_stale_version(client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"])
    url = f"/api/v1/teams/{team['id']}"
    missing = client.patch(url, json={"personnel": 20}, headers=headers["operator"])
    assert missing.status_code == 428
    assert missing.headers["content-type"] == "application/problem+json"
    fresh = client.patch(
        url, json={"personnel": 20}, headers={**headers["operator"], "If-Match": f'"{team["version"]}"'}
    )
    assert ok(fresh)["personnel"] == 20
    stale = client.patch(
        url, json={"personnel": 30}, headers={**headers["operator"], "If-Match": f'"{team["version"]}"'}
    )
    assert stale.status_code == 412
    assert ok(client.get(url, headers=headers["operator"]))["personnel"] == 20


def test_capability_change_alone_moves_the_etag(client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"])
    r = client.patch(
        f"/api/v1/teams/{team['id']}",
        json={"capabilities": ["boat"]},
        headers={**headers["operator"], "If-Match": f'"{team["version"]}"'},
    )
    assert ok(r)["version"] == team["version"] + 1


def test_team_leader_cannot_update_another_team(client: TestClient, headers, world: World) -> None:
    r = client.post(
        f"/api/v1/teams/{world.other_team_id}/status", json={"status": "out_of_service"}, headers=headers["leader"]
    )
    assert r.status_code == 403
    own = client.post(
        f"/api/v1/teams/{world.team_id}/status", json={"status": "out_of_service"}, headers=headers["leader"]
    )
    assert ok(own)["status"] == "out_of_service"
    back = client.post(f"/api/v1/teams/{world.team_id}/status", json={"status": "available"}, headers=headers["leader"])
    assert ok(back)["status"] == "available"


def test_dispatch_statuses_cannot_be_set_by_hand(client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"])
    r = client.post(f"/api/v1/teams/{team['id']}/status", json={"status": "on_scene"}, headers=headers["operator"])
    assert r.status_code == 409
    assert r.json()["allowed"] == ["out_of_service"]


def test_near_search_returns_only_teams_within_radius_nearest_first(client: TestClient, headers, tokens) -> None:
    tag = "near-probe"
    # A jurisdiction there: places outside the jurisdictions' extent (plus a margin) are refused.
    make_jurisdiction(client, tokens["admin"], center_lat=20.0, center_lon=109.0)
    # ~1.1 km, ~5.5 km and ~33 km north of the probe point.
    for dlat in (0.05, 0.01, 0.3):
        make_team(
            client,
            tokens["operator"],
            name=f"{tag}-{dlat}",
            base_lat=20.0 + dlat,
            base_lon=109.0,
            capabilities=["diving"],
        )
    body = ok(
        client.get(
            "/api/v1/teams",
            params={"near": "20.0,109.0", "radius_km": 10, "capability": "diving"},
            headers=headers["observer"],
        )
    )
    names = [t["name"] for t in body["items"]]
    assert names == [f"{tag}-0.01", f"{tag}-0.05"]
    assert 1.0 < body["items"][0]["distance_km"] < 1.2 < body["items"][1]["distance_km"] < 5.6


def test_capability_filter_lists_only_teams_holding_every_capability_asked(client: TestClient, headers, tokens) -> None:
    tag = "caps-probe"
    for suffix, caps in (("both", ["rope_rescue", "logistics", "medical"]), ("rope", ["rope_rescue"]), ("none", [])):
        make_team(client, tokens["operator"], name=f"{tag}-{suffix}", base_lat=21.5, base_lon=110.5, capabilities=caps)
    near = {"near": "21.5,110.5", "radius_km": 1}
    names = {
        caps: [
            t["name"]
            for t in ok(
                client.get(
                    "/api/v1/teams",
                    params=[*near.items(), *(("capability", c) for c in caps)],
                    headers=headers["observer"],
                )
            )["items"]
        ]
        for caps in (("rope_rescue",), ("rope_rescue", "logistics"), ("logistics", "boat"))
    }
    assert sorted(names[("rope_rescue",)]) == [f"{tag}-both", f"{tag}-rope"]
    assert names[("rope_rescue", "logistics")] == [f"{tag}-both"]
    assert names[("logistics", "boat")] == []


def test_list_paginates_with_cursor_without_repeats(client: TestClient, headers, tokens) -> None:
    for _ in range(5):
        make_team(client, tokens["operator"], kind="militia")
    seen: list[int] = []
    cursor = None
    while True:
        params = {"kind": "militia", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = ok(client.get("/api/v1/teams", params=params, headers=headers["observer"]))
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 5
    assert seen == sorted(seen)


def test_extra_fields_are_refused_and_nothing_is_written(client: TestClient, headers) -> None:
    body = team_body(status="on_scene")
    r = client.post("/api/v1/teams", json=body, headers=headers["operator"])
    assert r.status_code == 422
    assert any(e["field"] == "body.status" for e in r.json()["errors"])
    listed = ok(client.get("/api/v1/teams", params={"limit": 500}, headers=headers["operator"]))
    assert body["name"] not in {t["name"] for t in listed["items"]}


def test_hand_set_status_is_published_to_boards(app, client: TestClient, headers, tokens) -> None:
    from sqlalchemy import select

    from resources_db.models import OutboxEvent

    team = make_team(client, tokens["operator"])
    ok(
        client.post(
            f"/api/v1/teams/{team['id']}/status", json={"status": "out_of_service"}, headers=headers["operator"]
        )
    )
    with app.state.session_factory() as s:
        events = [e.data for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "team.status_changed"))]
    mine = [e for e in events if e["id"] == team["id"]]
    assert [e["status"] for e in mine] == ["out_of_service"]


def test_unknown_capability_filter_is_a_422_naming_the_parameter(client: TestClient, headers) -> None:
    r = client.get("/api/v1/teams", params={"capability": ["hazmat", "teleportation"]}, headers=headers["observer"])
    assert_problem_422(r, "query.capability")
