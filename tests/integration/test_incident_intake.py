"""The report path (`POST /incidents`) as written for throughput: the jurisdiction resolved inside the INSERT,
the change rows written as one batch, and a bounded number of statements per report."""

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Table, event, insert, select
from sqlalchemy.exc import IntegrityError

from api.changes import batch, record_change
from api.common.geo import haversine_km
from api.deps import Principal
from resources_db.base import utcnow
from resources_db.engine import one_round_trip
from resources_db.enums import JurisdictionKind, Role
from resources_db.models import AuditLog, Jurisdiction, OutboxEvent, TimelineEntry
from tests.factories import ok, unique
from tests.registry_factories import make_jurisdiction
from tests.workflow_factories import incident_body, row_counts

URL = "/api/v1/incidents"
# Far from the Leizhou box every other test reports in, so these centres never win anyone else's report.
FAR_LAT, FAR_LON = (30.0, 30.6), (120.0, 120.6)
# Claim the key, the incident (jurisdiction resolved inside), its chain, audit + timeline + outbox rows,
# nearby hazards, the stored answer; SQLite adds its BEGIN IMMEDIATE.
MAX_STATEMENTS = 9


def python_nearest(app: FastAPI, lat: float, lon: float) -> str:
    """The rule as plain Python: the nearest town or street by haversine (neighbours only if nothing else)."""
    with app.state.session_factory() as s:
        rows = s.execute(select(Jurisdiction.code, Jurisdiction.kind, Jurisdiction.center_lat, Jurisdiction.center_lon))
        candidates = list(rows)
    owning = [r for r in candidates if r.kind in (JurisdictionKind.town, JurisdictionKind.street)] or candidates
    return str(min(owning, key=lambda r: haversine_km(lat, lon, r.center_lat, r.center_lon)).code)


def test_resolved_jurisdiction_is_the_nearest_town_or_street_by_haversine(
    app: FastAPI, client: TestClient, tokens: dict[str, str], headers: dict[str, dict[str, str]]
) -> None:
    rng = random.Random(481)
    tag = unique("nj").replace("-", "_")
    for i, kind in enumerate(["town", "street", "town", "neighbor", "street", "neighbor"]):
        lat, lon = rng.uniform(*FAR_LAT), rng.uniform(*FAR_LON)
        make_jurisdiction(client, tokens["admin"], code=f"{tag}_{i}", kind=kind, center_lat=lat, center_lon=lon)
    points = [(rng.uniform(29.9, 30.7), rng.uniform(119.9, 120.7)) for _ in range(25)]
    mismatches = []
    for lat, lon in points:
        got = ok(client.post(URL, json=incident_body(lat=lat, lon=lon), headers=headers["operator"]), 201)
        expected = python_nearest(app, lat, lon)
        if got["jurisdiction"] != expected:
            mismatches.append((lat, lon, got["jurisdiction"], expected))
    assert mismatches == []


@contextmanager
def counted_statements(app: FastAPI) -> Iterator[list[str]]:
    """Statements of the request under test: those run by the thread that claims the Idempotency-Key.

    A live server started by another test runs its outbox relay on the same engine, in threads of its own.
    """
    seen: list[tuple[int, str]] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append((threading.get_ident(), statement))

    mine: list[str] = []
    event.listen(app.state.engine, "before_cursor_execute", count)
    try:
        yield mine
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
        claimer = next(thread for thread, statement in seen if "INSERT INTO idempotency_keys" in statement)
        mine += [statement for thread, statement in seen if thread == claimer]


def test_a_report_with_its_chain_and_idempotency_key_runs_a_bounded_number_of_statements(
    app: FastAPI, client: TestClient, headers: dict[str, dict[str, str]], backend: str
) -> None:
    body = incident_body(deaths=3)  # major: a three-step chain, so three escalations share one INSERT
    hdrs = {**headers["operator"], "Idempotency-Key": unique("key")}
    ok(client.post(URL, json=incident_body(), headers=headers["operator"]), 201)  # the caller is known (cached)
    with counted_statements(app) as seen:
        ok(client.post(URL, json=body, headers=hdrs), 201)
    assert any("INSERT INTO incidents" in statement for statement in seen)
    print(f"report statements backend={backend} count={len(seen)}")
    assert len(seen) <= MAX_STATEMENTS, "\n".join(seen)


def _principal() -> Principal:
    return Principal(user_id=0, username="batch-test", role=Role.operator, team_id=None)


def _record(session: Any, n: int) -> None:
    record_change(
        session,
        principal=_principal(),
        action="test.batch",
        entity="test",
        entity_id=n,
        before=None,
        after={"n": n},
        event_type="test.batch",
        event_data={"n": n},
        drill_id=None,
    )


def test_a_batch_writes_one_audit_row_and_event_per_change_in_order(app: FastAPI) -> None:
    with app.state.session_factory() as s:
        with batch(s):
            for n in range(3):
                _record(s, n)
            with batch(s):  # joins the outer batch
                _record(s, 3)
        # Read inside the same transaction, then roll back: nothing of this test reaches the event feed.
        audited = s.execute(
            select(AuditLog.entity_id, AuditLog.after).where(AuditLog.action == "test.batch").order_by(AuditLog.id)
        ).all()
        events = s.scalars(select(OutboxEvent.data).where(OutboxEvent.type == "test.batch").order_by(OutboxEvent.id))
        assert [(r.entity_id, r.after) for r in audited] == [(str(n), {"n": n}) for n in range(4)]
        assert list(events) == [{"n": n} for n in range(4)]
        s.rollback()


def _record_then_fail(session: Any) -> None:
    with batch(session):
        _record(session, 1)
        raise RuntimeError("fails inside the batch")


def test_a_batch_that_raises_writes_nothing(app: FastAPI) -> None:
    before = row_counts(app)
    with app.state.session_factory() as s:
        with pytest.raises(RuntimeError, match="inside the batch"):
            _record_then_fail(s)
        s.commit()
    assert row_counts(app) == before


def _orphan_timeline_row(conn: Connection) -> None:
    row = {"incident_id": -1, "at": utcnow(), "actor": "x", "kind": "x", "message": "x", "data": None}
    with one_round_trip(conn):
        conn.execute(insert(cast(Table, TimelineEntry.__table__)).inline(), [row, row])


def test_an_error_of_a_pipelined_statement_reads_like_any_other_database_error(app: FastAPI) -> None:
    """Queued statements fail when the round trip ends; the problem handlers still see IntegrityError (409)."""
    with app.state.session_factory() as s:
        with pytest.raises(IntegrityError):
            _orphan_timeline_row(s.connection())
        s.rollback()
