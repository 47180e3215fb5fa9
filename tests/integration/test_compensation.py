"""Service agreements and compensation statements (seed §12); the arithmetic is pinned in tests/unit."""

import csv
import io
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import Dispatch, ServiceAgreement
from tests.cooperation_factories import dispatch, make_agreement, real_incident, start_drill, walk_dispatch
from tests.factories import make_team, ok
from tests.workflow_factories import make_incident

URL = "/api/v1/compensation"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _released(
    client: TestClient, app: FastAPI, token: str, incident_id: int, team_id: int, times: tuple[str, str, str]
) -> int:
    """Dispatch, walk to released, then back-date the status times (the dispatches table is not append-only)."""
    d = dispatch(client, token, incident_id, team_id)
    walk_dispatch(client, token, d["id"])
    with app.state.session_factory() as s:
        row = s.get(Dispatch, d["id"])
        assert row is not None
        row.dispatched_at, row.on_scene_at, row.released_at = (_at(t) for t in times)
        s.commit()
    return int(d["id"])


def _agreements_of(app: FastAPI, team_id: int) -> int:
    with app.state.session_factory() as s:
        stmt = select(func.count()).select_from(ServiceAgreement).where(ServiceAgreement.team_id == team_id)
        return int(s.scalar(stmt))


def test_admin_records_an_agreement_and_the_team_points_at_it(client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"], kind="social", personnel=8)
    a = make_agreement(client, tokens["admin"], team["id"], hourly_rate_per_person_cny="75.5", callout_fee_cny="0")
    assert (a["hourly_rate_per_person_cny"], a["callout_fee_cny"]) == ("75.50", "0.00")
    assert (a["valid_from"], a["valid_to"]) == ("2020-01-01", None)
    after = ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["admin"]))
    assert (after["agreement_id"], after["version"]) == (a["id"], team["version"] + 1)
    assert ok(client.get(f"/api/v1/agreements/{a['id']}", headers=headers["observer"])) == a
    listed = ok(client.get("/api/v1/agreements", params={"team_id": team["id"]}, headers=headers["operator"]))
    assert listed["items"] == [a]
    audit = ok(
        client.get("/api/v1/audit", params={"entity": "rescue_team", "entity_id": team["id"]}, headers=headers["admin"])
    )
    assert any(row["after"] == {"agreement_id": a["id"]} for row in audit["items"])


def test_enterprise_teams_may_hold_agreements_but_public_teams_may_not(
    client: TestClient, headers, tokens, app
) -> None:
    enterprise = make_team(client, tokens["operator"], kind="enterprise_fulltime")
    make_agreement(client, tokens["admin"], enterprise["id"])
    fire = make_team(client, tokens["operator"], kind="fire_rescue")
    body = {
        "team_id": fire["id"],
        "hourly_rate_per_person_cny": "80.00",
        "callout_fee_cny": "1",
        "valid_from": "2024-01-01",
    }
    r = client.post("/api/v1/agreements", json=body, headers=headers["admin"])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.team_id"]
    assert _agreements_of(app, fire["id"]) == 0
    assert ok(client.get(f"/api/v1/teams/{fire['id']}", headers=headers["admin"])) == fire


def test_bad_agreements_are_422_and_only_admin_may_write_them(client: TestClient, headers, tokens, app) -> None:
    team = make_team(client, tokens["operator"], kind="social")
    good = {
        "team_id": team["id"],
        "hourly_rate_per_person_cny": "80.00",
        "callout_fee_cny": "10",
        "valid_from": "2024-01-01",
    }
    bad: list[dict[str, Any]] = [
        {**good, "hourly_rate_per_person_cny": "0"},
        {**good, "hourly_rate_per_person_cny": "80.001"},
        {**good, "hourly_rate_per_person_cny": "NaN"},
        {**good, "hourly_rate_per_person_cny": "123456789.00"},
        {**good, "callout_fee_cny": "-1"},
        {**good, "valid_to": "2023-12-31"},
        {**good, "valid_from": "someday"},
        {**good, "version": 7},
        {**good, "team_id": 999_999},
        {k: v for k, v in good.items() if k != "valid_from"},
    ]
    for body in bad:
        r = client.post("/api/v1/agreements", json=body, headers=headers["admin"])
        assert r.status_code == 422, body
        assert r.headers["content-type"] == "application/problem+json"
    for role in ("operator", "observer", "leader", "controller"):
        assert client.post("/api/v1/agreements", json=good, headers=headers[role]).status_code == 403, role
    assert _agreements_of(app, team["id"]) == 0
    assert ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["admin"]))["agreement_id"] is None


