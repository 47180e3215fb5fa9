"""R5: a crash after the domain write and before commit leaves nothing behind — no domain row, and none of
its outbox, timeline or audit rows (DESIGN §9: the event is committed with the change or not at all)."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api import changes
from api.incidents import escalation_steps
from resources_db.models import Dispatch, Incident
from tests.conftest import World
from tests.factories import make_team, ok, unique
from tests.workflow_factories import assert_problem, incident_body, make_incident, row_counts, team_row


class InjectedCrash(RuntimeError):
    pass


@pytest.fixture
def crashing_client(app: FastAPI, world: World) -> TestClient:
    """Unhandled errors come back as the 500 the app answers, not as exceptions in the test."""
    return TestClient(app, raise_server_exceptions=False)


def test_crash_before_commit_of_a_report_leaves_no_incident_event_timeline_or_audit(
    app: FastAPI, crashing_client: TestClient, headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = escalation_steps.schedule_initial
    calls: list[int] = []

    def write_then_crash(**kwargs: Any) -> None:
        real(**kwargs)  # the escalation rows, their audit/timeline/outbox rows: all flushed
        calls.append(kwargs["incident"].id)
        raise InjectedCrash("injected after the domain write, before commit")

    monkeypatch.setattr(escalation_steps, "schedule_initial", write_then_crash)
    title = unique("r5-incident")
    key = unique("r5-key")
    before = row_counts(app)
    r = crashing_client.post(
        "/api/v1/incidents", json=incident_body(title=title), headers={**headers["operator"], "Idempotency-Key": key}
    )
    problem = assert_problem(r, 500)
    assert problem["type"].endswith("/internal-error")
    assert "injected" not in r.text  # no internals leak to the client
    assert len(calls) == 1, "the hook never ran: the test injected nothing"

    with app.state.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Incident).where(Incident.title == title)) == 0
        assert s.get(Incident, calls[0]) is None
    # Incidents, escalations, timeline, outbox, audit and the idempotency claim: all exactly as before.
    assert row_counts(app) == before

    # The key was released with the rollback: once the fault is gone the same request runs.
    monkeypatch.setattr(escalation_steps, "schedule_initial", real)
    created = ok(
        crashing_client.post(
            "/api/v1/incidents",
            json=incident_body(title=title),
            headers={**headers["operator"], "Idempotency-Key": key},
        ),
        201,
    )
    assert created["title"] == title


def test_crash_before_commit_of_a_dispatch_leaves_the_team_available_and_no_dispatch(
    app: FastAPI, client: TestClient, crashing_client: TestClient, tokens, headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = make_team(client, tokens["operator"])
    incident = make_incident(client, tokens["operator"])
    real = changes.record_change
    actions: list[str] = []

    def record_then_crash(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        actions.append(kwargs["action"])
        if kwargs["action"] == "dispatch.create":  # after the team UPDATE and the dispatch INSERT
            raise InjectedCrash("injected after the domain write, before commit")

    monkeypatch.setattr("api.dispatches.service.record_change", record_then_crash)
    before = row_counts(app)
    r = crashing_client.post(
        "/api/v1/dispatches", json={"incident_id": incident["id"], "team_id": team["id"]}, headers=headers["operator"]
    )
    assert_problem(r, 500)
    assert actions == ["team.status", "dispatch.create"], "the crash was not injected where intended"

    assert row_counts(app) == before
    with app.state.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Dispatch).where(Dispatch.team_id == team["id"])) == 0
    after = team_row(app, team["id"])
    assert (after.status, after.version) == ("available", team["version"])
    assert ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["observer"]))["status"] == "available"

    monkeypatch.setattr("api.dispatches.service.record_change", real)
    d = ok(
        client.post(
            "/api/v1/dispatches",
            json={"incident_id": incident["id"], "team_id": team["id"]},
            headers=headers["operator"],
        ),
        201,
    )
    client.post(f"/api/v1/dispatches/{d['id']}/status", json={"status": "cancelled"}, headers=headers["operator"])
