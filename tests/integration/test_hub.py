"""The websocket hub end to end (DESIGN §9): real uvicorn, real `websockets` clients, writes through the API.

Each test runs its own server (memory bus, or Redis when REDIS_URL is set) on a database of this module's
own: the suite's shared `app` runs a relay of its own on the shared database, which would number and
publish our events on *its* bus, so our server's bus path would go untested.
"""

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.main import create_app
from api.settings import Settings
from realtime import log as event_log
from realtime.bus import Bus
from realtime.envelope import render
from realtime.hub import RESYNC, Hub, Subscriber
from realtime.memory_bus import MemoryBus
from realtime.relay import CHANNEL, Relay
from resources_db.engine import make_engine
from resources_db.migrate import upgrade
from resources_db.models import OutboxEvent
from tests.backends import fresh_database
from tests.concurrency import p95
from tests.conftest import World, _seed_world
from tests.factories import team_body, unique
from tests.workflow_factories import incident_body
from tests.ws_helpers import (
    Frame,
    all_published,
    frames_until,
    log_events,
    make_app,
    mint,
    open_ws,
    recv_json,
    seqs,
    serve,
    until_closed,
)


@pytest.fixture(scope="module")
def hub_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    with fresh_database(backend, tmp_path_factory.mktemp("hub")) as url:
        upgrade(url)
        seeding = create_app(Settings(DATABASE_URL=url))
        world = _seed_world(seeding.state.session_factory)
        seeding.state.engine.dispose()
        yield url, world


class Server:
    def __init__(self, app: Any, url: str, world: World) -> None:
        self.app, self.url, self.world = app, url, world
        self.tokens = {name: mint(app, name) for name in world.users}

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def post(self, who: str, path: str, body: dict[str, Any], status: int = 201) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            r = await http.post(f"/api/v1{path}", json=body, headers=self.h(who))
        assert r.status_code == status, f"POST {path} -> {r.status_code}: {r.text}"
        return r.json()

    async def incident(self, who: str = "operator", **overrides: Any) -> dict[str, Any]:
        return await self.post(who, "/incidents", incident_body(**overrides))  # type: ignore[no-any-return]

    async def transition(self, incident_id: int, status: str) -> None:
        await self.post("operator", f"/incidents/{incident_id}/transitions", {"status": status}, 200)

    def epoch_and_seq(self) -> tuple[str, int]:
        st = event_log.state(self.app.state.engine)
        return st.epoch, st.last_seq


@pytest.fixture
def start(hub_db: tuple[str, World]) -> Iterator[Any]:
    """start(**env, ws=...) -> Server; every server started is stopped at the end of the test."""
    stack: list[Any] = []

    def _start(ws: dict[str, Any] | None = None, sndbuf: int | None = None, **env: Any) -> Server:
        url, world = hub_db
        app = make_app(url, ws=ws, **env)
        cm = serve(app, sndbuf=sndbuf)
        base = cm.__enter__()
        stack.append(cm)
        return Server(app, base, world)

    yield _start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


def data_ids(frames: list[Frame], key: str = "id") -> set[Any]:
    return {f["data"].get(key) for f in frames}


def test_clients_get_api_writes_in_seq_order_filtered_by_topic(start) -> None:
    server: Server = start()

    async def main() -> None:
        focus = await server.incident()
        async with (
            open_ws(server.url, server.tokens["observer"], topics="incidents") as incidents,
            open_ws(server.url, server.tokens["observer"], topics="teams") as teams,
            open_ws(server.url, server.tokens["observer"], topics=f"incident:{focus['id']}") as one,
        ):
            hello = {
                name: await recv_json(ws) for name, ws in (("incidents", incidents), ("teams", teams), ("one", one))
            }
            assert {h["type"] for h in hello.values()} == {"hello"}
            start_seq = min(h["seq"] for h in hello.values())

            await server.transition(focus["id"], "verified")
            others = [await server.incident() for _ in range(5)]
            team = await server.post("admin", "/teams", team_body())
            await server.post("operator", "/dispatches", {"incident_id": others[0]["id"], "team_id": team["id"]})
            await server.transition(focus["id"], "responding")
            await all_published(server.app)

            log = log_events(server.app, after=start_seq)
            expected = {
                "incidents": [e for e in log if e["type"].startswith(("incident.", "mutual_aid."))],
                "teams": [e for e in log if e["type"].startswith(("team.", "agreement."))],
                "one": [
                    e
                    for e in log
                    if (e["type"].startswith("incident.") and e["data"]["id"] == focus["id"])
                    or e["data"].get("incident_id") == focus["id"]
                ],
            }
            # Each client gets what follows the head its hello announced.
            expected = {name: [e for e in events if e["seq"] > hello[name]["seq"]] for name, events in expected.items()}
            got = {}
            for name, ws in (("incidents", incidents), ("teams", teams), ("one", one)):
                last: int = expected[name][-1]["seq"]

                def done(f: Frame, last: int = last) -> bool:
                    return bool(f.get("seq", 0) >= last or f["type"] == "resync")

                frames = await frames_until(ws, done)
                got[name] = frames

        for name, frames in got.items():
            s = seqs(frames)
            assert s == sorted(set(s)), f"{name}: not strictly increasing / duplicated: {s}"
        # Exactly the log's events for each topic, nothing more, nothing less.
        assert got == expected
        # What the writes above must have produced, concretely.
        assert {o["id"] for o in others} <= data_ids(got["incidents"])
        assert [f["data"]["status"] for f in got["one"] if f["type"] == "incident.status_changed"] == [
            "verified",
            "responding",
        ]
        assert all(
            f["data"].get("id") == focus["id"] or f["data"].get("incident_id") == focus["id"] for f in got["one"]
        )
        assert team["id"] in data_ids([f for f in got["teams"] if f["type"] == "team.status_changed"])
        print(
            f"hub_topics: incidents={len(got['incidents'])} teams={len(got['teams'])} "
            f"incident:{focus['id']}={len(got['one'])} strictly_increasing=True duplicates=0"
        )

    asyncio.run(main())


