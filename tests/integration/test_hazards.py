from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.registry_factories import (
    all_items,
    assert_problem_422,
    audit_rows,
    hazard_body,
    if_match,
    make_hazard,
    make_jurisdiction,
    make_plan,
)

URL = "/api/v1/hazard-sources"
NON_ADMINS = ["operator", "observer", "controller", "leader"]


def test_admin_registers_hazard_source_with_plan_and_reads_it_back_with_etag(
    client: TestClient, headers, tokens
) -> None:
    plan = make_plan(client, tokens["admin"])
    created = make_hazard(client, tokens["admin"], plan_id=plan["id"], risk_level="red")
    r = client.get(f"{URL}/{created['id']}", headers=headers["observer"])
    body = ok(r)
    assert body == created
    assert (body["plan_id"], body["risk_level"], body["distance_km"]) == (plan["id"], "red", None)
    assert r.headers["ETag"] == f'"{body["version"]}"'
    [row] = audit_rows(client, headers["admin"], "hazard_source", created["id"])
    assert (row["action"], row["after"]["plan_id"]) == ("hazard_source.create", plan["id"])


def test_update_requires_if_match_and_refuses_stale_version(client: TestClient, headers, tokens) -> None:
    h = make_hazard(client, tokens["admin"])
    url = f"{URL}/{h['id']}"
    missing = client.patch(url, json={"risk_level": "red"}, headers=headers["admin"])
    assert missing.status_code == 428
    fresh = client.patch(url, json={"risk_level": "red"}, headers=if_match(headers["admin"], h["version"]))
    assert ok(fresh)["risk_level"] == "red"
    stale = client.patch(url, json={"risk_level": "blue"}, headers=if_match(headers["admin"], h["version"]))
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert ok(client.get(url, headers=headers["admin"]))["risk_level"] == "red"
    [update] = [
        a for a in audit_rows(client, headers["admin"], "hazard_source", h["id"]) if a["action"].endswith("update")
    ]
    assert (update["before"], update["after"]) == ({"risk_level": "orange"}, {"risk_level": "red"})


def test_plan_can_be_linked_and_unlinked(client: TestClient, headers, tokens) -> None:
    plan = make_plan(client, tokens["admin"])
    h = make_hazard(client, tokens["admin"])
    url = f"{URL}/{h['id']}"
    linked = ok(client.patch(url, json={"plan_id": plan["id"]}, headers=if_match(headers["admin"], h["version"])))
    assert linked["plan_id"] == plan["id"]
    unlinked = ok(client.patch(url, json={"plan_id": None}, headers=if_match(headers["admin"], linked["version"])))
    assert unlinked["plan_id"] is None


def test_list_filters_by_risk_level_kind_and_jurisdiction(client: TestClient, headers, tokens) -> None:
    town = make_jurisdiction(client, tokens["admin"])["code"]
    red = make_hazard(client, tokens["admin"], jurisdiction=town, risk_level="red", kind="gas_station")
    orange = make_hazard(client, tokens["admin"], jurisdiction=town, risk_level="orange", kind="hazchem_storage")
    blue = make_hazard(client, tokens["admin"], jurisdiction=town, risk_level="blue", kind="gas_station")
    make_hazard(client, tokens["admin"], risk_level="red", kind="gas_station")  # elsewhere: leicheng

    def ids(**params: Any) -> list[int]:
        return [h["id"] for h in all_items(client, URL, headers["observer"], jurisdiction=town, **params)]

    assert ids() == [red["id"], orange["id"], blue["id"]]
    assert ids(risk_level="red") == [red["id"]]
    assert ids(risk_level=["red", "orange"]) == [red["id"], orange["id"]]
    assert ids(kind="gas_station") == [red["id"], blue["id"]]
    assert ids(kind="gas_station", risk_level="blue") == [blue["id"]]


