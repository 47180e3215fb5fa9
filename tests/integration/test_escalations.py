"""The reporting chain (逐级上报, DESIGN §7) through the API: steps and deadlines per grade, late flags,
re-grades, supplementary reports after casualty changes, and drill scoping."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.workflow_factories import (
    assert_problem,
    audit_rows,
    iso_ago,
    make_incident,
    outbox_events,
    parse_ts,
    row_counts,
    start_drill,
)

URL = "/api/v1/escalations"
SLACK = timedelta(minutes=2)


def steps(client: TestClient, headers: dict[str, str], incident_id: int, **params: Any) -> list[dict[str, Any]]:
    page = ok(client.get(URL, params={"incident_id": incident_id, "limit": 500, **params}, headers=headers))
    return page["items"]  # type: ignore[no-any-return]


def chain(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["kind"], s["level"]) for s in items]


def patch(client: TestClient, headers: dict[str, str], incident: dict[str, Any], **changes: Any) -> dict[str, Any]:
    r = client.patch(
        f"/api/v1/incidents/{incident['id']}", json=changes, headers={**headers, "If-Match": f'"{incident["version"]}"'}
    )
    return ok(r)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("figures", "levels"),
    [
        ({}, ["county", "city"]),
        ({"deaths": 3}, ["county", "city", "province"]),
        ({"direct_loss_cny": 50_000_000}, ["county", "city", "province", "national"]),
        ({"deaths": 30}, ["county", "city", "province", "national"]),
    ],
)
def test_chain_per_severity_with_chained_deadlines(
    client: TestClient, tokens, headers, figures: dict[str, int], levels: list[str]
) -> None:
    occurred = iso_ago(minutes=10)
    incident = make_incident(client, tokens["operator"], occurred_at=occurred, **figures)
    got = steps(client, headers["observer"], incident["id"])
    assert chain(got) == [("report", level) for level in levels]
    # County within 1 h of the accident, each further level 2 h after the previous deadline.
    assert [parse_ts(s["due_at"]) - parse_ts(occurred) for s in got] == [
        timedelta(hours=1 + 2 * i) for i in range(len(levels))
    ]
    assert all(s["reported_at"] is None and s["late"] is False for s in got)


def test_report_on_time_is_not_late_and_is_recorded(app: FastAPI, client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"])
    county = steps(client, headers["operator"], incident["id"])[0]
    r = client.post(
        f"{URL}/{county['id']}/report", json={"note": "phoned county safety bureau"}, headers=headers["operator"]
    )
    body = ok(r)
    assert body["late"] is False
    assert body["reported_by"] == "operator"
    assert body["note"] == "phoned county safety bureau"
    assert parse_ts(body["reported_at"]) <= parse_ts(body["due_at"])
    assert len(outbox_events(app, "escalation.reported", value=county["id"])) == 1
    assert outbox_events(app, "escalation.late", value=county["id"]) == []
    assert [a.action for a in audit_rows(app, "escalation", county["id"])] == [
        "escalation.schedule",
        "escalation.report",
    ]
    assert county["id"] not in {s["id"] for s in steps(client, headers["operator"], incident["id"], open=True)}


def test_overdue_step_is_listed_late_before_and_flagged_late_after_reporting(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    incident = make_incident(client, tokens["operator"], occurred_at=iso_ago(hours=5))
    county, city = steps(client, headers["observer"], incident["id"])
    # County was due 4 h ago, city 2 h ago: both overdue, neither reported yet.
    late_ids = [s["id"] for s in steps(client, headers["observer"], incident["id"], late=True)]
    assert late_ids == [county["id"], city["id"]]
    assert steps(client, headers["observer"], incident["id"], late=False) == []
    assert [s["id"] for s in steps(client, headers["observer"], incident["id"], open=True)] == late_ids
    soon = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    assert [s["id"] for s in steps(client, headers["observer"], incident["id"], due_before=soon)] == [county["id"]]

    body = ok(client.post(f"{URL}/{county['id']}/report", json={}, headers=headers["operator"]))
    assert body["late"] is True
    assert len(outbox_events(app, "escalation.late", value=county["id"])) == 1
    # Art. 11: the city has 2 h from receiving the county's (late) report, so it is no longer overdue.
    assert [s["id"] for s in steps(client, headers["observer"], incident["id"], late=True)] == [county["id"]]
    city_now = steps(client, headers["observer"], incident["id"], open=True)[0]
    assert parse_ts(city_now["due_at"]) == parse_ts(body["reported_at"]) + timedelta(hours=2)
    assert len(outbox_events(app, "escalation.due", value=city["id"])) == 2  # scheduled, then moved


def test_reporting_a_step_twice_is_409_and_keeps_the_first_report(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    incident = make_incident(client, tokens["operator"])
    county = steps(client, headers["operator"], incident["id"])[0]
    first = ok(client.post(f"{URL}/{county['id']}/report", json={}, headers=headers["operator"]))
    before = row_counts(app)
    again = client.post(f"{URL}/{county['id']}/report", json={"note": "again"}, headers=headers["admin"])
    assert_problem(again, 409)
    assert row_counts(app) == before
    now = steps(client, headers["operator"], incident["id"])[0]
    assert (now["reported_at"], now["reported_by"], now["note"]) == (first["reported_at"], "operator", None)


def test_report_needs_a_writer_role_and_a_clean_body(app: FastAPI, client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"])
    county = steps(client, headers["operator"], incident["id"])[0]
    before = row_counts(app)
    assert_problem(client.post(f"{URL}/{county['id']}/report", json={}, headers=headers["observer"]), 403)
    assert_problem(client.post(f"{URL}/{county['id']}/report", json={}, headers=headers["leader"]), 403)
    bad = client.post(f"{URL}/{county['id']}/report", json={"late": False}, headers=headers["operator"])
    assert "body.late" in [e["field"] for e in assert_problem(bad, 422)["errors"]]
    bad = client.post(
        f"{URL}/{county['id']}/report", json={"reported_at": iso_ago(hours=1)}, headers=headers["operator"]
    )
    assert_problem(bad, 422)
    assert_problem(client.post(f"{URL}/987654321/report", json={}, headers=headers["operator"]), 404)
    assert row_counts(app) == before
    assert_problem(client.get(URL, params={"due_before": "2024-01-01T00:00:00"}, headers=headers["observer"]), 422)


def test_upward_regrade_adds_only_the_missing_levels(client: TestClient, tokens, headers) -> None:
    # Occurred 40 days ago (type other): outside the supplementary window, so only the re-grade adds steps.
    incident = make_incident(client, tokens["operator"], type="other", occurred_at=iso_ago(days=40))
    assert chain(steps(client, headers["operator"], incident["id"])) == [("report", "county"), ("report", "city")]

    t0 = datetime.now(UTC)
    major = patch(client, headers["operator"], incident, deaths=3)
    got = steps(client, headers["operator"], incident["id"])
    assert chain(got) == [("report", "county"), ("report", "city"), ("report", "province")]
    # The city's deadline passed long ago: the new level is due 2 h after the re-grade is known.
    province_due = parse_ts(got[-1]["due_at"])
    assert t0 + timedelta(hours=2) - SLACK <= province_due <= datetime.now(UTC) + timedelta(hours=2)

    patch(client, headers["operator"], major, direct_loss_cny=60_000_000)
    got = steps(client, headers["operator"], incident["id"])
    assert chain(got) == [("report", "county"), ("report", "city"), ("report", "province"), ("report", "national")]
    # Art. 11: the nation hears from the province, 2 h after the province's own (projected) report.
    assert parse_ts(got[-1]["due_at"]) == province_due + timedelta(hours=2)


def test_downgrade_never_withdraws_a_step(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], type="other", occurred_at=iso_ago(days=40), deaths=3)
    before = steps(client, headers["operator"], incident["id"])
    patch(client, headers["operator"], incident, deaths=0)
    assert steps(client, headers["operator"], incident["id"]) == before


@pytest.mark.parametrize(
    ("type_", "days_ago", "supplementary"),
    [
        ("other", 29, True),
        ("other", 40, False),
        ("fire", 6, True),
        ("fire", 8, False),
        ("road_traffic", 8, False),
        ("hazchem_leak", 8, True),
    ],
)
def test_casualty_change_adds_a_supplementary_report_only_inside_the_window(
    client: TestClient, tokens, headers, type_: str, days_ago: int, supplementary: bool
) -> None:
    incident = make_incident(client, tokens["operator"], type=type_, occurred_at=iso_ago(days=days_ago))
    t0 = datetime.now(UTC)
    patch(client, headers["operator"], incident, serious_injuries=1)  # still ordinary: no re-grade
    got = steps(client, headers["operator"], incident["id"])
    extra = [s for s in got if s["kind"] == "supplementary"]
    assert chain(got)[:2] == [("report", "county"), ("report", "city")]
    if supplementary:
        assert len(extra) == 1
        assert extra[0]["level"] == "county"
        assert t0 + timedelta(hours=1) - SLACK <= parse_ts(extra[0]["due_at"]) <= datetime.now(UTC) + timedelta(hours=1)
    else:
        assert extra == []
        assert len(got) == 2


def test_loss_only_change_needs_no_supplementary_report(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], type="other")
    patch(client, headers["operator"], incident, direct_loss_cny=1_000)
    assert [s["kind"] for s in steps(client, headers["operator"], incident["id"])] == ["report", "report"]


def test_drill_steps_are_listed_only_when_asked_for(app: FastAPI, client: TestClient, tokens, headers) -> None:
    drill_id = start_drill(app)
    real = make_incident(client, tokens["operator"])
    exercise = make_incident(client, tokens["controller"], drill_id=drill_id)
    obs = headers["observer"]
    assert steps(client, obs, exercise["id"]) == []
    in_drill = steps(client, obs, exercise["id"], drill_id=drill_id)
    assert chain(in_drill) == [("report", "county"), ("report", "city")]
    assert {s["drill_id"] for s in in_drill} == {drill_id}
    assert len(steps(client, obs, exercise["id"], include_drills=True)) == 2
    assert steps(client, obs, real["id"], drill_id=drill_id) == []
    every_real = ok(client.get(URL, params={"limit": 500, "open": True}, headers=obs))
    assert all(s["drill_id"] is None for s in every_real["items"])

    # The controller may report the exercise's steps, never a real one.
    ok(client.post(f"{URL}/{in_drill[0]['id']}/report", json={}, headers=headers["controller"]))
    real_step = steps(client, obs, real["id"])[0]
    assert_problem(client.post(f"{URL}/{real_step['id']}/report", json={}, headers=headers["controller"]), 403)


def test_list_is_ordered_by_deadline_and_pages_without_repeats(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], deaths=30)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"incident_id": incident["id"], "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = ok(client.get(URL, params=params, headers=headers["observer"]))
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [s["level"] for s in items] == ["county", "city", "province", "national"]
    assert [s["due_at"] for s in items] == sorted(s["due_at"] for s in items)


def test_forged_cursor_is_a_422_not_a_crash(client, headers) -> None:
    import base64
    import json

    for key in (["not-a-date", 1], ["2026-01-01T00:00:00", 1], [1.5, "x"]):
        cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
        r = client.get("/api/v1/escalations", params={"cursor": cursor}, headers=headers["operator"])
        assert r.status_code == 422, (key, r.text)
        assert r.headers["content-type"] == "application/problem+json"
