"""The one small typed client of the situation feed, shared by the board, drills and load tests (DESIGN §2, §9).

It loads the snapshot (`GET /api/v1/situation`), then follows the websocket
(`GET /api/v1/ws?topics=...&since=<seq>&epoch=<epoch>`) and hands every event
to `on_event` once, in `seq` order. It imports only the standard library,
httpx, websockets and orjson: it is a client of the deployed API, nothing more.

How it decides (the frame logic is `SituationClient.handle_frame`, a plain method):

- `hello`: an epoch other than the snapshot's means the log was reset: resync.
- an event with seq ≤ last_seq is a duplicate (a replay overlapping what we
  hold): counted and dropped. Otherwise it is applied and last_seq moves on.
- Gaps in `seq` between delivered events are NORMAL and never trigger a
  resync: the server filters by topic and drill, so events of other topics
  take seq numbers we never see. Seq continuity therefore proves nothing on a
  filtered feed; the server is the one that knows what we missed, and it says
  so with `{"type": "resync"}` / close 4409 (resume point no longer held,
  epoch changed, we were too slow). Only those signals, and a hello with
  another epoch, make us reload the snapshot.
- `heartbeat`: ignored. Its seq is the server's position across all topics;
  being ahead of our last_seq is normal on a filtered feed.
- A hello whose seq is *behind* our last_seq (same epoch) means that server's
  hub has not yet caught up with the log our snapshot came from (another
  replica, or the relay just numbered more). Its `resync` then is not about
  our position: we reconnect after a backoff, without reloading the snapshot,
  and only fall back to a full resync if it stays behind.

Idempotent application: the snapshot is read in one snapshot transaction
together with the log's last_seq, but the relay numbers an event in a later
transaction than the change itself. So the snapshot may already contain
changes whose events arrive with seq > snapshot.seq. Consumers must apply
events idempotently: entity rows in the snapshot and in event data carry
`version`; an event whose version is not newer than the row held is stale
and can be skipped (`is_newer` does that comparison).

Disconnects (process killed, network, load balancer) are retried with jittered
exponential backoff bounded by `backoff[1]`, rotating through `base_urls`, and
resume with `since=last_seq&epoch=...` without reloading the snapshot. The
token goes in the `Authorization` header, never in a URL.

Exceptions:

ClientError                     anything this module raises on its own
 ├── AuthError                  HTTP 401/403 or close 4401/4403: the token or role is refused; not retried
 └── RequestRejected            HTTP 4xx other than auth, or close 4400: our request is malformed; not retried

Transport failures (httpx.HTTPError, OSError, websockets errors, timeouts) never
escape `run`: they are what reconnecting is for.
"""

import asyncio
import contextlib
import enum
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import orjson
from websockets.asyncio.client import connect as ws_connect_default
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

DEFAULT_TOPICS = ("incidents", "dispatches", "teams", "supplies", "escalations", "drills")
SITUATION_PATH = "/api/v1/situation"
WS_PATH = "/api/v1/ws"
CLOSE_BAD_REQUEST = 4400
CLOSE_AUTH = frozenset({4401, 4403})
CLOSE_RESYNC = 4409
CONTROL_TYPES = frozenset({"hello", "resync", "heartbeat"})
# A server still behind our snapshot after this many tries gets a full resync instead.
MAX_BEHIND_RETRIES = 10


class ClientError(Exception):
    """Base of the errors this client raises."""


class AuthError(ClientError):
    """The server refused the token or the role (HTTP 401/403, websocket close 4401/4403)."""


class RequestRejected(ClientError):
    """The server refused the request itself (bad topics, bad drill id): retrying cannot help."""


class Decision(enum.Enum):
    """What the connection loop does after a frame."""

    keep = "keep"  # go on reading
    resync = "resync"  # reload the snapshot, then reconnect from its seq
    behind = "behind"  # the server lags behind our snapshot: reconnect later, keep our position


class WsConnection(Protocol):
    async def recv(self) -> str | bytes: ...

    async def close(self) -> None: ...


WsConnect = Callable[[str, dict[str, str], float], AbstractAsyncContextManager[WsConnection]]


def _default_ws_connect(url: str, headers: dict[str, str], timeout: float) -> AbstractAsyncContextManager[WsConnection]:
    # Events are serialised once by the server and sent uncompressed (DESIGN §9); keepalive pings stay on.
    return ws_connect_default(url, additional_headers=headers, open_timeout=timeout, compression=None, max_size=2**24)


