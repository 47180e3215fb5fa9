"""Real processes for the realtime end-to-end tests (DESIGN §9, ACCEPTANCE R6/R7).

A template database migrated with `ercp migrate`, with a user made by
`ercp users create`, copied afresh for each test; a private `redis-server`
on a free loopback port that a test may kill and restart; N `ercp serve`
processes, each in its own process group so a test can SIGKILL one like a
crash; a paced incident writer, a raw-websocket board and a thread running
`realtime.client.SituationClient`. Everything listens on 127.0.0.1 and every
process started here is killed when the `cluster()` block ends, whatever
happened inside it."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import redis
from redis.client import PubSub
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from api.auth import keys
from realtime.client import SituationClient
from realtime.envelope import topics_for
from realtime.relay import LOCK_KEY
from resources_db.enums import JurisdictionKind
from resources_db.models import Incident, Jurisdiction, OutboxEvent
from tests.backends import fresh_postgres_database, server_url
from tests.e2e.history import INCIDENT_CREATE, History, Op

ERCP = str(Path(sys.executable).with_name("ercp"))
REDIS_SERVER = "redis-server"
READY_TIMEOUT_S = 60.0  # three processes importing at once on a loaded 2-core CI machine took over 20 s
PASSWORD = "e2e-password-0123"  # a throwaway database's test users
HOST = "127.0.0.1"
APP_PREFIX = "ercp-e2e-"  # application_name of each API process's sessions: how a test finds the relay leader
JURISDICTION = {
    "code": "leicheng",
    "name_zh": "雷城街道",
    "name_en": "Leicheng Street",
    "kind": JurisdictionKind.street,
    "center_lat": 20.914,
    "center_lon": 110.085,
}
RETRIES = 2


def require_postgres_and_redis_server() -> None:
    """Skip without a PostgreSQL DATABASE_URL or a redis-server binary; under CI=true fail instead of skipping."""
    missing = []
    if not server_url():
        missing.append("DATABASE_URL pointing at PostgreSQL (several API processes share one database)")
    if shutil.which(REDIS_SERVER) is None:
        missing.append(f"{REDIS_SERVER} on PATH (each test runs a private one it kills and restarts)")
    if not missing:
        return
    reason = "needs " + " and ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll `check` until true; returns the time.monotonic() it became true, fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return time.monotonic()
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# Every API process of a cluster signs with one key, made for this test run.
CLUSTER_KEY = keys.random_key()


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["ERCP_SECRET_KEY"] = CLUSTER_KEY
    env.update(values)
    return env


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Process:
    """One child in its own process group, logging to a file."""

    name: str
    args: list[str]
    log_path: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our console script or redis-server, fixed arguments)
                self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group, like a crash: no shutdown hooks run."""
        if self.proc is None or self.proc.returncode is not None:
            return  # never started, or already reaped: its pid may belong to someone else now
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10.0)

    def tail(self) -> str:
        return f"--- {self.name} ({self.log_path}) ---\n{_tail(self.log_path)}"


