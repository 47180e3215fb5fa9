"""Factories for incidents and dispatches, through the API, and small database probes for the workflow tests."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import (
    AuditLog,
    Dispatch,
    Drill,
    Escalation,
    IdempotencyKey,
    Incident,
    OutboxEvent,
    RescueTeam,
    TimelineEntry,
)
from tests.factories import auth, ok, unique

PROBLEM_JSON = "application/problem+json"
COUNTED_TABLES: tuple[type[Any], ...] = (
    Incident,
    Escalation,
    TimelineEntry,
    OutboxEvent,
    AuditLog,
    Dispatch,
    IdempotencyKey,
)


def incident_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": unique("incident"), "type": "fire", "lat": 20.92, "lon": 110.09}
    body.update(overrides)
    return body


def make_incident(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/incidents", json=incident_body(**overrides), headers=auth(token)), 201)  # type: ignore[no-any-return]


def make_dispatch(client: TestClient, token: str, incident_id: int, team_id: int) -> dict[str, Any]:
    body = {"incident_id": incident_id, "team_id": team_id}
    return ok(client.post("/api/v1/dispatches", json=body, headers=auth(token)), 201)  # type: ignore[no-any-return]


def set_dispatch_status(client: TestClient, token: str, dispatch_id: int, status: str) -> dict[str, Any]:
    r = client.post(f"/api/v1/dispatches/{dispatch_id}/status", json={"status": status}, headers=auth(token))
    return ok(r)  # type: ignore[no-any-return]


def transition(client: TestClient, token: str, incident_id: int, *statuses: str) -> dict[str, Any]:
    """Walk the incident through `statuses` in order; the last answer."""
    body: dict[str, Any] = {}
    for status in statuses:
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"status": status}, headers=auth(token))
        body = ok(r)
    return body


def iso_ago(**delta: float) -> str:
    """An aware UTC timestamp `delta` ago, ISO 8601."""
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def row_counts(app: FastAPI) -> dict[str, int]:
    """Rows per table that a write could touch: compare before/after a refused request."""
    with app.state.session_factory() as s:
        return {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0) for m in COUNTED_TABLES}


def outbox_events(app: FastAPI, type_: str, *, key: str = "id", value: object) -> list[OutboxEvent]:
    """Outbox rows of `type_` whose data[key] == value, in insertion order."""
    with app.state.session_factory() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
        return [e for e in rows if e.data.get(key) == value]


def audit_rows(app: FastAPI, entity: str, entity_id: object, actions: Iterable[str] | None = None) -> list[AuditLog]:
    with app.state.session_factory() as s:
        stmt = select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))
        if actions is not None:
            stmt = stmt.where(AuditLog.action.in_(list(actions)))
        return list(s.scalars(stmt.order_by(AuditLog.id)))


def timeline_rows(app: FastAPI, incident_id: int) -> list[TimelineEntry]:
    with app.state.session_factory() as s:
        return list(s.scalars(select(TimelineEntry).where(TimelineEntry.incident_id == incident_id)))


def team_row(app: FastAPI, team_id: int) -> RescueTeam:
    with app.state.session_factory() as s:
        team: RescueTeam | None = s.get(RescueTeam, team_id)
        assert team is not None
        return team


def start_drill(app: FastAPI, started_by: str = "controller") -> int:
    """A running drill, written straight to the database (drills have no HTTP route yet)."""
    with app.state.session_factory() as s:
        drill = Drill(name=unique("drill"), scenario=None, started_by=started_by)
        s.add(drill)
        s.commit()
        return drill.id


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; its body."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


def error_fields(problem: dict[str, Any]) -> list[str]:
    return [str(e["field"]) for e in problem.get("errors", [])]
