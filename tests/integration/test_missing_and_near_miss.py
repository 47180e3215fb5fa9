"""Missing, trapped, at-risk and evacuated counts: a major near-miss reports up to the province; persons
still missing past 30 days (7 for road traffic and fire) count as dead and re-grade, on read or by housekeeping."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.incidents.missing_rule import regrade_long_missing
from api.main import create_app
from api.settings import Settings
from resources_db.models import Incident
from tests.factories import auth, ok
from tests.workflow_factories import audit_rows, iso_ago, make_incident


def levels(incident: dict[str, Any]) -> list[str]:
    return [s["level"] for s in incident["escalations"] if s["kind"] == "report"]


def patch(client: TestClient, token: str, incident: dict[str, Any], **changes: Any) -> dict[str, Any]:
    headers = {**auth(token), "If-Match": f'"{incident["version"]}"'}
    return ok(client.patch(f"/api/v1/incidents/{incident['id']}", json=changes, headers=headers))  # type: ignore[no-any-return]


def age(app: FastAPI, incident_id: int, days: float) -> None:
    """Let `days` pass for one incident: its accident moves that much into the past."""
    with app.state.session_factory() as s:
        row = s.get(Incident, incident_id)
        assert row is not None
        s.execute(
            update(Incident)
            .where(Incident.id == incident_id)
            .values(occurred_at=row.occurred_at - timedelta(days=days))
        )
        s.commit()


@pytest.mark.parametrize(
    ("figures", "near_miss"),
    [
        ({"trapped": 3}, True),
        ({"trapped": 1, "missing": 2}, True),
        ({"trapped": 2}, False),
        ({"at_risk": 10}, True),
        ({"at_risk": 9}, False),
        ({"evacuated": 500}, True),
        ({"evacuated": 499}, False),
    ],
)
def test_near_miss_thresholds_give_a_province_chain(
    client: TestClient, tokens, figures: dict[str, int], near_miss: bool
) -> None:
    created = make_incident(client, tokens["operator"], type="water_rescue", **figures)
    assert created["severity"] == "ordinary"
    assert created["near_miss"] is near_miss
    assert levels(created) == (["county", "city", "province"] if near_miss else ["county", "city"])
    for name, value in figures.items():
        assert created[name] == value


def test_evacuation_reaching_500_extends_the_chain_as_a_near_miss(client: TestClient, tokens) -> None:
    created = make_incident(client, tokens["operator"], type="typhoon_flood", evacuated=120)
    updated = patch(client, tokens["operator"], created, evacuated=500)
    assert updated["near_miss"] is True
    assert levels(updated) == ["county", "city", "province"]
    city, province = (s for s in updated["escalations"] if s["level"] in ("city", "province"))
    assert province["due_at"] > city["due_at"]


def test_missing_persons_regrade_on_read_once_the_window_passes(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    # 10 fishermen missing after a fire on board: ordinary while they may be found, serious after 7 days.
    created = make_incident(client, tokens["operator"], type="fire", occurred_at=iso_ago(days=6), deaths=1, missing=10)
    assert created["severity"] == "ordinary"
    assert levels(created) == ["county", "city", "province"]  # 10 missing: a major near-miss already
    age(app, created["id"], days=2)
    got = ok(client.get(f"/api/v1/incidents/{created['id']}", headers=headers["observer"]))
    assert got["severity"] == "serious"
    assert got["deaths"] == 1  # the dead stay the dead; the grade counts the missing with them
    assert levels(got) == ["county", "city", "province", "national"]
    assert [a.actor for a in audit_rows(app, "incident", created["id"], ["incident.regrade_missing"])] == ["system"]
    again = ok(client.get(f"/api/v1/incidents/{created['id']}", headers=headers["observer"]))
    assert again["version"] == got["version"]


def test_missing_at_report_time_past_the_window_grades_at_once(client: TestClient, tokens) -> None:
    created = make_incident(client, tokens["operator"], type="mine", occurred_at=iso_ago(days=31), missing=3)
    assert created["severity"] == "major"
    within = make_incident(client, tokens["operator"], type="mine", occurred_at=iso_ago(days=29), missing=3)
    assert within["severity"] == "ordinary"


def test_housekeeping_regrades_long_missing(app: FastAPI, client: TestClient, tokens) -> None:
    created = make_incident(client, tokens["operator"], type="road_traffic", occurred_at=iso_ago(days=6), missing=3)
    untouched = make_incident(client, tokens["operator"], type="other", occurred_at=iso_ago(days=6), missing=3)
    age(app, created["id"], days=2)
    age(app, untouched["id"], days=2)
    with app.state.session_factory() as s:
        regraded = regrade_long_missing(session=s)
        s.commit()
    assert created["id"] in regraded
    assert untouched["id"] not in regraded  # 8 days is inside the 30-day window of other accidents
    with app.state.session_factory() as s:
        assert regrade_long_missing(session=s) == []  # nothing left to do


@pytest.fixture
def rule_off(database_url: str, world: object) -> Iterator[TestClient]:
    off = create_app(Settings(DATABASE_URL=database_url, ERCP_MISSING_COUNTS_AS_DEAD=False))
    try:
        yield TestClient(off)
    finally:
        off.state.engine.dispose()


def test_the_rule_is_a_setting(rule_off: TestClient, tokens) -> None:
    created = make_incident(rule_off, tokens["operator"], type="mine", occurred_at=iso_ago(days=31), missing=3)
    assert created["severity"] == "ordinary"
    assert created["near_miss"] is True
