"""Enterprises on record (seed §12): CRUD, credit code check, duty phone, CSV, drills; refusals change nothing."""

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.compliance.clocks import city_today
from tests.enterprise_factories import (
    credit_code,
    drill_body,
    enterprise_body,
    make_enterprise,
    record_drill,
    row_counts,
    with_wrong_check_character,
)
from tests.factories import ok
from tests.registry_factories import all_items, assert_problem_422, audit_rows, if_match, make_hazard
from tests.workflow_factories import outbox_events

URL = "/api/v1/enterprises"


def test_operator_puts_an_enterprise_on_record_with_audit_and_event(app: FastAPI, client: TestClient, headers) -> None:
    body = enterprise_body(credit_code=credit_code().lower())
    r = client.post(URL, json=body, headers=headers["operator"])
    created = ok(r, 201)
    assert created["credit_code"] == body["credit_code"].upper()
    assert r.headers["Location"] == f"{URL}/{created['id']}"
    got = client.get(f"{URL}/{created['id']}", headers=headers["observer"])
    assert ok(got) == created
    assert got.headers["ETag"] == '"1"'
    [row] = audit_rows(client, headers["admin"], "enterprise", created["id"])
    assert (row["action"], row["after"]["credit_code"]) == ("enterprise.create", created["credit_code"])
    [event] = outbox_events(app, "enterprise.created", value=created["id"])
    assert event.data["category"] == "hazardous_goods"


def test_wrong_check_character_is_refused_and_nothing_is_written(app: FastAPI, client: TestClient, headers) -> None:
    before = row_counts(app)
    bad = with_wrong_check_character(credit_code())
    r = client.post(URL, json=enterprise_body(credit_code=bad), headers=headers["admin"])
    err = assert_problem_422(r, "body.credit_code")
    assert "check character" in err["message"]
    assert row_counts(app) == before
    assert [e for e in all_items(client, URL, headers["admin"]) if e["credit_code"] == bad] == []


def test_a_large_hazardous_goods_unit_must_give_a_24_hour_duty_phone(client: TestClient, headers, tokens) -> None:
    r = client.post(URL, json=enterprise_body(large_scale=True), headers=headers["admin"])
    assert r.status_code == 422
    assert "Decree 708 art. 14" in r.text
    e = make_enterprise(client, tokens["admin"], large_scale=True, duty_phone="0759-110")
    cleared = client.patch(f"{URL}/{e['id']}", json={"duty_phone": None}, headers=if_match(headers["admin"], 1))
    assert_problem_422(cleared, "body.duty_phone")
    assert ok(client.get(f"{URL}/{e['id']}", headers=headers["admin"]))["duty_phone"] == "0759-110"
    small = ok(client.patch(f"{URL}/{e['id']}", json={"large_scale": False}, headers=if_match(headers["admin"], 1)))
    assert small["version"] == 2


def test_same_credit_code_twice_is_a_conflict(client: TestClient, headers, tokens) -> None:
    e = make_enterprise(client, tokens["admin"])
    r = client.post(URL, json=enterprise_body(credit_code=e["credit_code"]), headers=headers["admin"])
    assert r.status_code == 409
    assert "credit code" in r.json()["detail"]


def test_update_requires_if_match_and_records_the_change(app: FastAPI, client: TestClient, headers, tokens) -> None:
    e = make_enterprise(client, tokens["admin"])
    url = f"{URL}/{e['id']}"
    assert client.patch(url, json={"category": "other"}, headers=headers["admin"]).status_code == 428
    changed = ok(client.patch(url, json={"category": "other"}, headers=if_match(headers["operator"], e["version"])))
    assert (changed["category"], changed["version"]) == ("other", 2)
    stale = client.patch(url, json={"category": "mine"}, headers=if_match(headers["admin"], e["version"]))
    assert stale.status_code == 412
    update = audit_rows(client, headers["admin"], "enterprise", e["id"])[-1]
    assert (update["before"], update["after"]) == ({"category": "hazardous_goods"}, {"category": "other"})
    assert [ev.data["version"] for ev in outbox_events(app, "enterprise.updated", value=e["id"])] == [2]


def test_list_filters_by_jurisdiction_and_category(client: TestClient, headers, tokens) -> None:
    a = make_enterprise(client, tokens["admin"], jurisdiction="baisha", category="mine", sector="非煤矿山")
    b = make_enterprise(client, tokens["admin"], jurisdiction="baisha")
    ids = [e["id"] for e in all_items(client, URL, headers["observer"], jurisdiction="baisha", category="mine")]
    assert a["id"] in ids
    assert b["id"] not in ids