class RedisServer(Process):
    """A private redis-server that keeps nothing on disk, so a restart comes back empty."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"]
        args += ["--dir", str(work)]
        super().__init__("redis", args, work / "redis.log", _env())
        self.url = f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        super().start()
        wait_until(self._pong, 10.0, f"redis-server on port {self.port}")

    def subscribers(self, channel: str) -> int:
        """PUBSUB NUMSUB: how many connections listen on `channel`."""
        with socket.create_connection((HOST, self.port), timeout=2.0) as sock:
            name = channel.encode()
            sock.sendall(b"*3\r\n$6\r\nPUBSUB\r\n$6\r\nNUMSUB\r\n$%d\r\n%s\r\n" % (len(name), name))
            reply = sock.recv(256).split(b"\r\n")  # *2, $len, channel, :count
        return int(reply[3][1:])

    def _pong(self) -> bool:
        assert self.alive(), self.tail()
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class Tap:
    """Our own subscriber on a Redis channel, to count what the relay publishes there."""

    def __init__(self, url: str, channel: str) -> None:
        # Keep the client: collecting it closes its pool, and the subscription's connection with it.
        self._client: redis.Redis = redis.Redis.from_url(url, socket_timeout=2)
        self._pubsub: PubSub = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(channel)

    def drain(self, idle: float = 0.3) -> int:
        """Messages received so far; stops after `idle` seconds without one (a None may be the subscribe reply)."""
        count, quiet_since = 0, time.monotonic()
        while time.monotonic() - quiet_since < idle:
            if self._pubsub.get_message(timeout=0.05) is not None:
                count, quiet_since = count + 1, time.monotonic()
        return count

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


class ApiServer(Process):
    def __init__(self, name: str, work: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        args = [ERCP, "serve", "--host", HOST, "--port", str(self.port), "--log-level", "warning"]
        super().__init__(name, args, work / f"api-{name}.log", env)
        self.base = f"http://{HOST}:{self.port}"

    def wait_ready(self) -> None:
        wait_until(self._ready, READY_TIMEOUT_S, f"ercp serve {self.name} on /readyz")

    def _ready(self) -> bool:
        assert self.alive(), f"ercp serve {self.name} exited\n{self.tail()}"
        try:
            return httpx.get(f"{self.base}/readyz", timeout=1.0, trust_env=False).status_code == 200
        except httpx.TransportError:
            return False


@dataclass(frozen=True)
class LogRow:
    id: int
    seq: int | None
    type: str
    drill_id: int | None
    data: dict[str, Any]
    published_at: datetime | None

    @property
    def on_incidents_board(self) -> bool:
        """What a `topics=incidents` client without drills receives."""
        return (
            self.drill_id is None
            and not self.type.startswith("drill.")
            and "incidents" in topics_for(self.type, self.data)
        )


@dataclass
class Cluster:
    work: Path
    database_url: str
    redis: RedisServer
    engine: Engine
    apis: dict[str, ApiServer] = field(default_factory=dict)

    def start_apis(self, *names: str, **settings: str) -> None:
        """Launch the processes together, then await each; each names itself to PostgreSQL (application_name).

        `settings`: extra environment for every process (ERCP_… settings)."""
        for name in names:
            url = make_url(self.database_url).update_query_dict({"application_name": f"{APP_PREFIX}{name}"})
            env = _env(DATABASE_URL=url.render_as_string(hide_password=False), REDIS_URL=self.redis.url, **settings)
            self.apis[name] = ApiServer(name, self.work, env)
            self.apis[name].start()
        for name in names:
            self.apis[name].wait_ready()

    def token(self, username: str) -> str:
        base = next(a.base for a in self.apis.values() if a.alive())
        r = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}, timeout=10, trust_env=False
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def leaders(self) -> list[str]:
        """Names of the processes whose session holds the relay's advisory lock in this database."""
        sql = text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :k "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with self.engine.connect() as conn:
            names = conn.execute(sql, {"k": LOCK_KEY}).scalars().all()
        return sorted(n.removeprefix(APP_PREFIX) for n in names)

    def wait_leader(self, timeout: float = 10.0) -> str:
        wait_until(lambda: len(self.leaders()) == 1, timeout, "one relay to take the advisory lock")
        return self.leaders()[0]

    def log(self) -> list[LogRow]:
        cols = (OutboxEvent.id, OutboxEvent.seq, OutboxEvent.type, OutboxEvent.drill_id, OutboxEvent.data)
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols, OutboxEvent.published_at).order_by(OutboxEvent.id)).all()
        return [LogRow(r.id, r.seq, r.type, r.drill_id, r.data, r.published_at) for r in rows]

    def wait_all_published(self, timeout: float = 10.0) -> list[LogRow]:
        wait_until(lambda: all(r.seq is not None for r in self.log()), timeout, "every outbox row to be published")
        return self.log()

    def stored_incidents(self) -> list[int]:
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(select(Incident.id).order_by(Incident.id)).scalars()]

    def diagnostics(self) -> str:
        return "\n".join(p.tail() for p in [*self.apis.values(), self.redis])

    def close(self) -> None:
        for api in self.apis.values():
            api.kill()
        self.redis.kill()
        self.engine.dispose()


def _ercp(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen[str], what: str) -> None:
    try:
        out, _ = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=10)
        raise
    assert proc.returncode == 0, f"ercp {what} failed:\n{out}"


@contextlib.contextmanager
def template_database(server: str | None = None) -> Iterator[str]:
    """A fresh database migrated with `ercp migrate`, with the operator (`ercp users create`) and one jurisdiction.

    On `server` when given (a test's private PostgreSQL), else on DATABASE_URL's server.

    Tests copy it (CREATE DATABASE ... TEMPLATE), which takes a fraction of
    the time migrating and hashing passwords again would.
    """
    with fresh_postgres_database("ercp_e2e_tmpl", server) as url, tempfile.TemporaryDirectory() as work:
        env = _env(DATABASE_URL=url, ERCP_NEW_USER_PASSWORD=PASSWORD)
        _finish(_ercp(["migrate"], env, Path(work)), "migrate")
        _finish(_ercp(["users", "create", "operator", "--role", "operator"], env, Path(work)), "users create")
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(insert(Jurisdiction).values(JURISDICTION))
        engine.dispose()
        yield url


