"""S2 for the event feed and the timeline: what a role receives over the websocket and reads in an incident's
timeline is exactly what REST lets it read (a team leader: their own team's dispatches only)."""

import asyncio
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.passwords import hash_password
from resources_db.enums import Role
from resources_db.models import User
from tests.conftest import PASSWORD, World
from tests.factories import auth, make_team, ok, unique
from tests.workflow_factories import make_dispatch, make_incident, set_dispatch_status
from tests.ws_helpers import frames_until, open_ws

ROLES = ("admin", "operator", "observer", "controller", "leader")


def _leader_of(app: FastAPI, client: TestClient, team_id: int) -> str:
    name = unique("visibility-leader")
    with app.state.session_factory() as s:
        s.add(User(username=name, password_hash=hash_password(PASSWORD), role=Role.team_leader, team_id=team_id))
        s.commit()
    return str(ok(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}))["access_token"])


def test_feed_and_timeline_show_each_role_what_rest_shows(
    app: FastAPI, client: TestClient, tokens: dict[str, str], world: World, live_url: str
) -> None:
    op = tokens["operator"]
    own_team, other_team = make_team(client, op), make_team(client, op)
    by_role = {**{r: tokens[r] for r in ROLES if r != "leader"}, "leader": _leader_of(app, client, own_team["id"])}
    incident = make_incident(client, op)

    made: dict[str, Any] = {}
    all_made = asyncio.Event()

    async def watch(token: str, subscribed: asyncio.Event) -> list[dict[str, Any]]:
        async with open_ws(live_url, token, topics=f"dispatches,incident:{incident['id']}") as ws:
            await frames_until(ws, lambda f: f["type"] == "hello")
            subscribed.set()
            await asyncio.wait_for(all_made.wait(), 10)
            # The own team's dispatch comes last and every role may see it: all earlier events are in by then.
            last_id = made["own"]["id"]
            return await frames_until(
                ws, lambda f: f["type"] == "dispatch.created" and f["data"]["id"] == last_id, timeout=10
            )

    async def main() -> dict[str, list[dict[str, Any]]]:
        subscribed = {r: asyncio.Event() for r in ROLES}
        tasks = {r: asyncio.create_task(watch(by_role[r], subscribed[r])) for r in ROLES}
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in subscribed.values())), 10)
        made["foreign"] = await asyncio.to_thread(make_dispatch, client, op, incident["id"], other_team["id"])
        made["own"] = await asyncio.to_thread(make_dispatch, client, op, incident["id"], own_team["id"])
        all_made.set()
        return {r: await t for r, t in tasks.items()}

    feeds = asyncio.run(main())
    foreign, own = made["foreign"], made["own"]
    mismatches = []
    for role in ROLES:
        h = auth(by_role[role])
        rest = {
            d["id"] for d in (foreign, own) if client.get(f"/api/v1/dispatches/{d['id']}", headers=h).status_code == 200
        }
        fed = {f["data"]["id"] for f in feeds[role] if f["type"].startswith("dispatch.")}
        timeline = ok(client.get(f"/api/v1/incidents/{incident['id']}/timeline", headers=h))["items"]
        in_timeline = {
            d["id"]
            for d in (foreign, own)
            for t in timeline
            if t["kind"].startswith("dispatch.") and f"(#{d['team_id']})" in t["message"]
        }
        if not (rest == fed == in_timeline):
            mismatches.append(f"{role}: rest={sorted(rest)} feed={sorted(fed)} timeline={sorted(in_timeline)}")
    print(f"S2 feed_and_timeline: roles={len(ROLES)} mismatches={len(mismatches)}")
    assert mismatches == []
    # The control: the leader's view is really narrower than everyone else's.
    leader_rest = client.get(f"/api/v1/dispatches/{foreign['id']}", headers=auth(by_role["leader"]))
    assert leader_rest.status_code == 404
    assert {f["data"]["id"] for f in feeds["operator"] if f["type"] == "dispatch.created"} == {foreign["id"], own["id"]}
    for d in (foreign, own):
        set_dispatch_status(client, op, d["id"], "cancelled")
