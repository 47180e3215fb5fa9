"""SIGTERM to a real `ercp serve` (api.shutdown): readiness turns 503 first, websocket clients are closed with
1012 (reconnect at once) and new ones are refused, the relay leadership moves to the other process, and a
request in flight (its body half sent when the signal comes) still completes. Needs PostgreSQL and
redis-server like the cluster tests.
"""

import asyncio
import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.cluster import Cluster, cluster, require_postgres_and_redis_server, template_database, wait_until
from tests.workflow_factories import incident_body

pytestmark = pytest.mark.slow


@pytest.fixture
def two_apis(tmp_path: Path) -> Iterator[Cluster]:
    require_postgres_and_redis_server()
    with template_database() as url, cluster(url, tmp_path) as c:
        c.start_apis("a", "b")
        c.wait_leader()
        yield c


async def until_closed(ws: ClientConnection) -> None:
    """Read (and drop) frames until the server closes the socket, within 5 s."""
    async with asyncio.timeout(5):
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.recv()


class SlowPost(threading.Thread):
    """POSTs an incident whose body arrives in two halves: the second only when `release` is set."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        body = json.dumps(incident_body()).encode()
        self.halves = body[: len(body) // 2], body[len(body) // 2 :]
        self.base, self.token = base, token
        self.first_sent, self.release = threading.Event(), threading.Event()
        self.status: int | None = None

    def _body(self) -> Iterator[bytes]:
        yield self.halves[0]
        self.first_sent.set()
        self.release.wait(20)
        yield self.halves[1]

    def run(self) -> None:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Content-Length": str(sum(map(len, self.halves))),
        }
        r = httpx.post(f"{self.base}/api/v1/incidents", content=self._body(), headers=headers, timeout=30)
        self.status = r.status_code


def test_sigterm_drains_before_stopping(two_apis: Cluster) -> None:
    c = two_apis
    leader_name = c.wait_leader()
    leader, other = c.apis[leader_name], next(n for n in c.apis if n != leader_name)
    token = c.token("operator")

    async def run() -> tuple[int | None, str]:
        ws_base = "ws" + leader.base.removeprefix("http")
        bearer = {"Authorization": f"Bearer {token}"}
        async with connect(f"{ws_base}/api/v1/ws?topics=incidents", additional_headers=bearer) as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "hello"
            post = SlowPost(leader.base, token)
            post.start()
            assert await asyncio.to_thread(post.first_sent.wait, 10), "the request never started"

            assert leader.proc is not None
            leader.proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(
                wait_until,
                lambda: httpx.get(f"{leader.base}/readyz", timeout=1).status_code == 503,
                2.0,
                "readiness 503 on the draining process",
            )
            await until_closed(ws)
            code = ws.close_code
            with pytest.raises(InvalidStatus) as refused:  # a new socket goes elsewhere during the drain
                async with connect(f"{ws_base}/api/v1/ws?topics=incidents", additional_headers=bearer, open_timeout=3):
                    pass
            assert refused.value.response.status_code == 403
            await asyncio.to_thread(wait_until, lambda: c.leaders() == [other], 5.0, "the other process to lead")
            post.release.set()
            await asyncio.to_thread(post.join, 20)
            assert post.status == 201, f"in-flight request answered {post.status}\n{c.diagnostics()}"
            return code, other

    code, new_leader = asyncio.run(run())
    assert code == 1012
    assert leader.proc is not None
    leader.proc.wait(timeout=15)
    assert c.leaders() == [new_leader]
    print(f"graceful shutdown: readiness 503, websocket close {code}, relay handed to {new_leader}, in-flight 201")