@contextlib.contextmanager
def _copy_of(template_url: str) -> Iterator[str]:
    template = make_url(template_url)
    name = f"ercp_e2e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(template.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    deadline = time.monotonic() + 10.0
    while True:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
            break
        except OperationalError:  # a session of the template's builders still closing
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        yield template.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def cluster(template_url: str, work: Path) -> Iterator[Cluster]:
    """A copy of the template database and a running private Redis; start APIs with start_apis."""
    with _copy_of(template_url) as database_url:
        redis = RedisServer(work)
        c = Cluster(work, database_url, redis, create_engine(database_url, poolclass=NullPool))
        try:
            redis.start()
            yield c
        finally:
            c.close()


@dataclass(frozen=True)
class Write:
    index: int
    base: str
    status: int  # 0 when no answer came
    sent: float  # time.monotonic()
    returned: float
    incident_id: int | None
    transport_errors: list[str] = field(default_factory=list)  # retried with the same Idempotency-Key


class Writer(threading.Thread):
    """POSTs `count` incident reports at `rate` per second to a schedule, alternating over `bases`.

    Up to `in_flight` requests run at once, so a slow answer delays nothing
    behind it: the offered load stays `rate` whatever the latency.
    """

    def __init__(
        self,
        bases: list[str],
        token: str,
        *,
        count: int,
        rate: float,
        tag: str,
        in_flight: int = 16,
        history: History | None = None,
        repeat_every: int = 0,
    ) -> None:
        super().__init__(name=f"writer-{tag}", daemon=True)
        self.bases, self.token, self.count, self.rate, self.tag = bases, token, count, rate, tag
        self.in_flight = in_flight
        # Every request and its answer go to `history` (R10); every `repeat_every`-th report is sent a second
        # time once answered, same body and Idempotency-Key, like a client that never saw the first answer.
        self.history, self.repeat_every = history, repeat_every
        self.writes: list[Write] = []
        self.started_at = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        # Drop idle connections before uvicorn does (5 s), or a POST may race the server's close.
        limits = httpx.Limits(max_connections=self.in_flight, keepalive_expiry=2.0)
        clients = {
            b: httpx.Client(base_url=b, headers=headers, timeout=10.0, trust_env=False, limits=limits)
            for b in self.bases
        }
        try:
            with ThreadPoolExecutor(self.in_flight, thread_name_prefix=self.name) as pool:
                self.started_at = time.monotonic()
                for i in range(self.count):
                    if self.stopping.wait(max(0.0, self.started_at + i / self.rate - time.monotonic())):
                        return
                    pool.submit(self._record, clients, i)
        finally:
            for client in clients.values():
                client.close()

    def _record(self, clients: dict[str, httpx.Client], i: int) -> None:
        self.writes.append(self._post(clients, i))  # list.append is atomic; order is completion order

    def _post(self, clients: dict[str, httpx.Client], i: int) -> Write:
        base = self.bases[i % len(self.bases)]
        body = {
            "title": f"e2e {self.tag} report {i}",
            "type": "fire",
            "lat": 20.90 + (i % 50) * 0.001,
            "lon": 110.08,
            "jurisdiction": JURISDICTION["code"],
        }
        # A retry after a transport error is safe: the Idempotency-Key makes it answer, not create twice.
        headers = {"Idempotency-Key": f"e2e-{self.tag}-{i}-{uuid.uuid4().hex[:8]}"}
        sent = time.monotonic()
        errors: list[str] = []
        write = Write(i, base, 0, sent, sent, None, errors)
        answer: httpx.Response | None = None
        for _ in range(RETRIES + 1):
            try:
                r = clients[base].post("/api/v1/incidents", json=body, headers=headers)
            except httpx.TransportError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            if r.status_code == 409 and errors:  # our first attempt is still in flight on the server
                time.sleep(0.2)
                continue
            answer = r
            incident_id = int(r.json()["id"]) if r.status_code == 201 else None
            write = Write(i, base, r.status_code, sent, time.monotonic(), incident_id, errors)
            break
        else:
            write = Write(i, base, 0, sent, time.monotonic(), None, errors)
        if self.history is not None:
            self._log(write, answer, body, headers["Idempotency-Key"])
            if self.repeat_every and i % self.repeat_every == 0:
                self.history.send(
                    clients[base], INCIDENT_CREATE, "/api/v1/incidents", body, key=headers["Idempotency-Key"]
                )
        return write

    def _log(self, write: Write, answer: httpx.Response | None, body: dict[str, Any], key: str) -> None:
        assert self.history is not None
        parsed = answer.json() if answer is not None else None
        retry_after = answer.headers.get("retry-after") if answer is not None else None
        self.history.record(
            Op(INCIDENT_CREATE, write.base, body, key, write.status, write.sent, write.returned, parsed, retry_after)
        )


