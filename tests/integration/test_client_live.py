"""The situation client against a real server: snapshot, live events in seq order, resume after a dropped socket,
resync on the server's word, and moving on from a dead URL.

The server here is a second app on the session's database, run by uvicorn in an event loop this module owns:
closing a socket "from the hub" has to happen in the server's loop, and `live_url` does not expose its loop.
"""

import asyncio
import concurrent.futures
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from api.main import create_app
from api.settings import Settings
from realtime.client import AuthError, SituationClient, fetch_snapshot
from realtime.hub import Hub
from tests.factories import auth, unique

DEADLINE_S = 20.0


@dataclass
class Server:
    url: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[Hub], Coroutine[Any, Any, None]]) -> "asyncio.Future[None]":
        """Run `fn(hub)` in the server's event loop; awaitable from the test's loop."""
        future: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(fn(self.app.state.hub), self.loop)
        return asyncio.wrap_future(future)


@contextmanager
def serve_in_own_loop(app: FastAPI) -> Iterator[Server]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(sockets=[sock]),), name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start"
        thread.join(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", app, loop)
    finally:
        server.should_exit = True
        thread.join(10)
        loop.close()
        sock.close()


@pytest.fixture(scope="module")
def server(database_url: str, world: Any) -> Iterator[Server]:
    with serve_in_own_loop(create_app(Settings(DATABASE_URL=database_url))) as running:
        yield running


def dead_url() -> str:
    """A loopback URL nobody listens on (a killed process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


async def until(condition: Callable[[], bool], what: str, task: "asyncio.Task[None] | None" = None) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if task is not None and task.done():
            task.result()
            raise AssertionError(f"the client stopped while waiting for {what}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def report_incidents(http: httpx.AsyncClient, token: str, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        body = {"title": unique("live"), "type": "fire", "lat": 20.92, "lon": 110.09}
        r = await http.post("/api/v1/incidents", json=body, headers=auth(token))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def created_ids(client: SituationClient) -> list[int]:
    return [e["data"]["id"] for e in client.applied if e["type"] == "incident.created"]


async def close_every_socket(hub: Hub) -> None:
    for sub in list(hub.subscribers):
        await sub.close(1012, "service restart")


async def overflow_every_socket(hub: Hub) -> None:
    # The hub's own verdict for a client that fell behind: `resync`, then close 4409.
    for sub in list(hub.subscribers):
        sub.cut_loose()


def test_client_follows_the_feed_and_resumes_after_the_server_drops_it(server: Server, tokens) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        client = SituationClient([server.url], tokens["observer"], backoff=(0.5, 1.0))
        task = asyncio.create_task(client.run(stop))
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            await until(lambda: client.connected, "the client to connect", task)
            assert client.snapshot is not None
            assert client.last_seq >= client.snapshot["seq"]
            snapshot = client.snapshot
            before = await report_incidents(http, tokens["operator"], 5)
            await until(lambda: set(before) <= set(created_ids(client)), "the first events", task)
            await server.call(close_every_socket)
            await until(lambda: client.reconnects >= 1, "the client to notice the drop", task)
            during = await report_incidents(http, tokens["operator"], 5)
            await until(lambda: set(during) <= set(created_ids(client)), "the events written meanwhile", task)
            after = await report_incidents(http, tokens["operator"], 3)
            await until(lambda: set(after) <= set(created_ids(client)), "the events after resuming", task)
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)
        seqs = [e["seq"] for e in client.applied]
        mine = [i for i in created_ids(client) if i in set(before + during + after)]
        print(
            f"live client: {len(seqs)} events, {client.duplicates} duplicates, "
            f"{client.reconnects} reconnects, {client.resyncs} resyncs, {client.lagging} lagging"
        )
        assert seqs == sorted(set(seqs)), "events out of order or repeated"
        assert mine == before + during + after
        assert client.duplicates == 0
        assert client.resyncs == 0
        assert client.snapshot is snapshot
        assert client.reconnects >= 1
        assert not client.connected

    asyncio.run(main())


def test_client_reloads_the_snapshot_when_told_to_resync(server: Server, tokens) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        snapshots: list[dict[str, Any]] = []
        client = SituationClient([server.url], tokens["observer"], topics=("incidents",), on_snapshot=snapshots.append)
        task = asyncio.create_task(client.run(stop))
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            await until(lambda: client.connected, "the client to connect", task)
            await server.call(overflow_every_socket)
            await until(lambda: client.resyncs == 1 and client.connected, "the resync", task)
            late = await report_incidents(http, tokens["operator"], 2)
            await until(lambda: set(late) <= set(created_ids(client)), "events after the resync", task)
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)
        assert len(snapshots) == 2
        assert snapshots[1]["seq"] >= snapshots[0]["seq"]

    asyncio.run(main())


def test_client_moves_from_a_dead_url_to_a_live_one(server: Server, tokens) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        client = SituationClient([dead_url(), server.url], tokens["observer"], backoff=(0.05, 0.2))
        task = asyncio.create_task(client.run(stop))
        await until(lambda: client.connected, "the client to reach the live URL", task)
        assert client.current_url == server.url
        assert client.reconnects >= 1
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)

    asyncio.run(main())


def test_a_bad_token_fails_fast_instead_of_retrying(server: Server) -> None:
    async def main() -> None:
        client = SituationClient([server.url], "not-a-token")
        with pytest.raises(AuthError):
            await asyncio.wait_for(client.run(asyncio.Event()), DEADLINE_S)

    asyncio.run(main())


def test_fetch_snapshot_for_scripts(server: Server, tokens) -> None:
    snap = fetch_snapshot(server.url, tokens["observer"])
    assert isinstance(snap["seq"], int)
    assert snap["epoch"]
    with pytest.raises(AuthError):
        fetch_snapshot(server.url, "not-a-token")
