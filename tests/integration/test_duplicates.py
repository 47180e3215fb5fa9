"""Repeat calls: `POST /incidents` offers possible duplicates at the window's edges, and
`POST /incidents/{id}/duplicate-of` closes a report as one — or refuses clearly and changes nothing."""

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.common.geo import EARTH_RADIUS_KM
from tests.factories import auth, make_team, ok
from tests.workflow_factories import (
    assert_problem,
    make_dispatch,
    make_incident,
    outbox_events,
    row_counts,
    start_drill,
    timeline_rows,
)

METRES_PER_DEG_LAT = EARTH_RADIUS_KM * 1000 * math.pi / 180
_spots = random.Random(20240906)


def spot() -> tuple[float, float]:
    """A place of its own in the (synthetic) Leizhou box: the session's other incidents are kilometres away."""
    return round(_spots.uniform(20.50, 21.10), 5), round(_spots.uniform(109.75, 110.30), 5)


def at(base: tuple[float, float], north_m: float) -> dict[str, float]:
    return {"lat": base[0] + north_m / METRES_PER_DEG_LAT, "lon": base[1]}


def candidates(created: dict[str, Any]) -> list[int]:
    return [d["id"] for d in created["possible_duplicates"]]


def link(client: TestClient, headers: dict[str, str], duplicate: int, primary: int) -> Any:
    return client.post(f"/api/v1/incidents/{duplicate}/duplicate-of", json={"incident_id": primary}, headers=headers)


@pytest.fixture
def base(client: TestClient, tokens) -> tuple[tuple[float, float], datetime, dict[str, Any]]:
    where = spot()
    occurred = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=40)
    primary = make_incident(
        client, tokens["operator"], type="typhoon_flood", occurred_at=occurred.isoformat(), **at(where, 0)
    )
    assert candidates(primary) == []
    return where, occurred, primary


@pytest.mark.parametrize(
    ("north_m", "minutes", "type_", "listed"),
    [
        (0, 0, "typhoon_flood", True),
        (490, 0, "typhoon_flood", True),
        (510, 0, "typhoon_flood", False),
        (0, 30, "typhoon_flood", True),
        (0, -30, "typhoon_flood", True),
        (0, 31, "typhoon_flood", False),
        (100, 5, "water_rescue", True),
        (100, 5, "other", True),
        (100, 5, "fire", False),
        (100, 5, "special_equipment", False),
    ],
)
def test_possible_duplicates_at_the_windows_edges(
    client: TestClient, tokens, base, north_m: float, minutes: int, type_: str, listed: bool
) -> None:
    where, occurred, primary = base
    created = make_incident(
        client,
        tokens["operator"],
        type=type_,
        occurred_at=(occurred + timedelta(minutes=minutes)).isoformat(),
        **at(where, north_m),
    )
    assert candidates(created) == ([primary["id"]] if listed else [])
    if listed:
        found = created["possible_duplicates"][0]
        assert abs(found["distance_m"] - north_m) <= 1
        assert found["minutes_apart"] == abs(minutes)
        assert f"{found['distance_m']} m away" in found["reason"]
        assert found["status"] == "reported"


def test_nearest_first_and_never_closed_or_drill_incidents(app: FastAPI, client: TestClient, tokens, headers) -> None:
    where = spot()
    op = tokens["operator"]
    far = make_incident(client, op, type="typhoon_flood", **at(where, 400))
    near = make_incident(client, op, type="typhoon_flood", **at(where, 50))
    dismissed = make_incident(client, op, type="typhoon_flood", **at(where, 10))
    ok(client.post(f"/api/v1/incidents/{dismissed['id']}/transitions", json={"status": "dismissed"}, headers=auth(op)))
    drill_id = start_drill(app)
    in_drill = make_incident(client, tokens["controller"], type="typhoon_flood", drill_id=drill_id, **at(where, 0))
    assert candidates(in_drill) == []  # a drill report never duplicates a real incident

    created = make_incident(client, op, type="typhoon_flood", **at(where, 0))
    assert candidates(created) == [near["id"], far["id"]]
    again_in_drill = make_incident(
        client, tokens["controller"], type="typhoon_flood", drill_id=drill_id, **at(where, 5)
    )
    assert candidates(again_in_drill) == [in_drill["id"]]


