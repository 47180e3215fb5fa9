from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.registry_factories import all_items, assert_problem_422, audit_rows, if_match, make_plan, plan_body

URL = "/api/v1/plans"
NON_ADMINS = ["operator", "observer", "controller", "leader"]


def test_admin_creates_plan_and_reads_it_back_with_etag(client: TestClient, headers, tokens) -> None:
    created = make_plan(
        client,
        tokens["admin"],
        hazard_kinds=["pipeline", "gas_station", "pipeline"],
        incident_types=["gas_pipeline"],
        required_capabilities={"gas_repair": 2, "fire_suppression": 1},
        required_supplies={"generators": 3},
    )
    r = client.get(f"{URL}/{created['id']}", headers=headers["observer"])
    body = ok(r)
    assert body == created
    assert body["hazard_kinds"] == ["gas_station", "pipeline"]
    assert body["required_capabilities"] == {"fire_suppression": 1, "gas_repair": 2}
    assert body["required_supplies"] == {"generators": 3}
    assert r.headers["ETag"] == f'"{body["version"]}"'
    [row] = audit_rows(client, headers["admin"], "emergency_plan", created["id"])
    assert row["action"] == "plan.create"


def test_update_requires_if_match_refuses_stale_version_and_replaces_maps_whole(
    client: TestClient, headers, tokens
) -> None:
    p = make_plan(client, tokens["admin"])
    url = f"{URL}/{p['id']}"
    change = {"required_capabilities": {"hazmat": 4}}
    assert client.patch(url, json=change, headers=headers["admin"]).status_code == 428
    fresh = ok(client.patch(url, json=change, headers=if_match(headers["admin"], p["version"])))
    assert fresh["required_capabilities"] == {"hazmat": 4}
    assert fresh["required_supplies"] == p["required_supplies"]
    stale = client.patch(url, json={"title": "late"}, headers=if_match(headers["admin"], p["version"]))
    assert stale.status_code == 412
    assert ok(client.get(url, headers=headers["admin"])) == fresh
    [update] = [
        a for a in audit_rows(client, headers["admin"], "emergency_plan", p["id"]) if a["action"] == "plan.update"
    ]
    assert update["after"] == {"required_capabilities": {"hazmat": 4}}


def test_list_filters_by_incident_type_and_hazard_kind(client: TestClient, headers, tokens) -> None:
    both = make_plan(client, tokens["admin"], incident_types=["mine"], hazard_kinds=["mine"])
    type_only = make_plan(client, tokens["admin"], incident_types=["mine"], hazard_kinds=["pipeline"])
    kind_only = make_plan(client, tokens["admin"], incident_types=["landslide"], hazard_kinds=["mine"])

    def ids(**params: Any) -> set[int]:
        items = all_items(client, URL, headers["observer"], **params)
        if "incident_type" in params:
            assert all(params["incident_type"] in p["incident_types"] for p in items)
        if "hazard_kind" in params:
            assert all(params["hazard_kind"] in p["hazard_kinds"] for p in items)
        return {p["id"] for p in items}

    assert {both["id"], type_only["id"]} <= ids(incident_type="mine")
    assert kind_only["id"] not in ids(incident_type="mine")
    found = ids(incident_type="mine", hazard_kind="mine")
    assert both["id"] in found
    assert not {type_only["id"], kind_only["id"]} & found


def test_filtered_list_pages_without_repeats(client: TestClient, headers, tokens) -> None:
    made = {make_plan(client, tokens["admin"], incident_types=["crowd_crush"])["id"] for _ in range(3)}
    make_plan(client, tokens["admin"], incident_types=["fire"])
    seen: list[int] = []
    cursor = None
    while True:
        params = {"incident_type": "crowd_crush", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(URL, params=params, headers=headers["observer"]))
        assert len(page["items"]) <= 1
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen))
    assert made <= set(seen)


