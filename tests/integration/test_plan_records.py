"""Plans on record: an owner (enterprise or government body), dates that can be, revisions with their art. 6 trigger."""

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.compliance.clocks import city_today
from tests.enterprise_factories import make_enterprise, row_counts
from tests.factories import ok
from tests.registry_factories import assert_problem_422, if_match, make_plan, plan_body

URL = "/api/v1/plans"


@pytest.mark.parametrize(
    "owner",
    [{"owner_body": None}, {"owner_body": None, "owner_enterprise_id": None}, {"owner_enterprise_id": "both"}],
    ids=["nobody", "explicit-nulls", "enterprise-and-body"],
)
def test_a_plan_owned_by_nobody_or_by_two_is_refused(app: FastAPI, client: TestClient, headers, tokens, owner):
    if owner.get("owner_enterprise_id") == "both":
        owner = {"owner_enterprise_id": make_enterprise(client, tokens["admin"])["id"]}  # plus the factory's body
    body = plan_body(**owner)
    before = row_counts(app)
    r = client.post(URL, json={k: v for k, v in body.items() if v is not None}, headers=headers["admin"])
    assert r.status_code == 422
    assert "owned by one enterprise" in r.text
    assert row_counts(app) == before


def test_an_enterprise_plan_on_record_keeps_its_dates(client: TestClient, headers, tokens) -> None:
    e = make_enterprise(client, tokens["admin"])
    dates = {"edition": "2025版", "issued_on": "2025-03-03", "filed_on": "2025-03-20", "evaluated_on": "2025-03-03"}
    plan = make_plan(client, tokens["admin"], owner_body=None, owner_enterprise_id=e["id"], **dates)
    got = ok(client.get(f"{URL}/{plan['id']}", headers=headers["observer"]))
    assert {k: got[k] for k in dates} == dates
    assert (got["owner_enterprise_id"], got["owner_body"]) == (e["id"], None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner_body": None}, "body.owner_enterprise_id"),
        ({"owner_enterprise_id": 2_000_000_000, "owner_body": None}, "body.owner_enterprise_id"),
        ({"filed_on": "2024-01-01"}, "body.filed_on"),
        ({"issued_on": "future"}, "body.issued_on"),
        ({"evaluated_on": "2025-01-01", "issued_on": None}, "body.evaluated_on"),
    ],
)
def test_a_change_that_leaves_no_owner_or_impossible_dates_is_refused(
    app: FastAPI, client: TestClient, headers, tokens, change, field
) -> None:
    plan = make_plan(client, tokens["admin"], issued_on="2025-01-01")
    if change.get("issued_on") == "future":
        change = {"issued_on": (city_today() + timedelta(days=1)).isoformat()}
    before = row_counts(app)
    r = client.patch(f"{URL}/{plan['id']}", json=change, headers=if_match(headers["admin"], plan["version"]))
    assert_problem_422(r, field)
    assert row_counts(app) == before
    assert ok(client.get(f"{URL}/{plan['id']}", headers=headers["admin"])) == plan


def test_a_revision_names_its_trigger_reissues_the_plan_and_restarts_filing(
    app: FastAPI, client: TestClient, headers, tokens
) -> None:
    e = make_enterprise(client, tokens["admin"])
    plan = make_plan(
        client,
        tokens["admin"],
        owner_body=None,
        owner_enterprise_id=e["id"],
        edition="2023版",
        issued_on="2023-06-01",
        filed_on="2023-06-20",
    )
    body = {
        "edition": "2026版",
        "revised_on": "2026-02-10",
        "trigger": "drill_or_rescue_lesson",
        "note": "演练发现堵漏程序缺失",
    }
    rev = ok(client.post(f"{URL}/{plan['id']}/revisions", json=body, headers=headers["operator"]), 201)
    assert (rev["trigger"], rev["recorded_by"]) == ("drill_or_rescue_lesson", "operator")
    after = ok(client.get(f"{URL}/{plan['id']}", headers=headers["observer"]))
    assert (after["edition"], after["issued_on"], after["filed_on"]) == ("2026版", "2026-02-10", None)
    assert after["version"] == plan["version"] + 1
    history = ok(client.get(f"{URL}/{plan['id']}/revisions", headers=headers["observer"]))
    assert [(h["edition"], h["trigger"]) for h in history] == [("2026版", "drill_or_rescue_lesson")]
    # Filed again within 20 working days: 15–23 Feb are off (Spring Festival), Saturdays 14 and 28 Feb are
    # make-up working days (调休): 11–14, 24–28 Feb, 2–6, 9–13 Mar make 19, and the 20th is Monday 16 Mar.
    report = ok(
        client.get(
            "/api/v1/compliance",
            params={"kind": "plan-filing", "jurisdiction": e["jurisdiction"], "as_of": "2026-03-16"},
            headers=headers["observer"],
        )
    )
    [item] = [i for i in report["items"] if i["subject_id"] == plan["id"]]
    assert (item["due_on"], item["status"]) == ("2026-03-16", "due")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"trigger": "whim"}, "body.trigger"),
        ({"revised_on": "future"}, "body.revised_on"),
        ({"edition": ""}, "body.edition"),
    ],
)
def test_bad_revisions_are_refused_and_nothing_changes(
    app: FastAPI, client: TestClient, headers, tokens, change, field
):
    plan = make_plan(client, tokens["admin"], issued_on="2024-01-01")
    if change.get("revised_on") == "future":
        change = {"revised_on": (city_today() + timedelta(days=1)).isoformat()}
    body = {"edition": "v2", "revised_on": "2025-01-01", "trigger": "law_changed", **change}
    before = row_counts(app)
    assert_problem_422(client.post(f"{URL}/{plan['id']}/revisions", json=body, headers=headers["admin"]), field)
    assert row_counts(app) == before
    assert ok(client.get(f"{URL}/{plan['id']}/revisions", headers=headers["admin"])) == []