def test_statement_prices_released_real_dispatches_of_the_month(client: TestClient, headers, tokens, app) -> None:
    op = tokens["operator"]
    team = make_team(client, op, kind="social", personnel=6)
    first = make_agreement(
        client, tokens["admin"], team["id"], hourly_rate_per_person_cny="80.00", callout_fee_cny="500.00",
        valid_from="2024-02-01", valid_to="2024-03-10",
    )  # fmt: skip
    renewal = make_agreement(
        client, tokens["admin"], team["id"], hourly_rate_per_person_cny="100.00", callout_fee_cny="300.00",
        valid_from="2024-03-15",
    )  # fmt: skip
    incident = real_incident(client, op)
    # Released at local 2024-03-01 00:00 sharp: March. 45 min on scene; dispatched 29 Feb → first agreement.
    a = _released(
        client,
        app,
        op,
        incident["id"],
        team["id"],
        ("2024-02-29T15:00:00Z", "2024-02-29T15:15:00Z", "2024-02-29T16:00:00Z"),
    )
    # Local 31 March 23:59:59: still March. 2 h 07 min → 2.25 h; renewal terms.
    b = _released(
        client,
        app,
        op,
        incident["id"],
        team["id"],
        ("2024-03-31T10:00:00Z", "2024-03-31T13:52:59Z", "2024-03-31T15:59:59Z"),
    )
    # Local 1 April 00:00: April's.
    c = _released(
        client,
        app,
        op,
        incident["id"],
        team["id"],
        ("2024-03-31T14:00:00Z", "2024-03-31T15:00:00Z", "2024-03-31T16:00:00Z"),
    )
    # Dispatched 12 March, between the two agreements: unpriced.
    e = _released(
        client,
        app,
        op,
        incident["id"],
        team["id"],
        ("2024-03-12T02:00:00Z", "2024-03-12T03:00:00Z", "2024-03-12T04:00:00Z"),
    )
    # An exercise dispatch of the same team in March costs nothing.
    drill = start_drill(client, tokens["controller"])
    drill_incident = make_incident(client, tokens["controller"], drill_id=drill["id"])
    _released(
        client,
        app,
        tokens["controller"],
        drill_incident["id"],
        team["id"],
        ("2024-03-05T00:00:00Z", "2024-03-05T01:00:00Z", "2024-03-05T09:00:00Z"),
    )
    # A team without an agreement is not on any statement.
    public = make_team(client, op)
    _released(
        client,
        app,
        op,
        incident["id"],
        public["id"],
        ("2024-03-05T00:00:00Z", "2024-03-05T01:00:00Z", "2024-03-05T02:00:00Z"),
    )

    march = ok(client.get(URL, params={"month": "2024-03", "team_id": team["id"]}, headers=headers["observer"]))
    assert (march["timezone"], march["period_start"], march["period_end"]) == (
        "Asia/Shanghai",
        "2024-02-29T16:00:00Z",
        "2024-03-31T16:00:00Z",
    )
    [statement] = march["statements"]
    assert (statement["team_id"], statement["team_kind"], statement["unpriced_dispatch_ids"]) == (
        team["id"],
        "social",
        [e],
    )
    assert [
        (x["dispatch_id"], x["agreement_id"], x["billed_hours"], x["personnel"], x["labour_cny"], x["amount_cny"])
        for x in statement["lines"]
    ] == [
        (a, first["id"], "0.75", 6, "360.00", "860.00"),  # 500 + 0.75 h × 6 × 80
        (b, renewal["id"], "2.25", 6, "1350.00", "1650.00"),  # 300 + 2.25 h × 6 × 100
    ]
    assert (statement["dispatch_count"], statement["billed_hours"], statement["total_cny"]) == (2, "3.00", "2510.00")
    assert march["total_cny"] == "2510.00"

    april = ok(client.get(URL, params={"month": "2024-04", "team_id": team["id"]}, headers=headers["operator"]))
    assert [x["dispatch_id"] for x in april["statements"][0]["lines"]] == [c]
    assert april["total_cny"] == "900.00"  # 300 + 1 h × 6 × 100

    everyone = ok(client.get(URL, params={"month": "2024-03"}, headers=headers["admin"]))
    assert next(s for s in everyone["statements"] if s["team_id"] == team["id"]) == statement
    assert public["id"] not in {s["team_id"] for s in everyone["statements"]}


