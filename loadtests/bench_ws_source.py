"""Event sources and child processes for the websocket benchmark (`bench_ws`).

Three ways to make events, each paced to a target rate and reporting what it
really achieved (a source that cannot keep the rate is itself the limit):

- `post_incidents`: `POST /api/v1/incidents` as an operator — the whole write path.
- `insert_outbox`: plain SQL rows in `outbox_events`, the table the relay publishes
  — relay → hub → clients only, without the HTTP write path.
- the bare server paces itself (`bench_ws_bare`), told over its stdin.
"""

import asyncio
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from psycopg.types.json import Jsonb

from loadtests import bench_data

MAX_IN_FLIGHT = 64  # concurrent POSTs; more waiting than this means the API no longer keeps up
CHILD_TIMEOUT_S = 120.0


@dataclass
class Sent:
    target: float
    events: int = 0  # events that reached the outbox / the wire
    errors: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


async def _post_incidents(base_url: str, token: str, rate: float, seconds: float, rng: random.Random) -> Sent:
    sent = Sent(rate)
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30.0) as client:
        slots = asyncio.Semaphore(MAX_IN_FLIGHT)

        async def one(i: int) -> None:
            try:
                r = await client.post("/api/v1/incidents", json=bench_data.incident_payload(rng, i))
                sent.statuses[r.status_code] = sent.statuses.get(r.status_code, 0) + 1
                if r.status_code == 201:
                    sent.events += 1
                else:
                    sent.errors += 1
            except httpx.HTTPError:
                sent.errors += 1
            finally:
                slots.release()

        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await slots.acquire()  # a full window delays the next request: the achieved rate drops
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        sent.seconds = loop.time() - start
    return sent


def post_incidents(base_url: str, token: str, rate: float, seconds: float, rng: random.Random) -> Sent:
    return asyncio.run(_post_incidents(base_url, token, rate, seconds, rng))


def insert_outbox(database_url: str, data: dict[str, Any], rate: float, seconds: float, first_id: int) -> Sent:
    """One committed row per event (`at` = the database clock at insert; autocommit, so ≈ commit)."""
    sent = Sent(rate)
    query = (
        "INSERT INTO outbox_events (type, at, drill_id, data) VALUES ('incident.created', clock_timestamp(), NULL, %s)"
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        start = time.monotonic()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn.execute(query, (Jsonb({**data, "id": first_id + i}),))
            sent.events += 1
        sent.seconds = time.monotonic() - start
    return sent


class Child:
    """A benchmark helper process that takes one command per stdin line and answers one JSON line."""

    def __init__(self, name: str, argv: list[str], log_path: Path) -> None:
        self.name = name
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 (our own argv)
            [sys.executable, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log
        )

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited ({self.proc.poll()}); see {self._log.name}")
        answer: dict[str, Any] = orjson.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()
        return self.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(b"quit\n")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def clients(url: str, n: int, token: str | None, deflate: bool, log_dir: Path, tag: str) -> Child:
    argv = ["-m", "loadtests.bench_ws_clients", "--url", url, "--clients", str(n)]
    argv += ["--token", token] if token else []
    argv += ["--deflate"] if deflate else []
    return Child(f"clients ({tag})", argv, log_dir / f"clients-{tag}.log")


def bare_server(port: int, data_file: Path, log_dir: Path) -> Child:
    argv = ["-m", "loadtests.bench_ws_bare", "--port", str(port), "--data-file", str(data_file)]
    return Child("bare websockets server", argv, log_dir / "bare-ws.log")


def proc_status(pid: int, key: str) -> int:
    """A /proc/<pid>/status figure in kB (VmRSS, VmHWM, ...)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
