import pytest
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.registry_factories import make_jurisdiction
from tests.supply_factories import audit_rows, depot_body, make_depot

PROBLEM = "application/problem+json"


def test_operator_creates_depot_and_reads_it_back_with_etag(client: TestClient, headers, tokens) -> None:
    depot = make_depot(client, tokens["operator"], operator="enterprise")
    r = client.get(f"/api/v1/depots/{depot['id']}", headers=headers["observer"])
    body = ok(r)
    assert body["operator"] == "enterprise"
    assert body["jurisdiction"] == "leicheng"
    assert r.headers["ETag"] == f'"{body["version"]}"'
    [row] = audit_rows(client, tokens["admin"], "depot", depot["id"])
    assert row["action"] == "depot.create"
    assert row["actor"] == "operator"
    assert row["after"]["name"] == depot["name"]


def test_update_requires_if_match_and_refuses_stale_version(client: TestClient, headers, tokens) -> None:
    depot = make_depot(client, tokens["operator"])
    url = f"/api/v1/depots/{depot['id']}"
    missing = client.patch(url, json={"operator": "enterprise"}, headers=headers["operator"])
    assert missing.status_code == 428
    assert missing.headers["content-type"] == PROBLEM
    etag = f'"{depot["version"]}"'
    fresh = ok(client.patch(url, json={"operator": "enterprise"}, headers={**headers["operator"], "If-Match": etag}))
    assert fresh["operator"] == "enterprise"
    assert fresh["version"] == depot["version"] + 1
    stale = client.patch(url, json={"name": "never-applied"}, headers={**headers["operator"], "If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    after = ok(client.get(url, headers=headers["operator"]))
    assert after["name"] == depot["name"]
    rows = audit_rows(client, tokens["admin"], "depot", depot["id"])
    assert [r["action"] for r in rows] == ["depot.create", "depot.update"]
    assert rows[1]["before"] == {"operator": "gov"}
    assert rows[1]["after"] == {"operator": "enterprise"}


def test_unknown_jurisdiction_is_refused_on_the_field(client: TestClient, headers, tokens) -> None:
    body = depot_body(jurisdiction="atlantis")
    r = client.post("/api/v1/depots", json=body, headers=headers["operator"])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.jurisdiction"]
    depot = make_depot(client, tokens["operator"])
    url = f"/api/v1/depots/{depot['id']}"
    r = client.patch(url, json={"jurisdiction": "atlantis"}, headers={**headers["operator"], "If-Match": "*"})
    assert r.status_code == 422
    assert ok(client.get(url, headers=headers["operator"])) == depot


def test_duplicate_depot_name_is_a_conflict(client: TestClient, headers, tokens) -> None:
    depot = make_depot(client, tokens["operator"])
    r = client.post("/api/v1/depots", json=depot_body(name=depot["name"]), headers=headers["operator"])
    assert r.status_code == 409
    assert r.json()["type"].endswith("/duplicate")


def test_list_filters_by_jurisdiction_and_operator(client: TestClient, headers, tokens) -> None:
    mine = make_depot(client, tokens["operator"], jurisdiction="suixi", operator="enterprise")
    make_depot(client, tokens["operator"], jurisdiction="suixi", operator="gov")
    make_depot(client, tokens["operator"], jurisdiction="baisha", operator="enterprise")
    params = {"jurisdiction": "suixi", "operator": "enterprise", "limit": 500}
    body = ok(client.get("/api/v1/depots", params=params, headers=headers["observer"]))
    assert mine["id"] in {d["id"] for d in body["items"]}
    assert {(d["jurisdiction"], d["operator"]) for d in body["items"]} == {("suixi", "enterprise")}


def test_near_search_returns_only_depots_within_radius_nearest_first(client: TestClient, headers, tokens) -> None:
    tag = "depot-near-probe"
    # A jurisdiction there: places outside the jurisdictions' extent (plus a margin) are refused.
    make_jurisdiction(client, tokens["admin"], center_lat=-30.0, center_lon=140.0)
    # ~5.5 km, ~1.1 km and ~33 km north of the probe point.
    for dlat in (0.05, 0.01, 0.3):
        make_depot(client, tokens["operator"], name=f"{tag}-{dlat}", lat=-30.0 + dlat, lon=140.0)
    body = ok(
        client.get("/api/v1/depots", params={"near": "-30.0,140.0", "radius_km": 10}, headers=headers["observer"])
    )
    assert [d["name"] for d in body["items"]] == [f"{tag}-0.01", f"{tag}-0.05"]
    assert 1.0 < body["items"][0]["distance_km"] < 1.2 < body["items"][1]["distance_km"] < 5.6


def test_list_paginates_with_cursor_without_repeats(client: TestClient, headers, tokens) -> None:
    for _ in range(5):
        make_depot(client, tokens["operator"], jurisdiction="baisha")
    seen: list[int] = []
    cursor = None
    while True:
        params = {"jurisdiction": "baisha", "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = ok(client.get("/api/v1/depots", params=params, headers=headers["observer"]))
        seen += [d["id"] for d in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) >= 5
    assert seen == sorted(seen)


@pytest.mark.parametrize("user", ["observer", "leader", "controller"])
def test_roles_outside_the_library_cannot_write_depots(client: TestClient, headers, tokens, user: str) -> None:
    depot = make_depot(client, tokens["operator"])
    body = depot_body()
    assert client.post("/api/v1/depots", json=body, headers=headers[user]).status_code == 403
    url = f"/api/v1/depots/{depot['id']}"
    r = client.patch(url, json={"name": "taken-over"}, headers={**headers[user], "If-Match": "*"})
    assert r.status_code == 403
    assert r.headers["content-type"] == PROBLEM
    assert ok(client.get(url, headers=headers["admin"])) == depot
    listed = ok(client.get("/api/v1/depots", params={"limit": 500}, headers=headers["admin"]))
    assert body["name"] not in {d["name"] for d in listed["items"]}


BAD_CREATES = [
    ({"lat": 91}, "body.lat"),
    ({"lon": -180.5}, "body.lon"),
    ({"lat": "north"}, "body.lat"),
    ({"operator": "private"}, "body.operator"),
    ({"name": ""}, "body.name"),
    ({"name": "x" * 129}, "body.name"),
    ({"jurisdiction": "Not A Code!"}, "body.jurisdiction"),
    ({"status": "open"}, "body.status"),
    ({"version": 7}, "body.version"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATES)
def test_bad_depot_create_is_refused_and_writes_nothing(client: TestClient, headers, change, field: str) -> None:
    body = depot_body(**change)
    r = client.post("/api/v1/depots", json=body, headers=headers["operator"])
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in r.json()["errors"]}
    listed = ok(client.get("/api/v1/depots", params={"limit": 500}, headers=headers["operator"]))
    assert body["name"] not in {d["name"] for d in listed["items"]}


BAD_PATCHES = [
    ({"lat": -90.01}, "body.lat"),
    ({"lon": 181}, "body.lon"),
    ({"lon": [1]}, "body.lon"),
    ({"operator": "army"}, "body.operator"),
    ({"name": None}, "body.name"),
    ({"id": 1}, "body.id"),
    ({"version": 99}, "body.version"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PATCHES)
def test_bad_depot_patch_is_refused_and_changes_nothing(client: TestClient, headers, tokens, change, field) -> None:
    depot = make_depot(client, tokens["operator"])
    url = f"/api/v1/depots/{depot['id']}"
    r = client.patch(url, json=change, headers={**headers["operator"], "If-Match": f'"{depot["version"]}"'})
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in r.json()["errors"]}
    assert ok(client.get(url, headers=headers["operator"])) == depot


def test_unknown_operator_names_the_allowed_values(client: TestClient, headers) -> None:
    r = client.post("/api/v1/depots", json=depot_body(operator="private"), headers=headers["operator"])
    [err] = r.json()["errors"]
    assert "'gov'" in err["message"]
    assert "'enterprise'" in err["message"]
