"""GET /api/v1/compliance against hand-made fixtures: what is due or overdue per enterprise, since when, and counts.

Every test works in a town of its own, so other tests' enterprises never show.
"""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.enterprise_factories import make_enterprise, record_drill
from tests.factories import ok
from tests.registry_factories import make_hazard, make_jurisdiction, make_plan

URL = "/api/v1/compliance"


@pytest.fixture
def town(client: TestClient, tokens) -> dict[str, Any]:
    """A fresh town with four enterprises, their drills, a plan awaiting filing and hazard sources."""
    admin = tokens["admin"]
    code = make_jurisdiction(client, admin)["code"]
    chem = make_enterprise(client, admin, jurisdiction=code)  # hazardous goods: half-yearly
    mall = make_enterprise(client, admin, jurisdiction=code, category="crowded_place", sector="商场")
    office = make_enterprise(client, admin, jurisdiction=code, category="other", sector="办公")  # yearly
    quarry = make_enterprise(client, admin, jurisdiction=code, category="mine", sector="非煤矿山")
    record_drill(client, admin, chem["id"], held_on="2026-01-15", reported_on=None)
    record_drill(client, admin, office["id"], held_on="2026-01-15", reported_on=None)
    record_drill(client, admin, quarry["id"], held_on="2025-12-01", reported_on=None)
    # Issued Wednesday 6 May 2026 (after Labour Day, 1–5 May; Saturday 9 May is a make-up day): filing due 2 Jun.
    plan = make_plan(
        client, admin, owner_body=None, owner_enterprise_id=chem["id"], issued_on="2026-05-06", evaluated_on=None
    )
    assessed = make_hazard(
        client, admin, jurisdiction=code, enterprise_id=chem["id"], last_risk_assessment_on="2023-07-10"
    )
    never = make_hazard(client, admin, jurisdiction=code, enterprise_id=office["id"])
    return {
        "code": code,
        "chem": chem,
        "mall": mall,
        "office": office,
        "quarry": quarry,
        "plan": plan,
        "assessed": assessed,
        "never": never,
    }


def _get(client: TestClient, headers, **params: Any) -> dict[str, Any]:
    return ok(client.get(URL, params=params, headers=headers["observer"]))  # type: ignore[no-any-return]


def _rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (i["enterprise_id"], i["kind"], i["subject_id"], i["status"], i["due_on"], i["overdue_since"])
        for i in report["items"]
    ]


def test_drill_clocks_at_the_edge_of_the_half_year(client: TestClient, headers, town) -> None:
    chem, mall, office, quarry = (town[k]["id"] for k in ("chem", "mall", "office", "quarry"))
    on_the_day = _get(client, headers, kind="drill", jurisdiction=town["code"], as_of="2026-07-15")
    assert _rows(on_the_day) == [
        (chem, "drill", chem, "due", "2026-07-15", None),
        (mall, "drill", mall, "overdue", None, None),  # never drilled
        (quarry, "drill", quarry, "overdue", "2026-06-01", "2026-06-02"),
    ]
    day_after = _get(client, headers, kind="drill", status="overdue", jurisdiction=town["code"], as_of="2026-07-16")
    assert [(r[0], r[3], r[5]) for r in _rows(day_after)] == [
        (chem, "overdue", "2026-07-16"),
        (mall, "overdue", None),
        (quarry, "overdue", "2026-06-02"),
    ]
    # The office (not an art. 8 category) drilled in January and is next due a year on.
    assert office not in {r[0] for r in _rows(day_after)}
    december = _rows(_get(client, headers, kind="drill", jurisdiction=town["code"], as_of="2026-12-20"))
    assert (office, "drill", office, "due", "2027-01-15", None) in december


def test_every_kind_with_counts_per_town_and_category(client: TestClient, headers, town) -> None:
    report = _get(client, headers, jurisdiction=town["code"], as_of="2026-07-16")
    chem, plan = town["chem"]["id"], town["plan"]["id"]
    assert (chem, "plan-filing", plan, "overdue", "2026-06-02", "2026-06-03") in _rows(report)
    assert (chem, "risk-assessment", town["assessed"]["id"], "overdue", "2026-07-10", "2026-07-11") in _rows(report)
    assert (town["office"]["id"], "risk-assessment", town["never"]["id"], "overdue", None, None) in _rows(report)
    # The plan was issued this year: its evaluation is not due for three years.
    assert not [i for i in report["items"] if i["kind"] == "plan-evaluation"]
    assert report["by_jurisdiction"] == {town["code"]: {"due": 0, "overdue": 6}}
    assert report["by_category"] == {
        "crowded_place": {"due": 0, "overdue": 1},
        "hazardous_goods": {"due": 0, "overdue": 3},
        "mine": {"due": 0, "overdue": 1},
        "other": {"due": 0, "overdue": 1},
    }
    only_chem = _get(client, headers, jurisdiction=town["code"], category="hazardous_goods", as_of="2026-07-16")
    assert {i["enterprise_id"] for i in only_chem["items"]} == {chem}
    assert only_chem["as_of"] == "2026-07-16"


def test_filing_a_plan_stops_its_clock_and_evaluation_comes_three_years_on(client: TestClient, headers, town) -> None:
    from tests.registry_factories import if_match

    plan = town["plan"]
    ok(
        client.patch(
            f"/api/v1/plans/{plan['id']}", json={"filed_on": "2026-05-20"}, headers=if_match(headers["admin"], 1)
        )
    )
    later = _get(
        client, headers, kind=["plan-filing", "plan-evaluation"], jurisdiction=town["code"], as_of="2029-05-06"
    )
    assert _rows(later) == [(town["chem"]["id"], "plan-evaluation", plan["id"], "due", "2029-05-06", None)]


def test_the_city_means_its_towns_and_streets_but_not_the_neighbours(client: TestClient, headers, tokens, town):
    city = make_jurisdiction(client, tokens["admin"], kind="city")["code"]
    neighbour = make_jurisdiction(client, tokens["admin"], kind="neighbor")["code"]
    across = make_enterprise(client, tokens["admin"], jurisdiction=neighbour)
    report = _get(client, headers, kind="drill", jurisdiction=city, as_of="2026-07-16")
    ids = {i["enterprise_id"] for i in report["items"]}
    assert {town["chem"]["id"], town["mall"]["id"]} <= ids
    assert across["id"] not in ids


def test_csv_export_carries_the_same_items(client: TestClient, headers, town) -> None:
    params = {"jurisdiction": town["code"], "as_of": "2026-07-16"}
    report = _get(client, headers, **params)
    r = client.get(f"{URL}/export.csv", params=params, headers=headers["observer"])
    assert r.status_code == 200
    assert "compliance-2026-07-16.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8").removeprefix("\ufeff"))))
    assert [(int(x["enterprise_id"]), x["kind"], x["overdue_since"] or None) for x in rows] == [
        (i["enterprise_id"], i["kind"], i["overdue_since"]) for i in report["items"]
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kind": "fire-drill"}, "query.kind"), ({"status": "late"}, "query.status"), ({"as_of": "soon"}, "query.as_of")],
)
def test_bad_filters_are_422(client: TestClient, headers, params: dict[str, str], field: str) -> None:
    r = client.get(URL, params=params, headers=headers["observer"])
    assert r.status_code == 422
    assert any(e["field"].startswith(field) for e in r.json()["errors"])