def test_csv_export_matches_the_statement(client: TestClient, headers, tokens, app) -> None:
    op = tokens["operator"]
    team = make_team(client, op, kind="social", personnel=3)
    make_agreement(client, tokens["admin"], team["id"], hourly_rate_per_person_cny="33.33", callout_fee_cny="99.99")
    incident = real_incident(client, op)
    for start in ("2023-07-01", "2023-07-15"):
        _released(
            client,
            app,
            op,
            incident["id"],
            team["id"],
            (f"{start}T01:00:00Z", f"{start}T01:10:00Z", f"{start}T02:31:00Z"),
        )
    params = {"month": "2023-07", "team_id": team["id"]}
    statement = ok(client.get(URL, params=params, headers=headers["operator"]))["statements"][0]

    r = client.get(f"{URL}/export.csv", params=params, headers=headers["observer"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    lines = [row for row in rows if row["row"] == "line"]
    [total] = [row for row in rows if row["row"] == "team_total"]
    assert [int(row["dispatch_id"]) for row in lines] == [x["dispatch_id"] for x in statement["lines"]]
    assert [row["amount_cny"] for row in lines] == [x["amount_cny"] for x in statement["lines"]]
    assert lines[0]["released_at"] == "2023-07-01T10:31:00+08:00"
    assert (total["team_id"], total["amount_cny"], total["billed_hours"]) == (
        str(team["id"]),
        statement["total_cny"],
        statement["billed_hours"],
    )
    assert statement["total_cny"] == "499.96"  # 2 × (99.99 + 1.5 h × 3 × 33.33 = 149.985 → 149.99)


def test_month_must_be_yyyy_mm(client: TestClient, headers) -> None:
    for month in ("2024-13", "2024-00", "2024-3", "March", "", "0999-01", "2024-03-01"):
        for url in (URL, f"{URL}/export.csv"):
            r = client.get(url, params={"month": month}, headers=headers["admin"])
            assert r.status_code == 422, (url, month)
            assert r.headers["content-type"] == "application/problem+json"
    assert client.get(URL, headers=headers["admin"]).status_code == 422
    r = client.get(URL, params={"month": "2024-03", "team_id": 999_999}, headers=headers["admin"])
    assert [e["field"] for e in r.json()["errors"]] == ["query.team_id"]


def test_team_leaders_and_drill_controllers_cannot_read_compensation(client: TestClient, headers) -> None:
    for role in ("leader", "controller"):
        assert client.get(URL, params={"month": "2024-03"}, headers=headers[role]).status_code == 403, role
        assert client.get("/api/v1/agreements", headers=headers[role]).status_code == 403, role


def test_a_statement_is_priced_from_the_personnel_sent_not_the_teams_current_row(
    client: TestClient, headers, tokens, app
) -> None:
    """The issue's reproduction: one PATCH personnel=10000 turned 850.00 into 125,100.00 CNY."""
    op = tokens["operator"]
    team = make_team(client, op, kind="social", personnel=6)
    make_agreement(client, tokens["admin"], team["id"], hourly_rate_per_person_cny="50.00", callout_fee_cny="250.00")
    incident = real_incident(client, op)
    times = ("2023-05-02T01:00:00Z", "2023-05-02T01:00:00Z", "2023-05-02T03:00:00Z")
    _released(client, app, op, incident["id"], team["id"], times)
    params = {"month": "2023-05", "team_id": team["id"]}
    before = ok(client.get(URL, params=params, headers=headers["operator"]))["statements"][0]
    assert before["total_cny"] == "850.00"  # 250 + 2 h × 6 × 50
    current = ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["operator"]))
    grown = client.patch(
        f"/api/v1/teams/{team['id']}",
        json={"personnel": 10000},
        headers={**headers["operator"], "If-Match": f'"{current["version"]}"'},
    )
    assert grown.status_code == 200, grown.text  # the desk may correct the roster; past dispatches keep theirs
    after = ok(client.get(URL, params=params, headers=headers["operator"]))["statements"][0]
    print(f"compensation_after_roster_change: before={before['total_cny']} after={after['total_cny']}")
    assert after == before
    assert after["lines"][0]["personnel"] == 6
