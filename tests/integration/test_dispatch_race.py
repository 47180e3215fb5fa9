"""R1: 50 concurrent dispatches of one available team, 20 rounds: exactly one wins each round."""

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resources_db.models import Dispatch, OutboxEvent
from tests.concurrency import crowd, p95
from tests.factories import auth, make_team
from tests.workflow_factories import make_incident

ROUNDS = 20
CLIENTS = 50


def test_r1_exactly_one_of_fifty_concurrent_dispatches_wins(
    app: FastAPI, client: TestClient, tokens, live_url: str, backend: str
) -> None:
    incident = make_incident(client, tokens["operator"])
    hdrs = auth(tokens["operator"])
    won = conflicts = server_errors = rounds_ok = 0
    latencies: list[float] = []
    with crowd(live_url, CLIENTS) as c:
        for _ in range(ROUNDS):
            team = make_team(client, tokens["operator"])
            body = {"incident_id": incident["id"], "team_id": team["id"]}

            def dispatch(http: httpx.Client, _: int, body: dict[str, int] = body) -> httpx.Response:
                return http.post("/api/v1/dispatches", json=body, headers=hdrs)

            answers = c.run(dispatch)
            latencies += [a.ms for a in answers]
            created = [a for a in answers if a.status == 201]
            refused = [
                a for a in answers if a.status == 409 and str(a.body.get("type", "")).endswith("/team-unavailable")
            ]
            server_errors += sum(a.status >= 500 for a in answers)
            won += len(created)
            conflicts += len(refused)
            with app.state.session_factory() as s:
                active = s.scalar(
                    select(func.count())
                    .select_from(Dispatch)
                    .where(Dispatch.team_id == team["id"], Dispatch.status == "dispatched")
                )
                events = [
                    e
                    for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "team.status_changed"))
                    if e.data.get("id") == team["id"]
                ]
            if len(created) == 1 and len(refused) == CLIENTS - 1 and active == 1 and len(events) == 1:
                rounds_ok += 1
    print(
        f"R1 dispatch_race backend={backend} attempts={ROUNDS * CLIENTS} ok={won} conflict={conflicts} "
        f"5xx={server_errors} rounds={rounds_ok}/{ROUNDS} p95_ms={p95(latencies):.0f}"
    )
    assert server_errors == 0
    assert won == ROUNDS
    assert conflicts == ROUNDS * (CLIENTS - 1)
    assert rounds_ok == ROUNDS