def test_resume_with_since_and_epoch_replays_exactly_the_missed_events_then_live(start) -> None:
    server: Server = start()

    async def main() -> None:
        async with open_ws(server.url, server.tokens["observer"], topics="incidents") as ws:
            hello = await recv_json(ws)
            first = await server.incident()
            [seen] = await frames_until(ws, lambda f: f.get("data", {}).get("id") == first["id"])
        last_seen = seen["seq"]

        missed = [await server.incident() for _ in range(3)]
        await server.post("admin", "/teams", team_body())  # not an incidents event: must not be replayed
        upto = await all_published(server.app)
        expected = [e for e in log_events(server.app, after=last_seen) if e["type"].startswith("incident.")]
        assert {m["id"] for m in missed} <= data_ids(expected)

        params = {"topics": "incidents", "since": last_seen, "epoch": hello["epoch"]}
        async with open_ws(server.url, server.tokens["observer"], **params) as ws:
            assert (await recv_json(ws))["type"] == "hello"
            replayed = await frames_until(ws, lambda f: f.get("seq", 0) >= expected[-1]["seq"])
            assert replayed == expected
            live = await server.incident()
            tail = await frames_until(ws, lambda f: f.get("data", {}).get("id") == live["id"])
            assert all(f["seq"] > upto for f in tail)
            assert tail[-1]["type"] == "incident.created"
        print(f"hub_resume: since={last_seen} replayed={len(replayed)} then_live={len(tail)} exact=True")

    asyncio.run(main())


@pytest.mark.parametrize("epoch", ["not-the-epoch", None])
def test_resume_with_a_wrong_epoch_is_told_to_resync_and_closed_4409(start, epoch) -> None:
    server: Server = start()

    async def main() -> None:
        await server.incident()
        await all_published(server.app)
        params = {"topics": "incidents", "since": 0, "epoch": epoch}
        async with open_ws(server.url, server.tokens["observer"], **params) as ws:
            frames, code = await until_closed(ws)
        assert [f["type"] for f in frames] == ["hello", "resync"]
        assert code == 4409

    asyncio.run(main())


def test_resume_from_beyond_the_head_is_told_to_resync(start) -> None:
    server: Server = start()

    async def main() -> None:
        epoch, last = server.epoch_and_seq()
        params: dict[str, Any] = {"topics": "incidents", "since": last + 1000, "epoch": epoch}
        async with open_ws(server.url, server.tokens["observer"], **params) as ws:
            frames, code = await until_closed(ws)
        assert [f["type"] for f in frames] == ["hello", "resync"]
        assert code == 4409

    asyncio.run(main())


