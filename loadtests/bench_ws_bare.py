"""The limit to compare against: a bare `websockets` server broadcasting envelopes, nothing else.

    python -m loadtests.bench_ws_bare --port PORT --data-file sample-data.json

It accepts any websocket on any path, greets it with `hello` like the API, and
then, per stdin command `RATE SECONDS`, renders one envelope per event (same
fields and `data` as a real `incident.created`, `at` = now) once and hands it
to `websockets.broadcast` for every connection, paced to RATE events/s. It
answers each command with one JSON line: events sent and the rate achieved.
No compression (the library's default deflate costs ~0.4× of the throughput,
DESIGN §9), uvloop when available — as the API server runs.
"""

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

from loadtests.bench_ws_clients import raise_nofile

EPOCH = "bench-bare"


class Broadcaster:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.conns: set[ServerConnection] = set()
        self.seq = 0

    async def handler(self, conn: ServerConnection) -> None:
        await conn.send(orjson.dumps({"type": "hello", "epoch": EPOCH, "seq": self.seq}).decode())
        self.conns.add(conn)
        try:
            await conn.wait_closed()
        finally:
            self.conns.discard(conn)

    def envelope(self) -> str:
        self.seq += 1
        at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        data = {**self.data, "id": self.seq}
        return orjson.dumps(
            {"seq": self.seq, "epoch": EPOCH, "type": "incident.created", "at": at, "drill_id": None, "data": data}
        ).decode()

    async def paced(self, rate: float, seconds: float) -> dict[str, float]:
        """Broadcast `rate` events/s for `seconds`; an event that is due late is sent late, not skipped."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        total = int(rate * seconds)
        for i in range(total):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            broadcast(self.conns, self.envelope())
            if delay <= 0 and i % 8 == 0:
                await asyncio.sleep(0)  # let the writes drain when we are behind
        took = loop.time() - start
        return {"events": total, "seconds": took, "rate": total / took if took > 0 else 0.0}


async def commands(b: Broadcaster) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "quit":
            return
        rate, seconds = (float(x) for x in line.split())
        result: dict[str, Any] = await b.paced(rate, seconds)
        result["clients"] = len(b.conns)
        sys.stdout.write(orjson.dumps(result).decode() + "\n")
        sys.stdout.flush()


async def run(port: int, data: dict[str, Any]) -> None:
    b = Broadcaster(data)
    async with serve(b.handler, "127.0.0.1", port, compression=None, max_size=65536, backlog=4096):
        print(orjson.dumps({"listening": port, "started": time.time()}).decode(), flush=True)
        await commands(b)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m loadtests.bench_ws_bare", description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data-file", type=Path, required=True, help="JSON object: the `data` of every envelope")
    args = p.parse_args(argv)
    raise_nofile()
    data = orjson.loads(args.data_file.read_bytes())
    try:
        import uvloop

        uvloop.run(run(args.port, data))
    except ImportError:
        asyncio.run(run(args.port, data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
