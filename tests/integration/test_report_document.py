"""`GET /escalations/{id}/report-document` and filing: the draft from the incident's data, the filed document kept
exactly as sent, and the supplementary report after a casualty change listing what changed since the last one."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import ok
from tests.workflow_factories import assert_problem, iso_ago, make_incident, row_counts

URL = "/api/v1/escalations"


def document(client: TestClient, headers: dict[str, str], step_id: int) -> dict[str, Any]:
    return ok(client.get(f"{URL}/{step_id}/report-document", headers=headers))  # type: ignore[no-any-return]


def step(incident: dict[str, Any], kind: str = "report", level: str = "county") -> dict[str, Any]:
    return next(s for s in incident["escalations"] if s["kind"] == kind and s["level"] == level)


def patch(client: TestClient, headers: dict[str, str], incident: dict[str, Any], **changes: Any) -> dict[str, Any]:
    r = client.patch(
        f"/api/v1/incidents/{incident['id']}", json=changes, headers={**headers, "If-Match": f'"{incident["version"]}"'}
    )
    return ok(r)  # type: ignore[no-any-return]


def test_draft_from_the_incident(client: TestClient, tokens, headers) -> None:
    incident = make_incident(
        client, tokens["operator"], type="water_rescue", address="企水港", deaths=1, missing=4, direct_loss_cny=900_000
    )
    doc = document(client, headers["observer"], step(incident, level="city")["id"])
    assert doc["filed"] is False
    assert (doc["kind"], doc["level"], doc["incident_id"]) == ("report", "city", incident["id"])
    assert doc["recipients"]["report_to"]["zh"] == "湛江市应急管理局"
    assert doc["recipients"]["same_level_government"]["en"] == "Zhanjiang People's Government"
    assert [n["zh"] for n in doc["recipients"]["notify"]] == [
        "湛江市公安局",
        "湛江市人力资源和社会保障局",
        "湛江市总工会",
        "湛江市人民检察院",
    ]
    assert len(doc["items"]) == 6
    assert "下落不明 4 人" in doc["items"][3]["zh"]
    assert "900,000" in doc["items"][3]["zh"]
    assert "企水港" in doc["items"][1]["zh"]
    assert doc["figures"]["missing"] == 4
    assert doc["text_zh"].splitlines()[1] == "报送：湛江市应急管理局"
    assert "6. Anything else to report: " in doc["text_en"]


def test_filed_document_is_what_was_sent_and_never_changes(app: FastAPI, client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], type="fire", occurred_at=iso_ago(days=10))
    county = step(incident)["id"]
    body = {"completions": [{"number": 1, "text": "雷州市某冷库有限公司，员工 40 人"}]}
    r = client.post(f"{URL}/{county}/report", json=body, headers=headers["operator"])
    filed_step = ok(r)
    assert r.headers["ETag"] == f'"{filed_step["version"]}"'
    filed = document(client, headers["observer"], county)
    assert filed["filed"] is True
    assert filed["filed_by"] == "operator"
    assert filed["items"][0]["zh"].endswith("值班员补充：雷州市某冷库有限公司，员工 40 人")

    # The incident changes (10 days after a fire: outside art. 13's window, no supplementary); the filed copy not.
    patch(client, headers["operator"], incident, deaths=2, title="冷库火灾（更正）")
    assert document(client, headers["observer"], county) == filed
    before = row_counts(app)
    again = client.post(
        f"{URL}/{county}/report", json={"completions": [{"number": 1, "text": "x"}]}, headers=headers["operator"]
    )
    assert_problem(again, 409)
    assert row_counts(app) == before
    assert document(client, headers["observer"], county) == filed


def test_bad_completions_are_422_and_file_nothing(app: FastAPI, client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"])
    county = step(incident)["id"]
    before = row_counts(app)
    for completions in (
        [{"number": 7, "text": "x"}],
        [{"number": 1, "text": ""}],
        [{"number": 2, "text": "a"}, {"number": 2, "text": "b"}],
        [{"number": 1, "text": "x", "extra": 1}],
    ):
        r = client.post(f"{URL}/{county}/report", json={"completions": completions}, headers=headers["operator"])
        assert_problem(r, 422)
    assert row_counts(app) == before
    assert document(client, headers["observer"], county)["filed"] is False
    assert_problem(client.get(f"{URL}/987654321/report-document", headers=headers["observer"]), 404)


def test_supplementary_report_lists_what_changed_since_the_last_one(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], type="hazchem_leak", deaths=1, serious_injuries=2)
    ok(client.post(f"{URL}/{step(incident)['id']}/report", json={}, headers=headers["operator"]))
    changed = patch(client, headers["operator"], incident, deaths=3, missing=2, direct_loss_cny=0)
    supplementary = step(changed, kind="supplementary")
    doc = document(client, headers["observer"], supplementary["id"])
    assert doc["title_zh"] == "事故补报"
    assert doc["changes"] == [
        {"field": "deaths", "before": 1, "after": 3},
        {"field": "missing", "before": 0, "after": 2},
        {"field": "severity", "before": "ordinary", "after": "major"},
    ]
    assert "  下落不明：0 → 2" in doc["text_zh"]

    # Filed, it becomes the baseline: the next change is compared with it, not with the first report.
    ok(client.post(f"{URL}/{supplementary['id']}/report", json={}, headers=headers["operator"]))
    again = patch(client, headers["operator"], changed, missing=1)
    later = [s for s in again["escalations"] if s["kind"] == "supplementary" and s["reported_at"] is None]
    assert len(later) == 1
    assert document(client, headers["observer"], later[0]["id"])["changes"] == [
        {"field": "missing", "before": 2, "after": 1}
    ]


def test_the_database_refuses_to_change_or_delete_a_filed_report(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    incident = make_incident(client, tokens["operator"])
    county, city = (step(incident, level=level)["id"] for level in ("county", "city"))
    ok(client.post(f"{URL}/{county}/report", json={"note": "sent"}, headers=headers["operator"]))
    filed = document(client, headers["observer"], county)
    for statement in (
        "UPDATE escalations SET document = NULL WHERE id = :id",
        "UPDATE escalations SET note = 'rewritten' WHERE id = :id",
        "UPDATE escalations SET reported_at = NULL WHERE id = :id",
        "DELETE FROM escalations WHERE id = :id",
    ):
        with app.state.session_factory() as s, pytest.raises(DBAPIError):
            s.execute(text(statement), {"id": county})
    assert document(client, headers["observer"], county) == filed
    # An open step is still the application's to move (art. 11 re-chaining).
    with app.state.session_factory() as s:
        s.execute(text("UPDATE escalations SET note = 'draft' WHERE id = :id"), {"id": city})
        s.rollback()