def test_watchdog_fills_from_the_log_what_the_bus_never_delivered(start, monkeypatch) -> None:
    server: Server = start()
    dropped: list[int] = []

    async def drop(self: Relay, batch: list[tuple[int, str]]) -> None:
        dropped.extend(seq for seq, _ in batch)

    async def main() -> None:
        async with open_ws(server.url, server.tokens["observer"], topics="incidents") as ws:
            await recv_json(ws)
            warm = await server.incident()  # the bus path works before the patch
            await frames_until(ws, lambda f: f.get("data", {}).get("id") == warm["id"])

            monkeypatch.setattr(Relay, "_publish", drop)
            made = [await server.incident() for _ in range(5)]
            t0 = time.monotonic()
            frames = await frames_until(ws, lambda f: f.get("data", {}).get("id") == made[-1]["id"], timeout=3.0)
            elapsed = time.monotonic() - t0
            monkeypatch.undo()

            got = [f for f in frames if f["type"] == "incident.created"]
            assert [f["data"]["id"] for f in got] == [m["id"] for m in made]
            assert seqs(frames) == sorted(set(seqs(frames)))
            assert {f["seq"] for f in got} <= set(dropped), "these events must not have come over the bus"

            after = await server.incident()  # and the bus path works again
            await frames_until(ws, lambda f: f.get("data", {}).get("id") == after["id"])
        print(
            f"hub_gap_fill: dropped_on_bus={len(dropped)} delivered_from_log={len(got)} elapsed_ms={elapsed * 1000:.0f}"
        )
        assert elapsed <= 3.0

    asyncio.run(main())


def test_a_client_that_never_reads_does_not_delay_the_others(start) -> None:
    # The send timeout outlasts the whole run even on a loaded machine, so the silent client is cut loose by its
    # queue overflowing (resync, then 4409) and not by a stalled send, which closes without a resync.
    server: Server = start(ERCP_WS_QUEUE_SIZE=20, ERCP_WS_SEND_TIMEOUT_SECONDS=120, sndbuf=16384)
    n = 300

    async def main() -> None:
        # The silent client: a tiny receive buffer and a client-side queue of one, so its TCP window fills fast.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", int(server.url.rsplit(":", 1)[1])))
        async with (
            open_ws(server.url, server.tokens["observer"], topics="incidents", sock=sock, max_queue=1) as silent,
            open_ws(server.url, server.tokens["observer"], topics="incidents") as normal,
        ):
            assert (await recv_json(silent))["type"] == "hello"
            assert (await recv_json(normal))["type"] == "hello"

            received: dict[int, float] = {}
            at: dict[int, float] = {}

            async def read_normal() -> None:
                # This module's database is ours alone: every incident.created from now on is one of our writes.
                while len(received) < n:
                    frame = json.loads(await normal.recv())
                    if frame["type"] == "incident.created":
                        received[frame["data"]["id"]] = time.time()
                        at[frame["data"]["id"]] = datetime.fromisoformat(frame["at"]).timestamp()

            body = {"address": "雷州市" + "雷城街道新城大道" * 37, "title": "仓库火灾" * 50}
            reader = asyncio.create_task(read_normal())
            ids: set[int] = set()
            t0 = time.monotonic()
            async with httpx.AsyncClient(base_url=server.url, timeout=30, headers=server.h("operator")) as http:
                for _ in range(n):
                    r = await http.post("/api/v1/incidents", json=incident_body(**body))
                    assert r.status_code == 201, r.text
                    ids.add(r.json()["id"])
            await asyncio.wait_for(reader, 15)
            total_s = time.monotonic() - t0
            latencies = [(received[i] - at[i]) * 1000 for i in ids]

            frames, code = await until_closed(silent, 15)
        events = [f for f in frames if f["type"] == "incident.created"]
        print(
            f"slow_client: events={len(events)} of {n} normal_latency_ms_p95={p95(latencies):.0f} "
            f"normal_all_in_s={total_s:.2f} slow_closed={code}"
        )
        assert received.keys() == ids
        assert p95(latencies) < 1500
        assert frames[-1] == json.loads(RESYNC)
        assert code == 4409
        assert len(events) < n

    asyncio.run(main())


