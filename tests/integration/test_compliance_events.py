"""Overdue compliance clocks become `compliance.overdue` events, once per clock and due date."""

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.compliance.announce import announce_overdue
from resources_db.models import OutboxEvent
from tests.enterprise_factories import make_enterprise, record_drill
from tests.registry_factories import make_jurisdiction


def _announced(app: FastAPI, enterprise_id: int) -> list[dict[str, Any]]:
    with app.state.session_factory() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "compliance.overdue").order_by(OutboxEvent.id))
        return [e.data for e in rows if e.data["enterprise_id"] == enterprise_id]


def _sweep(app: FastAPI, today: date) -> None:
    with app.state.session_factory() as s:
        announce_overdue(session=s, today=today)
        s.commit()


def test_an_overdue_drill_is_announced_once_and_again_after_the_next_lapse(app: FastAPI, client: TestClient, tokens):
    town = make_jurisdiction(client, tokens["admin"])["code"]
    e = make_enterprise(client, tokens["admin"], jurisdiction=town)
    record_drill(client, tokens["admin"], e["id"], held_on="2025-01-10", reported_on=None)
    _sweep(app, date(2025, 7, 10))  # due that day: not overdue yet
    assert _announced(app, e["id"]) == []
    _sweep(app, date(2025, 7, 11))
    _sweep(app, date(2025, 7, 12))
    [first] = _announced(app, e["id"])
    assert (first["kind"], first["due_on"], first["overdue_since"]) == ("drill", "2025-07-10", "2025-07-11")
    record_drill(client, tokens["admin"], e["id"], held_on="2025-08-01", reported_on=None)
    _sweep(app, date(2026, 2, 2))
    assert [a["due_on"] for a in _announced(app, e["id"])] == ["2025-07-10", "2026-02-01"]
