"""The situation client's decisions, against fakes: no sockets, no server."""

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from realtime.client import AuthError, Decision, RequestRejected, SituationClient, is_newer

TOKEN = "secret-token-value"
DEADLINE_S = 5.0


def event(seq: int, epoch: str = "e1", type_: str = "incident.created", **data: Any) -> dict[str, Any]:
    return {"seq": seq, "epoch": epoch, "type": type_, "at": "2024-01-01T00:00:00Z", "drill_id": None, "data": data}


def fresh(**kwargs: Any) -> SituationClient:
    client = SituationClient(["http://a.example:8000", "http://b.example:8000"], TOKEN, **kwargs)
    client.take_snapshot({"seq": 10, "epoch": "e1", "incidents": []})
    return client


def test_events_apply_in_order_and_duplicates_are_dropped() -> None:
    seen: list[int] = []
    client = fresh(on_event=lambda e: seen.append(e["seq"]))
    for seq in (9, 10, 11, 12, 12, 11, 13):
        assert client.handle_frame(event(seq)) is Decision.keep
    assert seen == [11, 12, 13]
    assert [e["seq"] for e in client.applied] == [11, 12, 13]
    assert (client.last_seq, client.duplicates) == (13, 4)


def test_seq_gaps_between_delivered_events_are_normal_on_a_filtered_feed() -> None:
    client = fresh()
    assert client.handle_frame(event(15)) is Decision.keep
    assert client.handle_frame(event(40)) is Decision.keep
    assert (client.last_seq, client.resyncs) == (40, 0)


def test_heartbeat_ahead_of_us_changes_nothing() -> None:
    client = fresh()
    assert client.handle_frame({"type": "heartbeat", "seq": 99}) is Decision.keep
    assert client.last_seq == 10
    # An event the heartbeat's seq had already covered still applies: heartbeats do not move our position.
    assert client.handle_frame(event(50)) is Decision.keep
    assert client.last_seq == 50


def test_hello_with_another_epoch_means_resync() -> None:
    client = fresh()
    assert client.handle_frame({"type": "hello", "epoch": "e2", "seq": 3}) is Decision.resync
    assert fresh().handle_frame({"type": "hello", "epoch": "e1", "seq": 10}) is Decision.keep


def test_an_event_of_another_epoch_means_resync_and_is_not_applied() -> None:
    client = fresh()
    assert client.handle_frame(event(11, epoch="e2")) is Decision.resync
    assert client.applied == []


def test_resync_frame_reloads_unless_the_server_is_behind_our_snapshot() -> None:
    client = fresh()
    client.handle_frame({"type": "hello", "epoch": "e1", "seq": 12})
    assert client.handle_frame({"type": "resync"}) is Decision.resync
    lagging = fresh()
    lagging.handle_frame({"type": "hello", "epoch": "e1", "seq": 7})
    assert lagging.handle_frame({"type": "resync"}) is Decision.behind


def test_unknown_frames_are_ignored() -> None:
    client = fresh()
    assert client.handle_frame({"type": "something-new"}) is Decision.keep
    assert client.applied == []


def test_websocket_url_resumes_and_never_carries_the_token() -> None:
    client = fresh(topics=("incidents", "teams"), drill_id=7)
    url = client.ws_url("https://board.example/prefix/")
    assert url.startswith("wss://board.example/prefix/api/v1/ws?")
    assert "since=10" in url
    assert "epoch=e1" in url
    assert "drill_id=7" in url
    assert "topics=incidents%2Cteams" in url
    assert TOKEN not in url
    assert fresh(include_drills=True).ws_url("http://a:1").startswith("ws://a:1/api/v1/ws?")
    assert "include_drills=true" in fresh(include_drills=True).ws_url("http://a:1")


def test_backoff_is_jittered_and_bounded() -> None:
    client = fresh(backoff=(0.2, 5.0), rng=random.Random(1))
    delays = [client.next_delay(n) for n in range(40)]
    assert all(0.2 <= d <= 5.0 for d in delays)
    assert max(delays[:1]) == pytest.approx(0.2)
    assert len({round(d, 6) for d in delays[5:]}) > 1  # jittered, not a fixed schedule


def test_is_newer_compares_entity_versions() -> None:
    assert is_newer(event(1, version=3), 2)
    assert not is_newer(event(1, version=2), 2)
    assert is_newer(event(1), 5)
    assert is_newer(event(1, version=1), None)


# -- the connection loop, with a fake server ---------------------------------------------------


class FakeWs:
    """Plays a script: frames (dicts), then an optional ConnectionClosed; otherwise waits until closed."""

    def __init__(self, script: list[dict[str, Any] | BaseException]) -> None:
        self.script = list(script)
        self.closed = asyncio.Event()

    async def recv(self) -> str:
        if self.script:
            item = self.script.pop(0)
            if isinstance(item, BaseException):
                raise item
            return orjson.dumps(item).decode()
        await self.closed.wait()
        raise ConnectionClosed(None, Close(1000, "bye"))

    async def close(self) -> None:
        self.closed.set()


class FakeServer:
    """Snapshots over a MockTransport and websocket scripts per connection, recording what the client sent."""

    def __init__(self, snapshots: list[dict[str, Any]], scripts: dict[str, list[list[Any]]]) -> None:
        self.snapshots = snapshots
        self.scripts = scripts
        self.http_requests: list[httpx.Request] = []
        self.ws_calls: list[tuple[str, dict[str, str]]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.http_requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"title": "Not authenticated"})
        return httpx.Response(200, json=self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0])

    def connect(self, url: str, headers: dict[str, str], timeout: float) -> Any:
        self.ws_calls.append((url, headers))
        host = httpx.URL(url).host
        scripts = self.scripts.get(host, [])

        @asynccontextmanager
        async def session() -> AsyncIterator[FakeWs]:
            if not scripts:
                raise OSError(f"connection refused by {host}")
            item = scripts.pop(0)
            if isinstance(item, BaseException):
                raise item
            yield FakeWs(item)

        return session()

    def client(self, **kwargs: Any) -> SituationClient:
        return SituationClient(
            ["http://a.example", "http://b.example"],
            TOKEN,
            backoff=(0.001, 0.005),
            http_transport=httpx.MockTransport(self.handler),
            ws_connect=self.connect,
            **kwargs,
        )


