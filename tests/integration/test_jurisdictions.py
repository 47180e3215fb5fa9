from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.registry_factories import (
    all_items,
    assert_problem_422,
    audit_rows,
    if_match,
    jurisdiction_body,
    make_jurisdiction,
    unique_code,
)

URL = "/api/v1/jurisdictions"
NON_ADMINS = ["operator", "observer", "controller", "leader"]


def test_admin_creates_jurisdiction_and_reads_it_back_with_etag(client: TestClient, headers, tokens) -> None:
    created = make_jurisdiction(client, tokens["admin"], kind="street", center_lat=20.9, center_lon=110.08)
    r = client.get(f"{URL}/{created['code']}", headers=headers["observer"])
    body = ok(r)
    assert body == created
    assert body["kind"] == "street"
    assert r.headers["ETag"] == f'"{body["version"]}"'
    [row] = audit_rows(client, headers["admin"], "jurisdiction", created["code"])
    assert row["action"] == "jurisdiction.create"
    assert row["actor"] == "admin"


def test_duplicate_code_is_a_conflict_and_leaves_the_existing_one_alone(client: TestClient, headers) -> None:
    before = ok(client.get(f"{URL}/leicheng", headers=headers["admin"]))
    r = client.post(URL, json=jurisdiction_body(code="leicheng", name_zh="冒名"), headers=headers["admin"])
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert ok(client.get(f"{URL}/leicheng", headers=headers["admin"])) == before


def test_unknown_code_is_not_found(client: TestClient, headers) -> None:
    r = client.get(f"{URL}/{unique_code()}", headers=headers["observer"])
    assert r.status_code == 404


def test_update_requires_if_match_and_refuses_stale_version(client: TestClient, headers, tokens) -> None:
    j = make_jurisdiction(client, tokens["admin"])
    url = f"{URL}/{j['code']}"
    missing = client.patch(url, json={"name_en": "Renamed"}, headers=headers["admin"])
    assert missing.status_code == 428
    assert missing.headers["content-type"] == "application/problem+json"
    fresh = client.patch(url, json={"name_en": "Renamed"}, headers=if_match(headers["admin"], j["version"]))
    assert ok(fresh)["name_en"] == "Renamed"
    assert fresh.headers["ETag"] == f'"{j["version"] + 1}"'
    stale = client.patch(url, json={"name_en": "Again"}, headers=if_match(headers["admin"], j["version"]))
    assert stale.status_code == 412
    assert ok(client.get(url, headers=headers["admin"]))["name_en"] == "Renamed"
    actions = [a["action"] for a in audit_rows(client, headers["admin"], "jurisdiction", j["code"])]
    assert actions == ["jurisdiction.create", "jurisdiction.update"]


def test_patch_with_unchanged_values_keeps_the_version_and_writes_no_audit_row(
    client: TestClient, headers, tokens
) -> None:
    j = make_jurisdiction(client, tokens["admin"])
    r = client.patch(
        f"{URL}/{j['code']}", json={"name_en": j["name_en"]}, headers=if_match(headers["admin"], j["version"])
    )
    assert ok(r)["version"] == j["version"]
    assert len(audit_rows(client, headers["admin"], "jurisdiction", j["code"])) == 1


def test_list_filters_by_kind_and_pages_by_code_without_repeats(client: TestClient, headers, tokens) -> None:
    mine = {make_jurisdiction(client, tokens["admin"], kind="neighbor")["code"] for _ in range(3)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"kind": "neighbor", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(URL, params=params, headers=headers["observer"]))
        assert len(page["items"]) <= 2
        assert {j["kind"] for j in page["items"]} <= {"neighbor"}
        seen += [j["code"] for j in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(set(seen))
    assert mine | {"suixi"} <= set(seen)
    assert "leicheng" not in seen


def test_bad_cursor_is_refused(client: TestClient, headers) -> None:
    assert_problem_422(client.get(URL, params={"cursor": "not-a-cursor"}, headers=headers["observer"]), "query.cursor")


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admin_writes_jurisdictions(client: TestClient, headers, tokens, role: str) -> None:
    body = jurisdiction_body()
    assert client.post(URL, json=body, headers=headers[role]).status_code == 403
    assert client.get(f"{URL}/{body['code']}", headers=headers["admin"]).status_code == 404
    j = make_jurisdiction(client, tokens["admin"])
    r = client.patch(
        f"{URL}/{j['code']}", json={"name_en": "Taken over"}, headers=if_match(headers[role], j["version"])
    )
    assert r.status_code == 403
    assert ok(client.get(f"{URL}/{j['code']}", headers=headers["admin"])) == j


BAD_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("wrong-type", {"center_lat": "north"}, "body.center_lat"),
    ("latitude-out-of-range", {"center_lat": 91}, "body.center_lat"),
    ("longitude-out-of-range", {"center_lon": -180.5}, "body.center_lon"),
    ("unknown-kind", {"kind": "province"}, "body.kind"),
    ("extra-field", {"population": 120_000}, "body.population"),
    ("empty-name", {"name_zh": "  "}, "body.name_zh"),
    ("overlong-name", {"name_en": "x" * 129}, "body.name_en"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_FIELDS, ids=[c[0] for c in BAD_FIELDS])
def test_bad_create_is_422_naming_the_field_and_creates_nothing(
    client: TestClient, headers, case: str, change: dict[str, Any], field: str
) -> None:
    body = jurisdiction_body(**change)
    error = assert_problem_422(client.post(URL, json=body, headers=headers["admin"]), field)
    if case == "unknown-kind":
        assert all(f"'{k}'" in error["message"] for k in ("city", "town", "street", "neighbor"))
    assert client.get(f"{URL}/{body['code']}", headers=headers["admin"]).status_code == 404


@pytest.mark.parametrize("code", ["Bad Code", "x", "a" * 33, "雷城"])
def test_malformed_code_is_refused(client: TestClient, headers, code: str) -> None:
    before = len(all_items(client, URL, headers["admin"]))
    assert_problem_422(client.post(URL, json=jurisdiction_body(code=code), headers=headers["admin"]), "body.code")
    assert len(all_items(client, URL, headers["admin"])) == before


PATCH_BAD = [
    *BAD_FIELDS,
    ("code-is-not-changeable", {"code": "elsewhere"}, "body.code"),
    ("explicit-null", {"name_zh": None}, "body.name_zh"),
    ("version-is-not-writable", {"version": 99}, "body.version"),
]


@pytest.mark.parametrize(("case", "change", "field"), PATCH_BAD, ids=[c[0] for c in PATCH_BAD])
def test_bad_update_is_422_naming_the_field_and_changes_nothing(
    client: TestClient, headers, tokens, case: str, change: dict[str, Any], field: str
) -> None:
    j = make_jurisdiction(client, tokens["admin"])
    url = f"{URL}/{j['code']}"
    assert_problem_422(client.patch(url, json=change, headers=if_match(headers["admin"], j["version"])), field)
    after = client.get(url, headers=headers["admin"])
    assert ok(after) == j
    assert after.headers["ETag"] == f'"{j["version"]}"'
