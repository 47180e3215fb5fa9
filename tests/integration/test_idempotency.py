"""R3: Idempotency-Key on POST /incidents (and /dispatches), DESIGN §10 and api/common/idempotency.py.

Documented behaviour under concurrency: the first request with a key runs and answers 201; a duplicate that
arrives while it runs gets 409 (retry later); one that arrives after it finished gets the stored answer
replayed identically with `Idempotent-Replayed: true`. Which of the two a concurrent duplicate sees depends
on timing (on SQLite writers are queued, so duplicates are mostly replays), so both are accepted — but the
stored effect happens exactly once per key, and every 201 for a key carries the same body.
"""

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import Incident
from tests.concurrency import Answer, crowd, p95
from tests.factories import auth, make_team, ok, unique
from tests.workflow_factories import assert_problem, incident_body, make_incident, row_counts

URL = "/api/v1/incidents"
KEYS = 50
DUPLICATES = 4


def incidents_titled(app: FastAPI, prefix: str) -> int:
    with app.state.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(Incident).where(Incident.title.like(f"{prefix}%"))) or 0)


def replayed(a: Answer | httpx.Response) -> bool:
    return {k.lower(): v for k, v in a.headers.items()}.get("idempotent-replayed") == "true"


def test_r3_fifty_keys_four_concurrent_duplicates_and_a_late_retry_create_fifty_incidents(
    app: FastAPI, client: TestClient, tokens, live_url: str, backend: str
) -> None:
    tag = unique("r3")
    hdrs = auth(tokens["operator"])
    keys = [f"{tag}-key-{k}" for k in range(KEYS)]
    bodies = [incident_body(title=f"{tag}-{k}", deaths=k % 4, lat=20.9 + k / 1000) for k in range(KEYS)]

    def send(http: httpx.Client, i: int) -> httpx.Response:
        k = i // DUPLICATES
        return http.post(URL, json=bodies[k], headers={**hdrs, "Idempotency-Key": keys[k]})

    with crowd(live_url, KEYS * DUPLICATES) as c:
        burst = c.run(send)
    with crowd(live_url, KEYS) as c:
        late = c.run(lambda http, k: http.post(URL, json=bodies[k], headers={**hdrs, "Idempotency-Key": keys[k]}))
        other = c.run(
            lambda http, k: http.post(
                URL, json={**bodies[k], "deaths": 9}, headers={**hdrs, "Idempotency-Key": keys[k]}
            )
        )

    answers = burst + late + other
    server_errors = sum(a.status >= 500 for a in answers)
    created = replays = inflight = 0
    per_key_ok = 0
    for k in range(KEYS):
        group = burst[k * DUPLICATES : (k + 1) * DUPLICATES]
        fresh = [a for a in group if a.status == 201 and not replayed(a)]
        again = [a for a in group if a.status == 201 and replayed(a)]
        busy = [a for a in group if a.status == 409 and "in progress" in str(a.body.get("detail", ""))]
        created += len(fresh)
        replays += len(again) + (late[k].status == 201 and replayed(late[k]))
        inflight += len(busy)
        first = fresh[0] if len(fresh) == 1 else None
        if (
            first is not None
            and len(fresh) + len(again) + len(busy) == DUPLICATES
            and all(a.body == first.body for a in again)
            and all(a.headers.get("location") == first.headers.get("location") for a in again)
            and late[k].status == 201
            and replayed(late[k])
            and late[k].body == first.body
            and late[k].headers.get("location") == first.headers.get("location")
            and late[k].headers.get("etag") == first.headers.get("etag")
            and other[k].status == 422
        ):
            per_key_ok += 1
    stored = incidents_titled(app, f"{tag}-")
    ids = {a.body.get("id") for a in burst + late if a.status == 201}
    print(
        f"R3 idempotency backend={backend} keys={KEYS} requests={len(burst) + len(late)} created={created} "
        f"replays={replays} inflight_409={inflight} 5xx={server_errors} p95_ms={p95([a.ms for a in burst]):.0f}"
    )
    assert server_errors == 0
    assert created == KEYS
    assert stored == KEYS
    assert len(ids) == KEYS
    assert per_key_ok == KEYS
    assert all(a.status == 422 for a in other)
    assert all(a.headers["content-type"].startswith("application/problem+json") for a in other)
    assert incidents_titled(app, f"{tag}-") == KEYS  # the 422s wrote nothing


def test_replay_returns_the_first_answer_even_after_the_incident_changed(client: TestClient, tokens, headers) -> None:
    key = unique("key")
    body = incident_body()
    hdrs = {**headers["operator"], "Idempotency-Key": key}
    first = client.post(URL, json=body, headers=hdrs)
    created = ok(first, 201)
    assert not replayed(first)
    etag = {**headers["operator"], "If-Match": f'"{created["version"]}"'}
    assert ok(client.patch(f"{URL}/{created['id']}", json={"deaths": 3}, headers=etag))["severity"] == "major"
    again = client.post(URL, json=body, headers=hdrs)
    assert ok(again, 201) == created
    assert replayed(again)
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]


