"""The websocket side of the fan-out benchmark: N clients in one process, run by `bench_ws` over stdin/stdout.

    python -m loadtests.bench_ws_clients --url ws://127.0.0.1:PORT/api/v1/ws?topics=incidents --clients 1000

Each connection is a plain `asyncio.Protocol` driving the `websockets` sans-I/O
client (handshake, pings, close, optional permessage-deflate), with no task or
queue per connection: the receiving side has to cost less per message than the
server that sends, or the benchmark measures its own clients. For every event
frame it records receive time − the envelope's `at` (set by the server before
it commits / sends; same machine, same clock). `at` is parsed once per event
(keyed by `seq`), not once per delivery.

Commands, one per line on stdin, each answered by one JSON line on stdout:
`reset` (start a new window), `stats` (the window so far), `quit`.
"""

import argparse
import asyncio
import resource
import sys
import time
from datetime import datetime
from typing import Any, cast

import orjson
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

NOFILE = 4096
BUCKET_S = 0.0001  # histogram resolution: 0.1 ms
BUCKETS = 600_000  # up to 60 s; later deliveries land in the last bucket
CONNECT_BATCH = 50


def raise_nofile(want: int = NOFILE) -> int:
    """Lift the soft open-files limit towards `want` (bounded by the hard limit); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def percentile(hist: list[int], total: int, q: float) -> float:
    """The q-quantile (0..1) of a bucketed sample, in seconds (upper edge of its bucket)."""
    if total == 0:
        return float("nan")
    rank, seen = q * total, 0
    for i, n in enumerate(hist):
        seen += n
        if seen >= rank:
            return (i + 1) * BUCKET_S
    return BUCKETS * BUCKET_S


class Stats:
    def __init__(self) -> None:
        self.at_by_seq: dict[int, float] = {}
        self.seen_seq = 0  # highest seq any client received, ever
        self.total = 0  # every event delivery, ever
        self.reset()

    def reset(self) -> None:
        self.hist = [0] * BUCKETS
        self.count = 0
        self.bytes = 0
        self.watermark = self.seen_seq  # what is delivered from here on but was sent before belongs to no window
        self.started = time.monotonic()
        self.cpu_started = time.process_time()
        self.at_by_seq.clear()

    def commit_time(self, seq: int, data: bytes) -> float:
        at = self.at_by_seq.get(seq)
        if at is None:
            raw = orjson.loads(data)
            at = datetime.fromisoformat(str(raw["at"]).replace("Z", "+00:00")).timestamp()
            self.at_by_seq[seq] = at
            self.seen_seq = max(self.seen_seq, seq)
        return at

    def record(self, latency: float, size: int) -> None:
        i = int(latency / BUCKET_S)
        self.hist[i if 0 <= i < BUCKETS else (0 if i < 0 else BUCKETS - 1)] += 1
        self.count += 1
        self.bytes += size

    def snapshot(self, pool: "Pool") -> dict[str, Any]:
        wall = time.monotonic() - self.started
        return {
            "deliveries": self.count,
            "events": len(self.at_by_seq),
            "p50_ms": percentile(self.hist, self.count, 0.50) * 1000,
            "p99_ms": percentile(self.hist, self.count, 0.99) * 1000,
            "max_ms": percentile(self.hist, self.count, 1.0) * 1000,
            "mean_bytes": self.bytes / self.count if self.count else 0.0,
            "cpu_share": (time.process_time() - self.cpu_started) / wall if wall > 0 else 0.0,
            "open": pool.open,
            "resyncs": pool.resyncs,
            "closed": pool.closed,
            "extensions": sorted(pool.extensions),
            "sample": pool.sample,
        }


class Pool:
    """What the connections share: the stats, and counters of the unexpected."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.open = self.resyncs = self.closed = 0
        self.extensions: set[str] = set()
        self.sample: str | None = None