def is_newer(event: Mapping[str, Any], current_version: int | None) -> bool:
    """Whether an event's entity version is newer than the one held (events without a version always are)."""
    version = (event.get("data") or {}).get("version")
    return current_version is None or not isinstance(version, int) or version > current_version


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code in (401, 403):
        raise AuthError(f"{response.request.url.path}: {response.status_code} {response.text[:200]}")
    if 400 <= response.status_code < 500:
        raise RequestRejected(f"{response.request.url.path}: {response.status_code} {response.text[:200]}")
    response.raise_for_status()  # 5xx: an httpx.HTTPStatusError, retried


def _snapshot_params(include_drills: bool, drill_id: int | None, positions: bool) -> dict[str, str]:
    params = {"include_drills": "true" if include_drills else "false", "positions": "true" if positions else "false"}
    if drill_id is not None:
        params["drill_id"] = str(drill_id)
    return params


def fetch_snapshot(
    base_url: str, token: str, *, include_drills: bool = False, drill_id: int | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    """The situation snapshot, synchronously (for scripts)."""
    response = httpx.get(
        base_url.rstrip("/") + SITUATION_PATH,
        params=_snapshot_params(include_drills, drill_id, True),
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )
    _raise_for_status(response)
    body: dict[str, Any] = orjson.loads(response.content)
    return body


class SituationClient:
    """Snapshot + live events, in seq order, across reconnects and replicas. See the module docstring."""

    def __init__(
        self,
        base_urls: Sequence[str],
        token: str,
        *,
        topics: Iterable[str] = DEFAULT_TOPICS,
        include_drills: bool = False,
        drill_id: int | None = None,
        on_snapshot: Callable[[dict[str, Any]], None] | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        backoff: tuple[float, float] = (0.2, 5.0),
        connect_timeout: float = 5.0,
        positions: bool = True,
        http_transport: httpx.AsyncBaseTransport | None = None,
        ws_connect: WsConnect | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not base_urls:
            raise ValueError("give at least one base URL")
        self.base_urls = [u.rstrip("/") for u in base_urls]
        self.token = token
        self.topics = tuple(topics)
        self.include_drills = include_drills
        self.drill_id = drill_id
        self.on_snapshot = on_snapshot
        self.on_event = on_event
        self.backoff = backoff
        self.connect_timeout = connect_timeout
        self.positions = positions
        self._http_transport = http_transport
        self._ws_connect = ws_connect or _default_ws_connect
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._url_index = 0
        self._server_behind = False
        self._hello_seen = False
        # State for callers and tests.
        self.snapshot: dict[str, Any] | None = None
        self.epoch: str | None = None
        self.last_seq = 0
        self.applied: list[dict[str, Any]] = []  # every event applied, in order; callers may clear it
        self.duplicates = 0
        self.resyncs = 0
        self.reconnects = 0
        self.lagging = 0  # reconnects because a server was behind our snapshot
        self.connected = False
        self.current_url: str | None = None

    # -- pure decisions -------------------------------------------------------------------------

    def ws_url(self, base_url: str) -> str:
        """The websocket URL for `base_url`, resuming after last_seq; it never carries the token."""
        parts = urlsplit(base_url)
        scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
        params: dict[str, str] = {"topics": ",".join(self.topics)}
        if self.epoch is not None:
            params["since"] = str(self.last_seq)
            params["epoch"] = self.epoch
        if self.drill_id is not None:
            params["drill_id"] = str(self.drill_id)
        elif self.include_drills:
            params["include_drills"] = "true"
        return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + WS_PATH, urlencode(params), ""))

    def handle_frame(self, frame: Mapping[str, Any]) -> Decision:
        """Apply one decoded frame to the client's state and say what the connection loop does next."""
        kind = frame.get("type")
        if kind == "hello":
            self.connected = self._hello_seen = True
            if frame.get("epoch") != self.epoch:
                return Decision.resync
            seq = frame.get("seq")
            self._server_behind = isinstance(seq, int) and seq < self.last_seq
            return Decision.keep
        if kind == "resync":
            return Decision.behind if self._server_behind else Decision.resync
        if kind == "heartbeat" or kind in CONTROL_TYPES or not isinstance(frame.get("seq"), int):
            return Decision.keep  # heartbeats and frames this client does not know are ignored
        if frame.get("epoch") != self.epoch:
            return Decision.resync
        seq = int(frame["seq"])
        if seq <= self.last_seq:
            self.duplicates += 1
            return Decision.keep
        event = dict(frame)
        self.last_seq = seq
        self.applied.append(event)
        if self.on_event is not None:
            self.on_event(event)
        return Decision.keep

    def take_snapshot(self, snapshot: dict[str, Any]) -> None:
        """Adopt a freshly loaded snapshot: its seq and epoch are where the feed resumes."""
        self.snapshot = snapshot
        self.last_seq = int(snapshot["seq"])
        self.epoch = str(snapshot["epoch"])
        self._server_behind = False
        if self.on_snapshot is not None:
            self.on_snapshot(snapshot)

    def next_delay(self, attempt: int) -> float:
        """Jittered exponential backoff: between backoff[0] and min(backoff[1], backoff[0] * 2**attempt)."""
        low, high = self.backoff
        cap = min(high, low * (2 ** min(attempt, 30)))
        return self._rng.uniform(min(low, cap), cap)

    def rotate(self) -> str:
        """Move to the next base URL (a client of a dead process goes to another one)."""
        self._url_index = (self._url_index + 1) % len(self.base_urls)
        return self.base_urls[self._url_index]

    # -- I/O ------------------------------------------------------------------------------------

    async def load_snapshot(self, http: httpx.AsyncClient, base_url: str) -> None:
        response = await http.get(
            base_url + SITUATION_PATH,
            params=_snapshot_params(self.include_drills, self.drill_id, self.positions),
            headers={"Authorization": f"Bearer {self.token}"},
        )
        _raise_for_status(response)
        self.take_snapshot(orjson.loads(response.content))

    async def _stream(self, base_url: str, stop: asyncio.Event) -> Decision | None:
        """Follow one websocket until it ends; None when it simply went away (or we were stopped)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        self._server_behind = False
        self.current_url = base_url
        try:
            async with self._ws_connect(self.ws_url(base_url), headers, self.connect_timeout) as ws:
                closer = asyncio.create_task(self._close_when(stop, ws))
                try:
                    while True:
                        frame = orjson.loads(await ws.recv())
                        if not isinstance(frame, dict):
                            continue
                        decision = self.handle_frame(frame)
                        if decision is not Decision.keep:
                            return decision
                finally:
                    closer.cancel()
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            if stop.is_set():
                return None
            if code in CLOSE_AUTH:
                raise AuthError(f"websocket closed {code}: {exc.rcvd.reason if exc.rcvd else ''}") from exc
            if code == CLOSE_BAD_REQUEST:
                raise RequestRejected(f"websocket closed 4400: {exc.rcvd.reason if exc.rcvd else ''}") from exc
            if code == CLOSE_RESYNC:
                return Decision.behind if self._server_behind else Decision.resync
            return None
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise AuthError(f"websocket handshake refused: {status}") from exc
            return None
        finally:
            self.connected = False

    @staticmethod
    async def _close_when(stop: asyncio.Event, ws: WsConnection) -> None:
        await stop.wait()
        await ws.close()

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)

    async def run(self, stop: asyncio.Event) -> None:
        """Load the snapshot and follow the feed until `stop` is set; raises AuthError / RequestRejected."""
        need_snapshot = self.snapshot is None
        attempt = behind = resync_streak = 0
        timeout = httpx.Timeout(30.0, connect=self.connect_timeout)
        async with httpx.AsyncClient(timeout=timeout, transport=self._http_transport) as http:
            while not stop.is_set():
                self._hello_seen = False
                outcome: Decision | None = None
                try:
                    if need_snapshot:
                        await self.load_snapshot(http, self.base_urls[self._url_index])
                        need_snapshot = False
                    outcome = await self._stream(self.base_urls[self._url_index], stop)
                except (httpx.HTTPError, OSError, WebSocketException, TimeoutError):
                    outcome = None
                if stop.is_set():
                    return
                if self._hello_seen:
                    attempt = 0  # that server answered: back off afresh from the bottom
                if outcome is Decision.behind and behind < MAX_BEHIND_RETRIES:
                    # Keep our position and wait for that server's hub to catch up (or try another).
                    self.lagging += 1
                    await self._sleep(stop, self.next_delay(behind))
                    behind += 1
                    self.rotate()
                    continue
                behind = 0
                if outcome is not None:  # resync, or a server that stayed behind too long
                    self.resyncs += 1
                    need_snapshot = True
                    resync_streak += 1
                    if resync_streak > 1:  # the first reload is immediate; a resync loop backs off
                        await self._sleep(stop, self.next_delay(resync_streak - 2))
                    continue
                resync_streak = 0
                self.reconnects += 1
                await self._sleep(stop, self.next_delay(attempt))
                attempt += 1
                self.rotate()