def test_linking_closes_the_duplicate_and_tells_the_primary(app: FastAPI, client: TestClient, tokens, headers) -> None:
    where = spot()
    # Both occurred 10 min ago: their county steps are due within the board's horizon.
    primary = make_incident(
        client,
        tokens["operator"],
        type="typhoon_flood",
        occurred_at=(datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        **at(where, 0),
    )
    repeat = make_incident(
        client,
        tokens["operator"],
        type="typhoon_flood",
        address="雷城街道 西湖大道 12 号",
        occurred_at=(datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        **at(where, 80),
    )
    assert candidates(repeat) == [primary["id"]]
    open_steps = [s["id"] for s in repeat["escalations"]]

    r = link(client, headers["operator"], repeat["id"], primary["id"])
    closed = ok(r)
    assert (closed["status"], closed["duplicate_of"]) == ("closed", primary["id"])
    assert r.headers["ETag"] == f'"{closed["version"]}"'
    detail = ok(client.get(f"/api/v1/incidents/{repeat['id']}", headers=headers["observer"]))
    assert all(s["withdrawn"] for s in detail["escalations"])
    assert detail["next_deadline"] is None
    for step_id in open_steps:
        assert len(outbox_events(app, "escalation.withdrawn", value=step_id)) == 1
        assert_problem(client.post(f"/api/v1/escalations/{step_id}/report", json={}, headers=headers["operator"]), 409)
    assert len(outbox_events(app, "incident.status_changed", value=repeat["id"])) == 1
    told = outbox_events(app, "incident.updated", value=primary["id"])
    assert [e.data["duplicate_linked"] for e in told] == [repeat["id"]]

    notes = [t for t in timeline_rows(app, primary["id"]) if t.kind == "incident.duplicate_linked"]
    assert len(notes) == 1
    assert "雷城街道 西湖大道 12 号" in notes[0].message
    assert notes[0].data is not None
    caller = notes[0].data["after"]["duplicate"]
    assert (caller["incident_id"], caller["reporter"]) == (repeat["id"], "operator")
    board = ok(client.get("/api/v1/situation", headers=headers["observer"]))["escalations"]
    on_board = {e["id"] for e in board["due"] + board["late"]}
    assert on_board.isdisjoint(open_steps)
    assert primary["next_deadline"]["id"] in on_board  # the county step, due in 50 min like the repeat's was
    # A primary stays open and is offered to the next caller; the closed duplicate is not.
    third = make_incident(client, tokens["operator"], type="typhoon_flood", **at(where, 40))
    assert candidates(third) == [primary["id"]]


def test_bad_links_are_refused_and_change_nothing(app: FastAPI, client: TestClient, tokens, headers) -> None:
    where = spot()
    op, h = tokens["operator"], headers["operator"]
    primary = make_incident(client, op, type="fire", **at(where, 0))
    repeat = make_incident(client, op, type="fire", **at(where, 30))
    ok(link(client, h, repeat["id"], primary["id"]))
    other = make_incident(client, op, type="fire", **at(where, 60))
    drill_id = start_drill(app)
    in_drill = make_incident(client, tokens["controller"], type="fire", drill_id=drill_id, **at(where, 0))
    other_drill = make_incident(client, tokens["controller"], type="fire", drill_id=start_drill(app), **at(where, 5))
    assert candidates(other_drill) == []  # nor is one drill's report a duplicate of another drill's
    team = make_team(client, tokens["admin"], base_lat=where[0], base_lon=where[1])
    busy = make_incident(client, op, type="fire", **at(where, 90))
    make_dispatch(client, op, busy["id"], team["id"])

    before = row_counts(app)
    cases = [
        (link(client, h, repeat["id"], primary["id"]), 409),  # twice
        (link(client, h, other["id"], other["id"]), 422),  # itself
        (link(client, h, other["id"], in_drill["id"]), 422),  # real → drill
        (link(client, headers["controller"], in_drill["id"], other["id"]), 422),  # drill → real
        (link(client, headers["controller"], other_drill["id"], in_drill["id"]), 422),  # drill → another drill
        (link(client, h, other["id"], 987654321), 422),  # no such incident
        (link(client, h, other["id"], repeat["id"]), 409),  # to a duplicate
        (link(client, h, busy["id"], primary["id"]), 409),  # a team is on its way
        (link(client, headers["observer"], other["id"], primary["id"]), 403),
        (client.post(f"/api/v1/incidents/{other['id']}/duplicate-of", json={}, headers=h), 422),
    ]
    for response, status in cases:
        assert_problem(response, status)
    assert "body.incident_id" in [e["field"] for e in cases[1][0].json()["errors"]]
    assert row_counts(app) == before
    still = ok(client.get(f"/api/v1/incidents/{other['id']}", headers=h))
    assert (still["status"], still["duplicate_of"]) == ("reported", None)
    patch = client.patch(f"/api/v1/incidents/{repeat['id']}", json={"deaths": 1}, headers={**h, "If-Match": '"2"'})
    assert_problem(patch, 409)