def test_near_search_returns_only_sources_within_radius_nearest_first(client: TestClient, headers, tokens) -> None:
    # A town of its own there: places outside the jurisdictions' extent (plus a margin) are refused.
    town = make_jurisdiction(client, tokens["admin"], center_lat=-33.0, center_lon=151.0)["code"]
    # ~5.5 km, ~1.1 km and ~33 km north of the probe point, which no other test uses.
    made = {
        d: make_hazard(client, tokens["admin"], jurisdiction=town, lat=-33.0 + d, lon=151.0) for d in (0.05, 0.01, 0.3)
    }
    body = ok(client.get(URL, params={"near": "-33.0,151.0", "radius_km": 10}, headers=headers["observer"]))
    assert [h["id"] for h in body["items"]] == [made[0.01]["id"], made[0.05]["id"]]
    assert 1.0 < body["items"][0]["distance_km"] < 1.2 < body["items"][1]["distance_km"] < 5.6
    wider = ok(
        client.get(URL, params={"near": "-33.0,151.0", "radius_km": 50, "limit": 2}, headers=headers["observer"])
    )
    assert [h["id"] for h in wider["items"]] == [made[0.01]["id"], made[0.05]["id"]]
    rest = ok(
        client.get(
            URL,
            params={"near": "-33.0,151.0", "radius_km": 50, "limit": 2, "cursor": wider["next_cursor"]},
            headers=headers["observer"],
        )
    )
    assert [h["id"] for h in rest["items"]] == [made[0.3]["id"]]
    assert rest["next_cursor"] is None


def test_malformed_near_is_refused(client: TestClient, headers) -> None:
    assert_problem_422(client.get(URL, params={"near": "91,110"}, headers=headers["observer"]), "query.near")


def test_unknown_hazard_source_is_not_found(client: TestClient, headers) -> None:
    assert client.get(f"{URL}/2147483000", headers=headers["observer"]).status_code == 404


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_writes_hazard_sources(client: TestClient, headers, tokens, role: str) -> None:
    count = len(all_items(client, URL, headers["admin"]))
    assert client.post(URL, json=hazard_body(), headers=headers[role]).status_code == 403
    assert len(all_items(client, URL, headers["admin"])) == count
    h = make_hazard(client, tokens["admin"])
    r = client.patch(f"{URL}/{h['id']}", json={"risk_level": "blue"}, headers=if_match(headers[role], h["version"]))
    assert r.status_code == 403
    assert ok(client.get(f"{URL}/{h['id']}", headers=headers["admin"])) == h


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("wrong-type", {"lat": "north"}, "body.lat"),
    ("latitude-out-of-range", {"lat": 123}, "body.lat"),
    ("longitude-out-of-range", {"lon": 181}, "body.lon"),
    ("unknown-risk-level", {"risk_level": "purple"}, "body.risk_level"),
    ("unknown-kind", {"kind": "volcano"}, "body.kind"),
    ("extra-field", {"version": 7}, "body.version"),
    ("malformed-jurisdiction", {"jurisdiction": "Lei Cheng"}, "body.jurisdiction"),
    ("unknown-jurisdiction", {"jurisdiction": "atlantis"}, "body.jurisdiction"),
    ("unknown-plan", {"plan_id": 2_147_483_000}, "body.plan_id"),
    ("plan-id-wrong-type", {"plan_id": "first"}, "body.plan_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_bad_create_is_422_naming_the_field_and_creates_nothing(
    client: TestClient, headers, case: str, change: dict[str, Any], field: str
) -> None:
    count = len(all_items(client, URL, headers["admin"]))
    error = assert_problem_422(client.post(URL, json=hazard_body(**change), headers=headers["admin"]), field)
    if case == "unknown-risk-level":
        assert all(f"'{level}'" in error["message"] for level in ("red", "orange", "yellow", "blue"))
    assert len(all_items(client, URL, headers["admin"])) == count


PATCH_BAD = [*BAD_FIELDS, ("explicit-null", {"name": None}, "body.name"), ("id-is-not-writable", {"id": 1}, "body.id")]


@pytest.mark.parametrize(("case", "change", "field"), PATCH_BAD, ids=[c[0] for c in PATCH_BAD])
def test_bad_update_is_422_naming_the_field_and_changes_nothing(
    client: TestClient, headers, tokens, case: str, change: dict[str, Any], field: str
) -> None:
    h = make_hazard(client, tokens["admin"])
    url = f"{URL}/{h['id']}"
    assert_problem_422(client.patch(url, json=change, headers=if_match(headers["admin"], h["version"])), field)
    after = client.get(url, headers=headers["admin"])
    assert ok(after) == h
    assert after.headers["ETag"] == f'"{h["version"]}"'
    assert len(audit_rows(client, headers["admin"], "hazard_source", h["id"])) == 1