@dataclass(frozen=True)
class Frame:
    seq: int
    type: str
    data: dict[str, Any]
    arrived: float  # time.monotonic()
    connection: int  # index into Board.connections


@dataclass
class Connection:
    base: str
    opened: float
    hello_seq: int
    since: int | None
    closed: float | None = None


class Board:
    """A board's feed over raw websockets: events in seq order, duplicates dropped, resume with since/epoch.

    Runs its own event loop in a thread; on any disconnect it waits `backoff`
    and tries the next of `bases`, resuming after the last seq it holds.
    """

    def __init__(self, bases: list[str], token: str, *, topics: str = "incidents", backoff: float = 0.1) -> None:
        self.bases, self.token, self.topics, self.backoff = bases, token, topics, backoff
        self.frames: list[Frame] = []
        self.connections: list[Connection] = []
        self.duplicates = 0
        self.resyncs = 0
        self.last_seq = 0
        self.epoch: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._main, name="board", daemon=True)

    def start(self, timeout: float = 10.0) -> "Board":
        self._thread.start()
        wait_until(lambda: bool(self.connections), timeout, f"a board connection to {self.bases}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._task is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10.0)

    def seqs(self, type_: str | None = None) -> list[int]:
        return [f.seq for f in list(self.frames) if type_ is None or f.type == type_]

    def created_ids(self) -> list[int]:
        return [int(f.data["id"]) for f in list(self.frames) if f.type == "incident.created"]

    def _main(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):  # stop() cancels the loop's one task
            asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        attempt = 0
        while True:
            with contextlib.suppress(WebSocketException, OSError, TimeoutError):
                await self._session(self.bases[attempt % len(self.bases)])
            if self.connections and self.connections[-1].closed is None:
                self.connections[-1].closed = time.monotonic()
            attempt += 1
            await asyncio.sleep(self.backoff)

    async def _session(self, base: str) -> None:
        params = {"topics": self.topics}
        since = self.last_seq if self.epoch is not None else None
        if since is not None and self.epoch is not None:
            params |= {"since": str(since), "epoch": self.epoch}
        url = base.replace("http://", "ws://", 1) + "/api/v1/ws?" + urlencode(params)
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(url, additional_headers=headers, proxy=None, compression=None, open_timeout=3) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=3))
            assert hello.get("type") == "hello", hello
            self.epoch = str(hello["epoch"])
            self.connections.append(Connection(base, time.monotonic(), int(hello["seq"]), since))
            async for raw in ws:
                self._on_message(json.loads(raw))

    def _on_message(self, message: dict[str, Any]) -> None:
        if "data" not in message or "seq" not in message:
            if message.get("type") == "resync":
                # A real board reloads the snapshot; these tests count it and start over without `since`.
                self.resyncs += 1
                self.epoch = None
            return
        seq = int(message["seq"])
        if seq <= self.last_seq:
            self.duplicates += 1
            return
        self.last_seq = seq
        frame = Frame(seq, str(message["type"]), message["data"], time.monotonic(), len(self.connections) - 1)
        self.frames.append(frame)


class ClientThread:
    """Runs a realtime.client.SituationClient in its own event loop; notes when and from where each event came."""

    def __init__(self, client: SituationClient) -> None:
        self.client = client
        self.arrivals: list[tuple[int, float, str | None]] = []  # (seq, time.monotonic(), base URL)
        self.error: BaseException | None = None
        client.on_event = self._note
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="situation-client", daemon=True)

    def start(self, timeout: float = 10.0) -> "ClientThread":
        self._thread.start()
        wait_until(lambda: self.client.connected or self.error is not None, timeout, "the client's first hello")
        assert self.error is None, repr(self.error)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10.0)

    def _note(self, event: dict[str, Any]) -> None:
        self.arrivals.append((int(event["seq"]), time.monotonic(), self.client.current_url))

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        try:
            await self.client.run(self._stop)
        except Exception as exc:  # reported to the test thread, which fails on it
            self.error = exc
