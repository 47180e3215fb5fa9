"""Nothing an anonymous client can hold: a half-sent body, a burst of wrong passwords, a resume from seq 0,
a pile of sockets. Each against a real uvicorn on loopback, with one summary line of figures."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from realtime import log as event_log
from realtime.envelope import TOPICS
from tests.conftest import World
from tests.workflow_factories import incident_body
from tests.ws_helpers import all_published, bearer, make_app, mint, open_ws, recv_json, serve, until_closed

BODY_TIMEOUT_S = 2.0
MAX_REPLAY = 5


@pytest.fixture(scope="module")
def live(database_url: str, world: World) -> Iterator[tuple[FastAPI, str]]:
    app = make_app(
        database_url,
        ws={"max_per_user": 2, "max_pending_auth": 2, "auth_timeout": 3.0},
        ERCP_BODY_READ_TIMEOUT_SECONDS=BODY_TIMEOUT_S,
        ERCP_WS_MAX_REPLAY_EVENTS=MAX_REPLAY,
    )
    with serve(app) as url:
        yield app, url


def _half_sent_post(url: str) -> socket.socket:
    """An unauthenticated POST that declares 100 bytes of body and sends 10."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BODY_TIMEOUT_S + 10)
    head = "POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    sock.sendall(head.encode() + b'{"title":"')
    return sock


def _status_line(sock: socket.socket) -> str:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0].decode()


def test_a_half_sent_body_does_not_block_another_clients_write(live: tuple[FastAPI, str]) -> None:
    app, url = live
    slow = _half_sent_post(url)
    t_slow = time.monotonic()
    try:
        headers = bearer(mint(app, "operator"))
        t0 = time.monotonic()
        r = httpx.post(f"{url}/api/v1/incidents", json=incident_body(), headers=headers, timeout=30)
        write_s = time.monotonic() - t0
        assert r.status_code == 201, r.text
        line = _status_line(slow)
        slow_s = time.monotonic() - t_slow
    finally:
        slow.close()
    print(f"slow_body: other_write_ms={write_s * 1000:.0f} slow_client={line!r} after_ms={slow_s * 1000:.0f}")
    assert write_s < 1.0
    assert line.endswith("408 Request Timeout")
    assert BODY_TIMEOUT_S * 0.9 <= slow_s < BODY_TIMEOUT_S + 3


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_forty_concurrent_wrong_logins_stay_under_a_memory_bound_and_writes_stay_fast(
    live: tuple[FastAPI, str],
) -> None:
    app, url = live
    baseline = _rss_mib()
    peak = baseline
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampling.is_set():
            peak = max(peak, _rss_mib())
            sampling.wait(0.005)  # the sampling period, not a synchronisation

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def wrong_login(_: int) -> httpx.Response:
        return httpx.post(
            f"{url}/api/v1/auth/token", data={"username": "operator", "password": "wrong-password"}, timeout=60
        )

    headers = bearer(mint(app, "operator"))
    try:
        with ThreadPoolExecutor(40) as pool:
            attempts = [pool.submit(wrong_login, i) for i in range(40)]
            t0 = time.monotonic()
            r = httpx.post(f"{url}/api/v1/incidents", json=incident_body(), headers=headers, timeout=60)
            write_s = time.monotonic() - t0
            answers = [a.result() for a in attempts]
    finally:
        sampling.set()
        sampler.join()
    statuses = sorted(a.status_code for a in answers)
    busy = [a for a in answers if a.status_code == 503]
    grown = peak - baseline
    print(
        f"wrong_logins: n=40 rss_growth_mib={grown:.0f} operator_write_ms={write_s * 1000:.0f} "
        f"401={statuses.count(401)} 503={len(busy)}"
    )
    assert r.status_code == 201, r.text
    assert set(statuses) <= {401, 503}
    assert statuses.count(401) >= 2
    assert all(a.headers.get("retry-after") and a.headers["content-type"] == "application/problem+json" for a in busy)
    # One argon2id check (64 MiB) at a time, plus threads and buffers; unbounded, forty took 1.3-2.4 GB.
    assert grown < 400
    # Unbounded, the write waited behind the forty checks: 3.5 s in the issue, ~30 s measured on this machine.
    # Typically 0.1-1 s now; the margin is for a shared 2-core machine under a load average of 15-20.
    assert write_s < 3.0


def test_a_resume_further_back_than_the_bound_gets_resync_not_a_scan(live: tuple[FastAPI, str]) -> None:
    app, url = live
    token = mint(app, "operator")
    for _ in range(MAX_REPLAY + 1):
        r = httpx.post(f"{url}/api/v1/incidents", json=incident_body(), headers=bearer(token), timeout=30)
        assert r.status_code == 201, r.text
    last = asyncio.run(all_published(app))
    epoch = event_log.state(app.state.engine).epoch

    async def resume(since: int) -> tuple[list[dict[str, Any]], int | None]:
        async with open_ws(url, token, topics=",".join(sorted(TOPICS)), since=since, epoch=epoch) as ws:
            hello = await recv_json(ws)
            assert hello["type"] == "hello"
            if since >= last - MAX_REPLAY:
                return [await recv_json(ws)], None
            return await until_closed(ws)

    frames, code = asyncio.run(resume(0))
    print(f"ws_resume_from_zero: last_seq={last} bound={MAX_REPLAY} frames={frames} close={code}")
    assert (frames, code) == ([{"type": "resync"}], 4409)
    near, _ = asyncio.run(resume(last - 1))  # the control: a resume within the bound is replayed
    assert near[0]["seq"] == last


def test_sockets_per_user_and_unauthenticated_sockets_are_capped(live: tuple[FastAPI, str]) -> None:
    app, url = live
    token = mint(app, "observer")

    async def per_user() -> int | None:
        async with open_ws(url, token, topics="incidents") as a, open_ws(url, token, topics="incidents") as b:
            assert (await recv_json(a))["type"] == "hello"
            assert (await recv_json(b))["type"] == "hello"
            async with open_ws(url, token, topics="incidents") as third:
                return (await until_closed(third))[1]

    async def pending() -> tuple[int | None, float]:
        async with open_ws(url, None, topics="incidents") as a, open_ws(url, None, topics="incidents") as b:
            await a.ping()  # both handshakes done: each now waits for its auth message
            await b.ping()
            t0 = time.monotonic()
            async with open_ws(url, None, topics="incidents") as third:
                frames, code = await until_closed(third)
                assert frames == []
                return code, time.monotonic() - t0

    assert asyncio.run(per_user()) == 4429
    code, after = asyncio.run(pending())
    print(f"ws_caps: third_socket_same_user=4429 third_unauthenticated={code} after_ms={after * 1000:.0f}")
    assert code == 1013
    assert after < 1.0  # refused at once, not after the auth timeout