def test_unknown_filter_value_names_the_allowed_ones(client: TestClient, headers) -> None:
    error = assert_problem_422(
        client.get(URL, params={"incident_type": "meteor"}, headers=headers["observer"]), "query"
    )
    assert "'typhoon_flood'" in error["message"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_writes_plans(client: TestClient, headers, tokens, role: str) -> None:
    count = len(all_items(client, URL, headers["admin"]))
    assert client.post(URL, json=plan_body(), headers=headers[role]).status_code == 403
    assert len(all_items(client, URL, headers["admin"])) == count
    p = make_plan(client, tokens["admin"])
    r = client.patch(f"{URL}/{p['id']}", json={"title": "hijacked"}, headers=if_match(headers[role], p["version"]))
    assert r.status_code == 403
    assert ok(client.get(f"{URL}/{p['id']}", headers=headers["admin"])) == p


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-capability", {"required_capabilities": {"telepathy": 1}}, "body.required_capabilities.telepathy"),
    ("capability-count-zero", {"required_capabilities": {"hazmat": 0}}, "body.required_capabilities.hazmat"),
    ("capability-count-too-high", {"required_capabilities": {"hazmat": 51}}, "body.required_capabilities.hazmat"),
    ("capability-count-wrong-type", {"required_capabilities": {"hazmat": "two"}}, "body.required_capabilities.hazmat"),
    ("capability-count-boolean", {"required_capabilities": {"hazmat": True}}, "body.required_capabilities.hazmat"),
    ("capabilities-not-a-map", {"required_capabilities": ["hazmat"]}, "body.required_capabilities"),
    ("supply-category-malformed", {"required_supplies": {"Sand Bags": 10}}, "body.required_supplies"),
    ("supply-category-too-long", {"required_supplies": {"s" * 65: 10}}, "body.required_supplies"),
    ("supply-quantity-zero", {"required_supplies": {"sandbags": 0}}, "body.required_supplies.sandbags"),
    ("supply-quantity-too-high", {"required_supplies": {"sandbags": 1_000_001}}, "body.required_supplies.sandbags"),
    ("too-many-supplies", {"required_supplies": {f"s_{'a' * i}": 1 for i in range(65)}}, "body.required_supplies"),
    ("unknown-hazard-kind", {"hazard_kinds": ["volcano"]}, "body.hazard_kinds.0"),
    ("unknown-incident-type", {"incident_types": ["fire", "meteor"]}, "body.incident_types.1"),
    ("incident-types-not-a-list", {"incident_types": "fire"}, "body.incident_types"),
    ("empty-title", {"title": ""}, "body.title"),
    ("extra-field", {"owner": "someone"}, "body.owner"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_bad_create_is_422_naming_the_field_and_creates_nothing(
    client: TestClient, headers, case: str, change: dict[str, Any], field: str
) -> None:
    count = len(all_items(client, URL, headers["admin"]))
    error = assert_problem_422(client.post(URL, json=plan_body(**change), headers=headers["admin"]), field)
    if case == "unknown-capability":
        assert all(f"'{c}'" in error["message"] for c in ("hazmat", "water_rescue", "logistics"))
    if case == "unknown-hazard-kind":
        assert "'ammonia_refrigeration'" in error["message"]
    assert len(all_items(client, URL, headers["admin"])) == count


PATCH_BAD = [*BAD_FIELDS, ("explicit-null", {"required_supplies": None}, "body.required_supplies")]


@pytest.mark.parametrize(("case", "change", "field"), PATCH_BAD, ids=[c[0] for c in PATCH_BAD])
def test_bad_update_is_422_naming_the_field_and_changes_nothing(
    client: TestClient, headers, tokens, case: str, change: dict[str, Any], field: str
) -> None:
    p = make_plan(client, tokens["admin"])
    url = f"{URL}/{p['id']}"
    assert_problem_422(client.patch(url, json=change, headers=if_match(headers["admin"], p["version"])), field)
    after = client.get(url, headers=headers["admin"])
    assert ok(after) == p
    assert after.headers["ETag"] == f'"{p["version"]}"'