def test_same_key_with_another_body_is_422_and_writes_nothing(app: FastAPI, client: TestClient, headers) -> None:
    key = unique("key")
    hdrs = {**headers["operator"], "Idempotency-Key": key}
    ok(client.post(URL, json=incident_body(), headers=hdrs), 201)
    before = row_counts(app)
    r = client.post(URL, json=incident_body(), headers=hdrs)
    problem = assert_problem(r, 422)
    assert "header.Idempotency-Key" in [e["field"] for e in problem["errors"]]
    assert row_counts(app) == before


def test_same_key_from_two_users_does_not_collide(app: FastAPI, client: TestClient, headers) -> None:
    key = unique("shared-key")
    body = incident_body()
    a = client.post(URL, json=body, headers={**headers["operator"], "Idempotency-Key": key})
    b = client.post(URL, json=body, headers={**headers["admin"], "Idempotency-Key": key})
    first, second = ok(a, 201), ok(b, 201)
    assert not replayed(a)
    assert not replayed(b)
    assert first["id"] != second["id"]
    assert (first["reporter"], second["reporter"]) == ("operator", "admin")
    assert incidents_titled(app, body["title"]) == 2


def test_failed_first_request_releases_the_key_so_a_retry_runs_anew(app: FastAPI, client: TestClient, headers) -> None:
    """A domain error after the key was claimed (unknown hazard source) stores no answer: the same failing
    body fails the same way again (not 409, not a replay), and — as documented, "a retry runs anew" — the
    corrected request with the same key then runs."""
    key = unique("key")
    hdrs = {**headers["operator"], "Idempotency-Key": key}
    failing = incident_body(hazard_source_id=987_654_321)
    before = row_counts(app)
    for _ in range(2):
        r = client.post(URL, json=failing, headers=hdrs)
        problem = assert_problem(r, 422)
        assert "body.hazard_source_id" in [e["field"] for e in problem["errors"]]
        assert not replayed(r)
    assert row_counts(app) == before
    corrected = {**failing, "hazard_source_id": None}
    done = client.post(URL, json=corrected, headers=hdrs)
    created = ok(done, 201)
    assert not replayed(done)
    again = client.post(URL, json=corrected, headers=hdrs)
    assert ok(again, 201) == created
    assert replayed(again)
    assert incidents_titled(app, failing["title"]) == 1


def test_dispatch_honours_idempotency_key(app: FastAPI, client: TestClient, tokens, headers) -> None:
    team = make_team(client, tokens["operator"])
    incident = make_incident(client, tokens["operator"])
    hdrs = {**headers["operator"], "Idempotency-Key": unique("key")}
    body = {"incident_id": incident["id"], "team_id": team["id"]}
    first = ok(client.post("/api/v1/dispatches", json=body, headers=hdrs), 201)
    again = client.post("/api/v1/dispatches", json=body, headers=hdrs)
    assert ok(again, 201) == first
    assert replayed(again)
    listed = ok(client.get("/api/v1/dispatches", params={"team_id": team["id"]}, headers=headers["operator"]))
    assert [d["id"] for d in listed["items"]] == [first["id"]]
    other = make_incident(client, tokens["operator"])
    r = client.post("/api/v1/dispatches", json={**body, "incident_id": other["id"]}, headers=hdrs)
    assert_problem(r, 422)
    client.post(f"/api/v1/dispatches/{first['id']}/status", json={"status": "cancelled"}, headers=headers["operator"])


def test_blank_or_oversized_key_is_422(client: TestClient, headers) -> None:
    for key in ("", "k" * 256):
        r = client.post(URL, json=incident_body(), headers={**headers["operator"], "Idempotency-Key": key})
        assert_problem(r, 422)


def test_key_claim_is_not_left_behind_by_a_refused_request(app: FastAPI, client: TestClient, headers) -> None:
    """A 403 (wrong role) answers before the key is claimed: the key stays free for the rightful user."""
    key = unique("key")
    body = incident_body()
    assert_problem(client.post(URL, json=body, headers={**headers["observer"], "Idempotency-Key": key}), 403)
    r = client.post(URL, json=body, headers={**headers["operator"], "Idempotency-Key": key})
    assert not replayed(r)
    ok(r, 201)


def test_housekeeping_removes_only_expired_keys(app: FastAPI) -> None:
    from datetime import timedelta

    from api.common.idempotency import purge_expired
    from resources_db.base import utcnow
    from resources_db.models import IdempotencyKey

    now = utcnow()
    tag = unique("purge")
    with app.state.session_factory() as s:
        for name, expires in (("old", now - timedelta(seconds=1)), ("live", now + timedelta(hours=1))):
            s.add(
                IdempotencyKey(
                    principal=tag,
                    scope="POST /x",
                    key=name,
                    request_hash="h",
                    status_code=201,
                    response_body={},
                    created_at=now,
                    expires_at=expires,
                )
            )
        s.commit()
        assert purge_expired(s) >= 1
        s.commit()
        left = {k.key for k in s.query(IdempotencyKey).filter_by(principal=tag)}
    assert left == {"live"}