@pytest.mark.parametrize("role", ["observer", "controller", "leader"])
def test_only_admin_and_operator_write_enterprises(app: FastAPI, client: TestClient, headers, tokens, role) -> None:
    e = make_enterprise(client, tokens["admin"])
    before = row_counts(app)
    assert client.post(URL, json=enterprise_body(), headers=headers[role]).status_code == 403
    assert client.post(f"{URL}/{e['id']}/drills", json=drill_body(), headers=headers[role]).status_code == 403
    assert row_counts(app) == before


def test_hazard_sources_belong_to_an_enterprise_on_record(client: TestClient, headers, tokens) -> None:
    e = make_enterprise(client, tokens["admin"])
    h = make_hazard(client, tokens["admin"], enterprise_id=e["id"], last_risk_assessment_on="2024-05-01")
    assert (h["enterprise_id"], h["last_risk_assessment_on"]) == (e["id"], "2024-05-01")
    missing = client.patch(
        f"/api/v1/hazard-sources/{h['id']}",
        json={"enterprise_id": 2_000_000_000},
        headers=if_match(headers["admin"], 1),
    )
    assert_problem_422(missing, "body.enterprise_id")


def test_drill_is_recorded_and_the_next_one_is_due_by_category(app: FastAPI, client: TestClient, headers, tokens):
    e = make_enterprise(client, tokens["admin"])
    record_drill(client, tokens["operator"], e["id"], held_on="2026-01-31", reported_on=None)
    latest = record_drill(client, tokens["operator"], e["id"], held_on="2026-02-10")
    on_record = ok(client.get(f"{URL}/{e['id']}/drills", headers=headers["observer"]))
    assert [d["held_on"] for d in on_record["items"]] == ["2026-02-10", "2026-01-31"]
    assert (on_record["interval_months"], on_record["next_due"]) == (6, "2026-08-10")
    assert latest["recorded_by"] == "operator"
    [event] = outbox_events(app, "enterprise.drill_recorded", value=latest["id"])
    assert event.data["enterprise_id"] == e["id"]
    # A category outside Decree 708 art. 8 para. 2 drills yearly: the clock moves with the category.
    ok(client.patch(f"{URL}/{e['id']}", json={"category": "other"}, headers=if_match(headers["admin"], 1)))
    assert ok(client.get(f"{URL}/{e['id']}/drills", headers=headers["observer"]))["next_due"] == "2027-02-10"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": "tomorrow"}, "body.held_on"),
        ({"held_on": "2026-03-10", "reported_on": "2026-03-01"}, "body"),
        ({"plan_id": 2_000_000_000}, "body.plan_id"),
        ({"form": "online"}, "body.form"),
    ],
)
def test_bad_drills_are_refused_and_nothing_is_written(
    app: FastAPI, client: TestClient, headers, tokens, overrides, field
):
    e = make_enterprise(client, tokens["admin"])
    if overrides.get("held_on") == "tomorrow":
        overrides = {"held_on": (city_today() + timedelta(days=1)).isoformat(), "reported_on": None}
    before = row_counts(app)
    r = client.post(f"{URL}/{e['id']}/drills", json=drill_body(**overrides), headers=headers["admin"])
    assert_problem_422(r, field)
    assert row_counts(app) == before
    assert ok(client.get(f"{URL}/{e['id']}/drills", headers=headers["admin"]))["items"] == []


def test_a_drill_held_today_is_accepted(client: TestClient, tokens) -> None:
    e = make_enterprise(client, tokens["admin"])
    today = city_today().isoformat()
    assert record_drill(client, tokens["admin"], e["id"], held_on=today, reported_on=today)["held_on"] == today


def test_unknown_enterprise_is_not_found(client: TestClient, headers) -> None:
    assert client.get(f"{URL}/2147483000", headers=headers["observer"]).status_code == 404
    r = client.post(f"{URL}/2147483000/drills", json=drill_body(), headers=headers["admin"])
    assert r.status_code == 404


def test_today_is_not_in_the_past_of_a_fixed_test_date() -> None:
    # The drill factory's default dates must stay in the past for these tests to mean anything.
    assert date.fromisoformat(drill_body()["held_on"]) < city_today()
