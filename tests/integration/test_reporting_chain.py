"""The chain at a glance (art. 9–11): the incident's detail carries its steps and next deadline, and deadlines
chain from the level below's report — after reports on time and late, and after an upward re-grade."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import ok
from tests.workflow_factories import iso_ago, make_incident, parse_ts

URL = "/api/v1/escalations"


def get(client: TestClient, headers: dict[str, str], incident_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/incidents/{incident_id}", headers=headers))  # type: ignore[no-any-return]


def file(client: TestClient, headers: dict[str, str], step_id: int) -> dict[str, Any]:
    return ok(client.post(f"{URL}/{step_id}/report", json={}, headers=headers))  # type: ignore[no-any-return]


def report_steps(incident: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in incident["escalations"] if s["kind"] == "report"]


def dues(incident: dict[str, Any]) -> list[Any]:
    return [parse_ts(s["due_at"]) for s in report_steps(incident)]


@pytest.mark.parametrize(
    ("figures", "levels"),
    [
        ({}, ["county", "city"]),
        ({"deaths": 3}, ["county", "city", "province"]),
        ({"serious_injuries": 50}, ["county", "city", "province", "national"]),
        ({"deaths": 30}, ["county", "city", "province", "national"]),
    ],
)
def test_new_report_answers_with_its_chain_and_next_deadline(
    client: TestClient, tokens, headers, figures: dict[str, int], levels: list[str]
) -> None:
    occurred = iso_ago(minutes=5)
    created = make_incident(client, tokens["operator"], occurred_at=occurred, **figures)
    assert [s["level"] for s in report_steps(created)] == levels
    assert dues(created) == [parse_ts(occurred) + timedelta(hours=1 + 2 * i) for i in range(len(levels))]
    assert created["next_deadline"] == created["escalations"][0]
    assert created["next_deadline"]["level"] == "county"
    assert get(client, headers["observer"], created["id"])["escalations"] == created["escalations"]


def test_each_level_chains_from_the_report_below_on_time_and_late(client: TestClient, tokens, headers) -> None:
    occurred = parse_ts(iso_ago(hours=4))
    incident = make_incident(client, tokens["operator"], occurred_at=occurred.isoformat(), deaths=30)
    county, city, province, national = report_steps(incident)
    assert [s["late"] for s in (county, city, province, national)] == [True, True, False, False]

    late = file(client, headers["operator"], county["id"])  # 3 h late
    assert late["late"] is True
    got = get(client, headers["observer"], incident["id"])
    received = parse_ts(late["reported_at"])
    assert dues(got) == [
        occurred + timedelta(hours=1),
        received + timedelta(hours=2),
        received + timedelta(hours=4),
        received + timedelta(hours=6),
    ]
    assert [s["late"] for s in report_steps(got)] == [True, False, False, False]
    assert got["next_deadline"]["id"] == city["id"]

    on_time = file(client, headers["operator"], city["id"])
    assert on_time["late"] is False
    got = get(client, headers["observer"], incident["id"])
    at_city = parse_ts(on_time["reported_at"])
    assert dues(got)[2:] == [at_city + timedelta(hours=2), at_city + timedelta(hours=4)]
    assert got["next_deadline"]["id"] == province["id"]
    for step in (province, national):
        assert file(client, headers["operator"], step["id"])["late"] is False
    assert get(client, headers["observer"], incident["id"])["next_deadline"] is None


def test_regrade_to_major_puts_the_province_after_the_city(client: TestClient, tokens, headers) -> None:
    occurred = parse_ts(iso_ago(minutes=10))
    incident = make_incident(client, tokens["operator"], occurred_at=occurred.isoformat())
    r = client.patch(
        f"/api/v1/incidents/{incident['id']}", json={"deaths": 3}, headers={**headers["operator"], "If-Match": '"1"'}
    )
    major = ok(r)
    assert major["severity"] == "major"
    county, city, province = report_steps(major)
    assert [s["level"] for s in (county, city, province)] == ["county", "city", "province"]
    # The province hears from the city: 2 h after the city's deadline, never before it.
    assert parse_ts(city["due_at"]) == occurred + timedelta(hours=3)
    assert parse_ts(province["due_at"]) == occurred + timedelta(hours=5)
    assert parse_ts(province["due_at"]) > parse_ts(city["due_at"])
    assert r.headers["ETag"] == f'"{major["version"]}"'