class Conn(asyncio.Protocol):
    def __init__(self, pool: Pool, url: str, token: str | None, deflate: bool) -> None:
        self.pool = pool
        extensions = [ClientPerMessageDeflateFactory()] if deflate else None
        self.ws = ClientProtocol(parse_uri(url), extensions=extensions, max_size=None)
        self.request = self.ws.connect()
        if token:
            self.request.headers["Authorization"] = f"Bearer {token}"
        self.transport: asyncio.Transport | None = None
        self.hello: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.fragments: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.ws.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                if event.status_code != 101 and not self.hello.done():
                    self.hello.set_result(False)
                self.pool.extensions.update(event.headers.get_all("Sec-WebSocket-Extensions") or ["none"])
            elif isinstance(event, Frame):
                self._frame(event, now)
        self._flush()

    def _frame(self, frame: Frame, now: float) -> None:
        if frame.opcode not in (Opcode.TEXT, Opcode.CONT):
            return  # pings are answered by the protocol object; close is handled in connection_lost
        payload = bytes(frame.data) if not isinstance(frame.data, bytes) else frame.data
        if not frame.fin:
            self.fragments.append(payload)
            return
        data = b"".join([*self.fragments, payload]) if self.fragments else payload
        self.fragments.clear()
        if data.startswith(b'{"seq":'):
            stats = self.pool.stats
            stats.total += 1
            seq = int(data[7 : data.index(b",", 7)])
            if seq > stats.watermark:
                stats.record(now - stats.commit_time(seq, data), len(data))
            if self.pool.sample is None:
                self.pool.sample = data.decode()
        elif data.startswith(b'{"type":"hello"'):
            if not self.hello.done():
                self.pool.open += 1
                self.hello.set_result(True)
        elif data.startswith(b'{"type":"resync"'):
            self.pool.resyncs += 1

    def _flush(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)
            else:
                self.transport.write_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.hello.done() and self.hello.result():
            self.pool.open -= 1
            self.pool.closed += 1
        elif not self.hello.done():
            self.hello.set_result(False)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def connect_all(pool: Pool, args: argparse.Namespace) -> list[Conn]:
    loop = asyncio.get_running_loop()
    uri = parse_uri(args.url)
    conns: list[Conn] = []

    async def one() -> None:
        conn = Conn(pool, args.url, args.token, args.deflate)
        conns.append(conn)
        try:
            await loop.create_connection(lambda: conn, uri.host, uri.port)
            await asyncio.wait_for(asyncio.shield(conn.hello), timeout=30)
        except (OSError, TimeoutError):
            if not conn.hello.done():
                conn.hello.set_result(False)

    for start in range(0, args.clients, CONNECT_BATCH):
        await asyncio.gather(*(one() for _ in range(min(CONNECT_BATCH, args.clients - start))))
    return conns


async def serve_commands(pool: Pool) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "quit":
            return
        if line == "reset":
            pool.stats.reset()
            answer: dict[str, Any] = {"ok": True}
        elif line == "count":
            answer = {"deliveries": pool.stats.count, "total": pool.stats.total, "open": pool.open}
        elif line == "stats":
            answer = pool.stats.snapshot(pool)
        else:
            answer = {"error": f"unknown command {line!r}"}
        sys.stdout.write(orjson.dumps(answer).decode() + "\n")
        sys.stdout.flush()


async def run(args: argparse.Namespace) -> None:
    pool = Pool()
    started = time.monotonic()
    conns = await connect_all(pool, args)
    ready = {"ready": pool.open, "failed": args.clients - pool.open, "connect_s": time.monotonic() - started}
    print(orjson.dumps({**ready, "nofile": raise_nofile()}).decode(), flush=True)
    try:
        await serve_commands(pool)
    finally:
        for conn in conns:
            conn.close()
        await asyncio.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtests.bench_ws_clients", description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--token", default=None, help="bearer token for the Authorization header")
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate, as browsers do")
    args = p.parse_args(argv)
    raise_nofile()
    try:
        import uvloop  # optional: the loop the API server runs on

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
