"""Follow-up reports while responding (twice a day serious/especially serious, daily major and near-miss),
numbered, until containment replaces the open one with the final report."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import auth, ok
from tests.workflow_factories import make_incident, parse_ts, transition

URL = "/api/v1/escalations"
SLACK = timedelta(minutes=2)


def detail(client: TestClient, headers: dict[str, str], incident_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/incidents/{incident_id}", headers=headers))  # type: ignore[no-any-return]


def of_kind(incident: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return sorted((s for s in incident["escalations"] if s["kind"] == kind), key=lambda s: s["id"])


@pytest.mark.parametrize(
    ("figures", "hours"),
    [({"deaths": 3}, 24), ({"evacuated": 600}, 24), ({"deaths": 10}, 12), ({"serious_injuries": 100}, 12)],
)
def test_follow_ups_at_the_cadence_until_contained_then_a_final_report(
    client: TestClient, tokens, headers, figures: dict[str, int], hours: int
) -> None:
    op = tokens["operator"]
    incident = make_incident(client, op, **figures)
    assert of_kind(incident, "follow_up") == []  # not before the response starts
    t0 = datetime.now(UTC)
    transition(client, op, incident["id"], "verified", "responding")
    got = detail(client, headers["observer"], incident["id"])
    (first,) = of_kind(got, "follow_up")
    assert first["sequence"] == 1
    assert t0 + timedelta(hours=hours) - SLACK <= parse_ts(first["due_at"]) <= t0 + timedelta(hours=hours) + SLACK

    ok(client.post(f"{URL}/{first['id']}/report", json={}, headers=auth(op)))
    got = detail(client, headers["observer"], incident["id"])
    second = of_kind(got, "follow_up")[1]
    assert second["sequence"] == 2
    assert parse_ts(second["due_at"]) == parse_ts(first["due_at"]) + timedelta(hours=hours)

    t1 = datetime.now(UTC)
    transition(client, op, incident["id"], "contained")
    got = detail(client, headers["observer"], incident["id"])
    assert [s["withdrawn"] for s in of_kind(got, "follow_up")] == [False, True]
    (final,) = of_kind(got, "final")
    final_due = parse_ts(final["due_at"])
    assert t1 + timedelta(hours=hours) - SLACK <= final_due <= datetime.now(UTC) + timedelta(hours=hours)
    ok(client.post(f"{URL}/{final['id']}/report", json={}, headers=auth(op)))
    transition(client, op, incident["id"], "closed")
    closed = detail(client, headers["observer"], incident["id"])
    assert [(s["id"], s["reported_at"] is not None) for s in of_kind(closed, "final")] == [(final["id"], True)]
    assert len(of_kind(closed, "follow_up")) == 2  # closing owes no further report


def test_ordinary_incidents_have_no_follow_ups(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], deaths=1)
    transition(client, tokens["operator"], incident["id"], "verified", "responding", "contained")
    got = detail(client, headers["observer"], incident["id"])
    assert {s["kind"] for s in got["escalations"]} == {"report"}


def test_regrade_while_responding_starts_the_follow_ups(client: TestClient, tokens, headers) -> None:
    op = tokens["operator"]
    incident = make_incident(client, op)
    responding = transition(client, op, incident["id"], "verified", "responding")
    r = client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"deaths": 10},
        headers={**auth(op), "If-Match": f'"{responding["version"]}"'},
    )
    got = ok(r)
    assert got["severity"] == "serious"
    assert [s["sequence"] for s in of_kind(got, "follow_up")] == [1]