async def run_until(client: SituationClient, condition: Callable[[], bool]) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(client.run(stop))
    try:
        async with asyncio.timeout(DEADLINE_S):
            while not condition():
                if task.done():
                    task.result()
                    raise AssertionError("the client stopped before the condition held")
                await asyncio.sleep(0.001)
    finally:
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)


def hello(seq: int, epoch: str = "e1") -> dict[str, Any]:
    return {"type": "hello", "epoch": epoch, "seq": seq}


def test_a_dead_server_is_left_for_the_next_url_which_resumes_from_our_seq() -> None:
    server = FakeServer(
        [{"seq": 5, "epoch": "e1"}],
        {
            # a: the first connection drops after one event; then a refuses (killed process).
            "a.example": [[hello(5), event(6), ConnectionClosed(Close(1012, "restart"), None)]],
            "b.example": [[hello(7), event(7), event(8)]],
        },
    )
    client = server.client()
    asyncio.run(run_until(client, lambda: client.last_seq == 8))
    assert [e["seq"] for e in client.applied] == [6, 7, 8]
    assert client.resyncs == 0
    assert client.reconnects >= 1
    hosts = [httpx.URL(url).host for url, _ in server.ws_calls]
    assert hosts[0] == "a.example"
    assert hosts[-1] == "b.example"
    last_url = httpx.URL(server.ws_calls[-1][0])
    assert (last_url.params["since"], last_url.params["epoch"]) == ("6", "e1")
    assert len(server.http_requests) == 1  # resumed, not reloaded


def test_token_travels_in_headers_only() -> None:
    server = FakeServer([{"seq": 1, "epoch": "e1"}], {"a.example": [[hello(1), event(2)]]})
    client = server.client()
    asyncio.run(run_until(client, lambda: client.last_seq == 2))
    for url, headers in server.ws_calls:
        assert TOKEN not in url
        assert headers == {"Authorization": f"Bearer {TOKEN}"}
    for request in server.http_requests:
        assert TOKEN not in str(request.url)
        assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_resync_reloads_the_snapshot_and_resumes_from_its_seq() -> None:
    snapshots: list[dict[str, Any]] = []
    server = FakeServer(
        [{"seq": 3, "epoch": "e1"}, {"seq": 20, "epoch": "e2"}],
        {
            "a.example": [
                [hello(3), event(4), {"type": "resync"}],
                [hello(20, epoch="e2"), event(21, epoch="e2")],
            ]
        },
    )
    client = server.client(on_snapshot=snapshots.append)
    asyncio.run(run_until(client, lambda: client.last_seq == 21))
    assert [s["seq"] for s in snapshots] == [3, 20]
    assert (client.resyncs, client.epoch) == (1, "e2")
    assert [e["seq"] for e in client.applied] == [4, 21]
    resumed = httpx.URL(server.ws_calls[-1][0])
    assert (resumed.params["since"], resumed.params["epoch"]) == ("20", "e2")


def test_close_4409_is_a_resync_too() -> None:
    server = FakeServer(
        [{"seq": 3, "epoch": "e1"}, {"seq": 9, "epoch": "e1"}],
        {"a.example": [[hello(3), ConnectionClosed(Close(4409, "resync"), None)], [hello(9), event(10)]]},
    )
    client = server.client()
    asyncio.run(run_until(client, lambda: client.last_seq == 10))
    assert client.resyncs == 1
    assert len(server.http_requests) == 2


def test_a_server_behind_our_snapshot_is_retried_without_reloading() -> None:
    server = FakeServer(
        [{"seq": 10, "epoch": "e1"}],
        {
            "a.example": [[hello(8), {"type": "resync"}]],
            "b.example": [[hello(10), event(11)]],
        },
    )
    client = server.client()
    asyncio.run(run_until(client, lambda: client.last_seq == 11))
    assert (client.resyncs, client.lagging) == (0, 1)
    assert len(server.http_requests) == 1


@pytest.mark.parametrize("code", [4401, 4403])
def test_auth_close_codes_raise_instead_of_retrying(code: int) -> None:
    server = FakeServer(
        [{"seq": 1, "epoch": "e1"}], {"a.example": [[hello(1), ConnectionClosed(Close(code, "no"), None)]]}
    )
    with pytest.raises(AuthError, match=str(code)):
        asyncio.run(run_until(server.client(), lambda: False))
    assert len(server.ws_calls) == 1


def test_a_refused_token_on_the_snapshot_raises() -> None:
    server = FakeServer([{"seq": 1, "epoch": "e1"}], {})
    client = SituationClient(["http://a.example"], "wrong", http_transport=httpx.MockTransport(server.handler))
    with pytest.raises(AuthError, match="401"):
        asyncio.run(run_until(client, lambda: False))


def test_a_malformed_request_is_not_retried() -> None:
    server = FakeServer(
        [{"seq": 1, "epoch": "e1"}], {"a.example": [[hello(1), ConnectionClosed(Close(4400, "x"), None)]]}
    )
    with pytest.raises(RequestRejected):
        asyncio.run(run_until(server.client(topics=("bogus",)), lambda: False))
