"""Incidents over HTTP: intake and grading, the change record (audit + timeline + outbox), If-Match updates,
the state machine, filters and pagination, and bad input that must leave no trace."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import ok, unique
from tests.registry_factories import make_jurisdiction
from tests.workflow_factories import (
    assert_problem,
    audit_rows,
    error_fields,
    incident_body,
    iso_ago,
    make_incident,
    outbox_events,
    parse_ts,
    row_counts,
    start_drill,
    timeline_rows,
    transition,
)

URL = "/api/v1/incidents"


def if_match(headers: dict[str, str], version: int) -> dict[str, str]:
    return {**headers, "If-Match": f'"{version}"'}


def all_pages(client: TestClient, headers: dict[str, str], params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        q = {**params, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(URL, params=q, headers=headers))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination never ended")


# --- intake and grading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "severity"),
    [
        ({"deaths": 2}, "ordinary"),
        ({"deaths": 3}, "major"),
        ({"serious_injuries": 9}, "ordinary"),
        ({"serious_injuries": 10}, "major"),
        ({"direct_loss_cny": 49_999_999}, "major"),
        ({"direct_loss_cny": 50_000_000}, "serious"),
        ({"deaths": 1, "direct_loss_cny": 100_000_000}, "especially_serious"),
    ],
)
def test_report_is_graded_by_the_highest_figure(
    client: TestClient, tokens, headers, figures: dict[str, int], severity: str
) -> None:
    created = make_incident(client, tokens["operator"], **figures)
    assert created["severity"] == severity
    assert ok(client.get(f"{URL}/{created['id']}", headers=headers["observer"]))["severity"] == severity


def test_jurisdiction_is_resolved_from_coordinates_when_absent(client: TestClient, tokens) -> None:
    near_leicheng = make_incident(client, tokens["operator"], lat=20.914, lon=110.085)
    near_baisha = make_incident(client, tokens["operator"], lat=20.951, lon=110.159)
    assert near_leicheng["jurisdiction"] == "leicheng"
    assert near_baisha["jurisdiction"] == "baisha"
    # A neighbouring county never owns a Leizhou incident, even at its own centre.
    at_suixi = make_incident(client, tokens["operator"], lat=21.37, lon=110.25)
    assert at_suixi["jurisdiction"] != "suixi"
    explicit = make_incident(client, tokens["operator"], lat=20.914, lon=110.085, jurisdiction="baisha")
    assert explicit["jurisdiction"] == "baisha"


def test_report_writes_one_created_event_audit_row_and_timeline_entry_per_change(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    r = client.post(URL, json=incident_body(deaths=3), headers=headers["operator"])
    created = ok(r, 201)
    iid = created["id"]
    assert r.headers["Location"] == f"{URL}/{iid}"
    assert r.headers["ETag"] == f'"{created["version"]}"'
    assert created["status"] == "reported"
    assert created["reporter"] == "operator"
    assert created["is_drill"] is False

    events = outbox_events(app, "incident.created", value=iid)
    assert len(events) == 1
    assert events[0].data["severity"] == "major"
    assert events[0].drill_id is None

    # The incident itself plus its three reporting steps (county, city, province): four changes.
    incident_audit = audit_rows(app, "incident", iid)
    assert [(a.action, a.actor, a.role) for a in incident_audit] == [("incident.create", "operator", "operator")]
    assert incident_audit[0].before is None
    assert incident_audit[0].after is not None
    assert incident_audit[0].after["title"] == created["title"]
    steps = outbox_events(app, "escalation.due", key="incident_id", value=iid)
    assert len(steps) == 3
    step_audit = [a for s in steps for a in audit_rows(app, "escalation", s.data["id"])]
    assert [a.action for a in step_audit] == ["escalation.schedule"] * 3

    kinds = sorted(t.kind for t in timeline_rows(app, iid))
    assert kinds == ["escalation.schedule"] * 3 + ["incident.create"]
    api_timeline = ok(client.get(f"{URL}/{iid}/timeline", headers=headers["observer"]))["items"]
    assert api_timeline[0]["kind"] == "incident.create"
    assert api_timeline[0]["actor"] == "operator"
    assert len(api_timeline) == 4


def test_investigation_is_due_sixty_days_after_the_accident(client: TestClient, tokens) -> None:
    occurred = iso_ago(days=3, hours=2)
    created = make_incident(client, tokens["operator"], occurred_at=occurred)
    assert parse_ts(created["occurred_at"]) == parse_ts(occurred)
    assert parse_ts(created["investigation_due_at"]) == parse_ts(occurred) + timedelta(days=60)
    now_reported = make_incident(client, tokens["operator"])
    assert now_reported["occurred_at"] == now_reported["reported_at"]
    assert parse_ts(now_reported["investigation_due_at"]) == parse_ts(now_reported["reported_at"]) + timedelta(days=60)


def test_get_one_carries_etag_and_nearby_red_and_orange_hazards(client: TestClient, tokens, headers) -> None:
    lat, lon = 20.6011, 109.9011
    names = {}
    for risk, dlat in (("red", 0.004), ("orange", 0.006), ("yellow", 0.002), ("red", 0.05)):
        body = {
            "name": unique(f"hz-{risk}"),
            "kind": "ammonia_refrigeration",
            "risk_level": risk,
            "lat": lat + dlat,
            "lon": lon,
            "jurisdiction": "leicheng",
            "enterprise": "synthetic cold store",
            "responsible_person": "synthetic",
        }
        r = client.post("/api/v1/hazard-sources", json=body, headers=headers["admin"])
        names[(risk, dlat)] = ok(r, 201)["name"]
    created = make_incident(client, tokens["operator"], lat=lat, lon=lon, type="ammonia_leak")
    r = client.get(f"{URL}/{created['id']}", headers=headers["observer"])
    got = ok(r)
    assert r.headers["ETag"] == f'"{got["version"]}"'
    nearby = [h["name"] for h in got["nearby_hazards"]]
    # Nearest first; yellow and the one ~5.5 km away are not shown.
    assert nearby == [names[("red", 0.004)], names[("orange", 0.006)]]
    assert all(h["distance_km"] <= 1.0 for h in got["nearby_hazards"])
    # The report's own answer lists them too (its INSERT saw them in the search box, so they were fetched).
    assert created["nearby_hazards"] == got["nearby_hazards"]


# --- updates ---------------------------------------------------------------------------------------


def test_patch_with_if_match_regrades_and_records_incident_updated(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"])
    iid = created["id"]
    assert created["severity"] == "ordinary"
    r = client.patch(f"{URL}/{iid}", json={"deaths": 10}, headers=if_match(headers["operator"], created["version"]))
    updated = ok(r)
    assert updated["severity"] == "serious"
    assert updated["deaths"] == 10
    assert updated["version"] == created["version"] + 1
    assert r.headers["ETag"] == f'"{updated["version"]}"'

    events = outbox_events(app, "incident.updated", value=iid)
    assert len(events) == 1
    assert events[0].data["severity"] == "serious"
    audit = audit_rows(app, "incident", iid, ["incident.update"])
    assert len(audit) == 1
    assert audit[0].before == {"deaths": 0, "severity": "ordinary"}
    assert audit[0].after == {"deaths": 10, "severity": "serious"}
    assert "incident.update" in [t.kind for t in timeline_rows(app, iid)]


def test_patch_needs_if_match_and_refuses_a_stale_one_without_change(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"])
    url = f"{URL}/{created['id']}"
    assert_problem(client.patch(url, json={"deaths": 1}, headers=headers["operator"]), 428)
    ok(client.patch(url, json={"title": unique("renamed")}, headers=if_match(headers["operator"], created["version"])))
    before = row_counts(app)
    stale = client.patch(url, json={"deaths": 5}, headers=if_match(headers["operator"], created["version"]))
    problem = assert_problem(stale, 412)
    assert problem["type"].endswith("/stale-version")
    assert row_counts(app) == before
    assert ok(client.get(url, headers=headers["operator"]))["deaths"] == 0


def test_patch_without_a_real_change_keeps_the_version_and_writes_nothing(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"], deaths=1)
    before = row_counts(app)
    r = client.patch(
        f"{URL}/{created['id']}", json={"deaths": 1}, headers=if_match(headers["operator"], created["version"])
    )
    assert ok(r)["version"] == created["version"]
    assert row_counts(app) == before


def test_observer_and_team_leader_cannot_report_or_edit(client: TestClient, tokens, headers) -> None:
    created = make_incident(client, tokens["operator"])
    for who in ("observer", "leader"):
        assert_problem(client.post(URL, json=incident_body(), headers=headers[who]), 403)
        r = client.patch(f"{URL}/{created['id']}", json={"deaths": 1}, headers=if_match(headers[who], 1))
        assert_problem(r, 403)


# --- state machine ---------------------------------------------------------------------------------


def test_transitions_follow_the_machine_and_record_each_change(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"])
    iid = created["id"]
    statuses = ["verified", "responding", "contained", "closed"]
    last = created
    for status in statuses:
        r = client.post(f"{URL}/{iid}/transitions", json={"status": status, "note": "ok"}, headers=headers["operator"])
        body = ok(r)
        assert body["status"] == status
        assert body["version"] == last["version"] + 1
        assert r.headers["ETag"] == f'"{body["version"]}"'
        last = body
    events = outbox_events(app, "incident.status_changed", value=iid)
    assert [e.data["status"] for e in events] == statuses
    audit = audit_rows(app, "incident", iid, ["incident.status"])
    assert [a.after["status"] if a.after else None for a in audit] == statuses
    assert [t.kind for t in timeline_rows(app, iid)].count("incident.status") == 4


def test_illegal_transition_answers_409_with_allowed_and_changes_nothing(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"])
    url = f"{URL}/{created['id']}"
    before = row_counts(app)
    r = client.post(f"{url}/transitions", json={"status": "closed"}, headers=headers["operator"])
    problem = assert_problem(r, 409)
    assert problem["type"].endswith("/invalid-transition")
    assert problem["allowed"] == ["dismissed", "verified"]
    assert problem["current"] == "reported"
    assert row_counts(app) == before
    again = ok(client.get(url, headers=headers["operator"]))
    assert (again["status"], again["version"]) == ("reported", created["version"])

    transition(client, tokens["operator"], created["id"], "dismissed")
    final = client.post(f"{url}/transitions", json={"status": "verified"}, headers=headers["operator"])
    assert assert_problem(final, 409)["allowed"] == []


def test_casualty_updates_are_refused_once_closed_but_allowed_while_contained(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    created = make_incident(client, tokens["operator"])
    url = f"{URL}/{created['id']}"
    contained = transition(client, tokens["operator"], created["id"], "verified", "responding", "contained")
    r = client.patch(url, json={"serious_injuries": 2}, headers=if_match(headers["operator"], contained["version"]))
    still_open = ok(r)
    assert still_open["serious_injuries"] == 2
    closed = transition(client, tokens["operator"], created["id"], "closed")
    before = row_counts(app)
    refused = client.patch(url, json={"deaths": 4}, headers=if_match(headers["operator"], closed["version"]))
    assert assert_problem(refused, 409)["type"].endswith("/invalid-transition")
    assert row_counts(app) == before
    now = ok(client.get(url, headers=headers["operator"]))
    assert (now["deaths"], now["severity"], now["version"]) == (0, "ordinary", closed["version"])


# --- lists -----------------------------------------------------------------------------------------


def test_list_filters_by_status_severity_type_and_since(client: TestClient, tokens, headers) -> None:
    mine = make_incident(client, tokens["operator"], type="mine", deaths=3)
    since = mine["reported_at"]
    landslide = make_incident(client, tokens["operator"], type="landslide")
    verified = make_incident(client, tokens["operator"], type="landslide", deaths=12)
    transition(client, tokens["operator"], verified["id"], "verified")
    obs = headers["observer"]

    by_type = all_pages(client, obs, {"type": "mine", "limit": 500})
    assert mine["id"] in {i["id"] for i in by_type}
    assert {i["type"] for i in by_type} == {"mine"}

    by_severity = all_pages(client, obs, {"severity": "serious", "limit": 500})
    assert verified["id"] in {i["id"] for i in by_severity}
    assert {i["severity"] for i in by_severity} == {"serious"}

    by_status = all_pages(client, obs, {"status": "verified", "type": "landslide", "limit": 500})
    ids = {i["id"] for i in by_status}
    assert verified["id"] in ids
    assert landslide["id"] not in ids
    assert {(i["status"], i["type"]) for i in by_status} == {("verified", "landslide")}

    recent = all_pages(client, obs, {"since": since, "limit": 500})
    assert [i["id"] for i in recent if i["id"] in {mine["id"], landslide["id"], verified["id"]}] == [
        mine["id"],
        landslide["id"],
        verified["id"],
    ]
    assert all(parse_ts(i["reported_at"]) >= parse_ts(since) for i in recent)
    later = all_pages(client, obs, {"since": landslide["reported_at"], "limit": 500})
    assert mine["id"] not in {i["id"] for i in later}

    assert_problem(client.get(URL, params={"severity": "catastrophic"}, headers=obs), 422)
    assert_problem(client.get(URL, params={"since": "2024-01-01T00:00:00"}, headers=obs), 422)


def test_list_pages_through_every_incident_once_in_id_order(client: TestClient, tokens, headers) -> None:
    made = [make_incident(client, tokens["operator"], type="crowd_crush") for _ in range(5)]
    seen = all_pages(client, headers["observer"], {"since": made[0]["reported_at"], "limit": 2})
    ids = [i["id"] for i in seen]
    assert ids == sorted(set(ids))
    assert {m["id"] for m in made} <= set(ids)
    first = ok(client.get(URL, params={"since": made[0]["reported_at"], "limit": 2}, headers=headers["observer"]))
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    assert_problem(client.get(URL, params={"limit": 501}, headers=headers["observer"]), 422)
    assert_problem(client.get(URL, params={"cursor": "not-a-cursor"}, headers=headers["observer"]), 422)


def test_drill_incidents_stay_out_of_the_real_list(app: FastAPI, client: TestClient, tokens, headers) -> None:
    drill_id = start_drill(app)
    real = make_incident(client, tokens["operator"], type="gas_pipeline")
    exercise = make_incident(client, tokens["controller"], type="gas_pipeline", drill_id=drill_id)
    assert exercise["is_drill"] is True
    assert exercise["drill_id"] == drill_id
    obs = headers["observer"]
    default_ids = {i["id"] for i in all_pages(client, obs, {"type": "gas_pipeline", "limit": 500})}
    assert real["id"] in default_ids
    assert exercise["id"] not in default_ids
    drill_ids = {i["id"] for i in all_pages(client, obs, {"drill_id": drill_id, "limit": 500})}
    assert drill_ids == {exercise["id"]}
    both = {i["id"] for i in all_pages(client, obs, {"type": "gas_pipeline", "include_drills": True, "limit": 500})}
    assert {real["id"], exercise["id"]} <= both
    # A drill controller may not report a real incident.
    assert_problem(client.post(URL, json=incident_body(), headers=headers["controller"]), 403)


# --- bad input: 422 problem+json and nothing written -----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "hint"),
    [
        ({"type": "meteor_strike"}, "body.type", "road_traffic"),
        ({"lat": 91}, "body.lat", ""),
        ({"lon": -180.5}, "body.lon", ""),
        ({"status": "closed"}, "body.status", ""),
        ({"severity": "ordinary"}, "body.severity", ""),
        ({"reporter": "someone-else"}, "body.reporter", ""),
        ({"created_by": "someone-else"}, "body.created_by", ""),
        ({"occurred_at": "2024-05-01T08:00:00"}, "body.occurred_at", ""),
        ({"deaths": -1}, "body.deaths", ""),
        ({"serious_injuries": -3}, "body.serious_injuries", ""),
        ({"direct_loss_cny": -1}, "body.direct_loss_cny", ""),
        ({"title": "   "}, "body.title", ""),
        ({"jurisdiction": "atlantis"}, "body.jurisdiction", ""),
        ({"hazard_source_id": 987_654_321}, "body.hazard_source_id", ""),
        ({"drill_id": 987_654_321}, "body.drill_id", ""),
    ],
)
def test_bad_report_is_422_naming_the_field_and_writes_nothing(
    app: FastAPI, client: TestClient, headers, overrides: dict[str, Any], field: str, hint: str
) -> None:
    before = row_counts(app)
    r = client.post(
        URL, json=incident_body(**overrides), headers={**headers["operator"], "Idempotency-Key": unique("k")}
    )
    problem = assert_problem(r, 422)
    assert field in error_fields(problem), problem
    if hint:
        assert hint in str(problem), problem
    assert row_counts(app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "fire"}, "body.type"),
        ({"status": "closed"}, "body.status"),
        ({"severity": "serious"}, "body.severity"),
        ({"drill_id": 1}, "body.drill_id"),
        ({"reporter": "x"}, "body.reporter"),
        ({"lat": 91}, "body.lat"),
        ({"deaths": -1}, "body.deaths"),
        ({"direct_loss_cny": "lots"}, "body.direct_loss_cny"),
    ],
)
def test_bad_patch_is_422_and_changes_nothing(
    app: FastAPI, client: TestClient, tokens, headers, body: dict[str, Any], field: str
) -> None:
    created = make_incident(client, tokens["operator"])
    before = row_counts(app)
    r = client.patch(f"{URL}/{created['id']}", json=body, headers=if_match(headers["operator"], created["version"]))
    assert field in error_fields(assert_problem(r, 422))
    assert row_counts(app) == before
    assert ok(client.get(f"{URL}/{created['id']}", headers=headers["operator"]))["version"] == created["version"]


@pytest.mark.parametrize(
    ("body", "field", "hint"),
    [
        ({"status": "exploded"}, "body.status", "verified"),
        ({}, "body.status", ""),
        ({"status": "verified", "actor": "x"}, "body.actor", ""),
        ({"status": "verified", "note": "n" * 501}, "body.note", ""),
    ],
)
def test_bad_transition_is_422_naming_allowed_values_and_changes_nothing(
    app: FastAPI, client: TestClient, tokens, headers, body: dict[str, Any], field: str, hint: str
) -> None:
    created = make_incident(client, tokens["operator"])
    before = row_counts(app)
    r = client.post(f"{URL}/{created['id']}/transitions", json=body, headers=headers["operator"])
    problem = assert_problem(r, 422)
    assert field in error_fields(problem)
    if hint:
        assert hint in str(problem)
    assert row_counts(app) == before


def test_unknown_incident_is_404_problem(client: TestClient, headers) -> None:
    assert_problem(client.get(f"{URL}/987654321", headers=headers["observer"]), 404)
    r = client.patch(f"{URL}/987654321", json={"deaths": 1}, headers=if_match(headers["operator"], 1))
    assert_problem(r, 404)
    r = client.post(f"{URL}/987654321/transitions", json={"status": "verified"}, headers=headers["operator"])
    assert_problem(r, 404)
    assert_problem(client.get(f"{URL}/987654321/timeline", headers=headers["observer"]), 404)


def test_moving_an_incident_hands_it_to_the_town_where_it_now_is_unless_one_is_given(
    app: FastAPI, client: TestClient, tokens, headers
) -> None:
    tag = unique("mv").replace("-", "_")[:20]
    near, far = (
        make_jurisdiction(client, tokens["admin"], code=f"{tag}_{i}", kind="town", center_lat=lat, center_lon=110.6)
        for i, lat in enumerate((21.90, 22.30))
    )
    created = make_incident(client, tokens["operator"], lat=21.91, lon=110.6)
    assert created["jurisdiction"] == near["code"]
    url = f"{URL}/{created['id']}"

    moved = ok(client.patch(url, json={"lat": 22.29}, headers=if_match(headers["operator"], created["version"])))
    assert moved["jurisdiction"] == far["code"]
    audit = audit_rows(app, "incident", created["id"], ["incident.update"])
    assert audit[-1].before == {"lat": 21.91, "jurisdiction": near["code"]}
    assert audit[-1].after == {"lat": 22.29, "jurisdiction": far["code"]}

    # The operator's word wins over the nearest centre.
    body = {"lat": 22.28, "jurisdiction": near["code"]}
    kept = ok(client.patch(url, json=body, headers=if_match(headers["operator"], moved["version"])))
    assert kept["jurisdiction"] == near["code"]
    # A title change does not move it.
    renamed = ok(client.patch(url, json={"title": unique("t")}, headers=if_match(headers["operator"], kept["version"])))
    assert renamed["jurisdiction"] == near["code"]

    before = row_counts(app)
    unknown = client.patch(
        url, json={"jurisdiction": "nowhere"}, headers=if_match(headers["operator"], renamed["version"])
    )
    assert_problem(unknown, 422)
    assert row_counts(app) == before