def test_drill_events_reach_only_clients_that_ask_for_them(start) -> None:
    server: Server = start()

    async def scenario() -> None:
        other = await server.post("controller", "/drills", {"name": unique("other-drill")})
        await all_published(server.app)
        h = server.tokens["observer"]
        async with (
            open_ws(server.url, h, topics="incidents,drills") as plain,
            open_ws(server.url, h, topics="incidents,drills", include_drills="true") as every,
            open_ws(server.url, h, topics="incidents,drills", drill_id=other["id"]) as other_only,
        ):
            clients = {"plain": plain, "every": every, "other": other_only}
            for ws in clients.values():
                assert (await recv_json(ws))["type"] == "hello"
            drill = await server.post("controller", "/drills", {"name": unique("drill")})
            async with open_ws(server.url, h, topics="incidents,drills", drill_id=drill["id"]) as this_only:
                assert (await recv_json(this_only))["type"] == "hello"
                clients["this"] = this_only
                exercise = await server.incident("controller", drill_id=drill["id"])
                real = await server.incident()  # the sentinel: everyone gets it, after anything sent before it
                # By type too: an escalation's own id can equal the sentinel incident's.
                got = {
                    name: await frames_until(
                        ws, lambda f: f.get("type") == "incident.created" and f["data"]["id"] == real["id"]
                    )
                    for name, ws in clients.items()
                }

        def drill_frames(name: str) -> list[tuple[str, int]]:
            return [(f["type"], f["data"]["id"]) for f in got[name] if f["drill_id"] is not None]

        assert drill_frames("plain") == []
        assert drill_frames("other") == []
        mine = [("incident.created", exercise["id"])]
        assert [x for x in drill_frames("this") if x != ("drill.started", drill["id"])] == mine
        assert ("incident.created", exercise["id"]) in drill_frames("every")
        assert ("drill.started", drill["id"]) in drill_frames("every")
        assert all(f["data"]["id"] == real["id"] for f in got["plain"] if f["type"] == "incident.created")
        for frames in got.values():
            assert frames[-1]["data"]["id"] == real["id"]
        print(
            "hub_drills: "
            + " ".join(f"{name}={len(drill_frames(name))}" for name in ("plain", "every", "this", "other"))
            + " (drill frames seen)"
        )

    asyncio.run(scenario())


def test_heartbeats_arrive_on_an_idle_connection(start) -> None:
    server: Server = start(ERCP_WS_HEARTBEAT_SECONDS=0.2)

    async def main() -> None:
        async with open_ws(server.url, server.tokens["observer"], topics="supplies") as ws:
            hello = await recv_json(ws)
            t0 = time.monotonic()
            beats = [await recv_json(ws, timeout=2) for _ in range(3)]
            elapsed = time.monotonic() - t0
        assert [b["type"] for b in beats] == ["heartbeat"] * 3
        assert all(b["seq"] >= hello["seq"] for b in beats)
        print(f"hub_heartbeat: beats=3 interval_s=0.2 elapsed_ms={elapsed * 1000:.0f}")

    asyncio.run(main())


def test_hub_ignores_bus_messages_of_another_log(hub_db) -> None:
    """Two deployments (or a reset log) on one bus: an event of another epoch is not ours to deliver."""
    url, _ = hub_db

    async def main() -> None:
        engine = make_engine(url)
        bus: Bus = MemoryBus()
        hub = Hub(engine, bus, check_interval=30)
        await hub.start()
        try:
            while not hub.bus_connected:  # the listener subscribes in the background
                await asyncio.sleep(0.01)
            async with hub._lock:
                pass  # the listener's first catch-up from the log is over

            received: asyncio.Queue[str] = asyncio.Queue()

            async def send(text: str) -> None:
                received.put_nowait(text)

            async def close(code: int, reason: str) -> None:
                raise AssertionError(f"closed {code} {reason}")

            sub = Subscriber(frozenset({"incidents"}), None, send, close)
            assert await hub.attach(sub, since=None, epoch=None)
            assert received.empty(), "attach replays nothing here"
            await asyncio.to_thread(inject_one, engine)
            [(seq, ours)] = await asyncio.to_thread(event_log.publish_pending, engine)
            foreign = render(
                seq=seq,
                epoch="another-log",
                type_="incident.created",
                at=datetime.now(UTC),
                drill_id=None,
                data={"id": -1},
            )
            await bus.publish(CHANNEL, foreign)
            await bus.publish(CHANNEL, ours)
            first = await asyncio.wait_for(received.get(), 5)
            assert first == ours, f"delivered {first!r}"
        finally:
            await hub.stop()
            engine.dispose()

    asyncio.run(main())


def inject_one(engine: Any) -> None:
    with Session(engine) as s:
        s.add(OutboxEvent(type="incident.created", at=datetime.now(UTC), data={"id": -2}))
        s.commit()


def test_an_idle_poll_leaves_the_log_unlocked_and_a_new_row_is_still_published(
    hub_db: tuple[str, World],
) -> None:
    url, _ = hub_db
    engine = make_engine(url)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event_log.ensure_meta(engine)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        while event_log.publish_pending(engine):
            pass  # whatever earlier tests of this module left unpublished
        statements.clear()
        assert event_log.publish_pending(engine) == []
        assert statements, "the poll asked the database"
        assert not [s for s in statements if "event_log_meta" in s], "an idle poll must not take the meta row lock"

        inject_one(engine)
        [(seq, text)] = event_log.publish_pending(engine)
        envelope = json.loads(text)
        assert (envelope["seq"], envelope["data"]) == (seq, {"id": -2})
        assert [s for s in statements if "event_log_meta" in s]
    finally:
        engine.dispose()
