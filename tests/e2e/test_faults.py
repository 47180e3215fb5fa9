"""R8 and R9 (ACCEPTANCE): a PostgreSQL restart and a Redis pause under a surge of writes, each checked by R10.

Two `ercp serve` processes take incident reports (a tenth of them sent twice with the same Idempotency-Key),
dispatches racing for three teams and stock movements on one item that runs dry, with a board on each
process, while the fault happens. Every operation goes into a History that tests.e2e.history checks afterwards against
the database. R8 restarts a private PostgreSQL (the machine's shared one serves other tests), R9 pauses the
cluster's private redis-server. Each prints one summary line with the checker's verdict.
"""

import os
import shutil
import signal
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e import workload
from tests.e2e.cluster import (
    REDIS_SERVER,
    Board,
    Cluster,
    LogRow,
    Writer,
    cluster,
    require_postgres_and_redis_server,
    template_database,
    wait_until,
)
from tests.e2e.history import History, Op, Verdict, baseline, check, observe
from tests.e2e.postgres import PostgresServer, private_postgres, require_private_postgres

pytestmark = pytest.mark.slow

RATE = 40.0  # incident reports per second, beside ~40 requests/s of dispatches and stock movements


def _require_redis_server() -> None:
    if shutil.which(REDIS_SERVER) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"needs {REDIS_SERVER} on PATH; CI must provide it")
        pytest.skip(f"needs {REDIS_SERVER} on PATH")


def _board_seqs(log: list[LogRow]) -> list[int]:
    return sorted(r.seq for r in log if r.seq is not None and r.on_incidents_board)


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _ms(ops: list[Op]) -> list[float]:
    return [(op.returned - op.sent) * 1000 for op in ops]


def _sleep_until(at: float) -> None:
    time.sleep(max(0.0, at - time.monotonic()))


def _ready(c: Cluster) -> bool:
    try:
        return all(
            httpx.get(f"{api.base}/readyz", timeout=1.0, trust_env=False).status_code == 200 for api in c.apis.values()
        )
    except httpx.TransportError:
        return False


class Run:
    """The surge: the incident writer and the dispatch and stock loops over both processes, a board on each."""

    def __init__(self, c: Cluster, *, count: int, tag: str) -> None:
        self.c = c
        bases = [api.base for api in c.apis.values()]
        token = c.token("operator")
        self.world = workload.setup(bases[0], token)
        self.before = baseline(c.engine)
        self.history = History()
        self.boards = [Board([base, *[b for b in bases if b != base]], token).start() for base in bases]
        self.writer = Writer(
            bases, token, count=count, rate=RATE, tag=tag, history=self.history, repeat_every=10, in_flight=32
        )
        self.loops: list[workload.Loop] = []
        self.board_notes: list[str] = []
        self.resyncs = 0
        self._bases, self._token = bases, token

    def start(self) -> float:
        self.writer.start()
        self.loops = workload.start(self._bases, self._token, self.history, self.world)
        wait_until(lambda: self.writer.started_at > 0, 5.0, "the writer to start")
        return self.writer.started_at

    def finish(self) -> tuple[Verdict, list[int], int]:
        """Waits for the writes, the log and the boards; (verdict, missing seqs over the boards, duplicates)."""
        self.writer.join(timeout=60)
        assert not self.writer.is_alive(), "the writer did not finish"
        for loop in self.loops:
            loop.stop()
        log = self.c.wait_all_published(timeout=15.0)
        seqs = _board_seqs(log)

        def owed(b: Board) -> set[int]:
            """What the board should hold: every incidents-topic event after its first hello."""
            return {s for s in seqs if s > b.connections[0].hello_seq}

        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline and not all(owed(b) <= set(b.seqs()) for b in self.boards):
            time.sleep(0.05)
        for board in self.boards:
            board.stop()
        missing = sorted({s for b in self.boards for s in owed(b) - set(b.seqs())})
        dups = sum(b.duplicates for b in self.boards)
        self.resyncs = sum(b.resyncs for b in self.boards)
        self.board_notes = [
            f"board {n}: connections={len(b.connections)} resyncs={b.resyncs} held={len(b.seqs())}/{len(owed(b))} "
            f"first_missing={sorted(owed(b) - set(b.seqs()))[:5]}"
            for n, b in enumerate(self.boards)
        ]
        return check(self.history.ops, observe(self.c.engine, self.before)), missing, dups

    def max_lag_ms(self, lo: float, hi: float) -> float:
        """Worst board arrival - answer, in ms, over the incident reports answered in [lo, hi)."""
        worst = 0.0
        for board in self.boards:
            arrived = {int(f.data["id"]): f.arrived for f in board.frames if f.type == "incident.created"}
            for w in self.writer.writes:
                if w.incident_id in arrived and lo <= w.returned < hi:
                    worst = max(worst, (arrived[w.incident_id] - w.returned) * 1000)
        return worst

    def stop_all(self) -> None:
        self.writer.stopping.set()
        for loop in self.loops:
            loop.stop()
        for board in self.boards:
            board.stop()


@pytest.fixture
def private_pg_cluster(tmp_path: Path) -> Iterator[tuple[Cluster, PostgresServer]]:
    binaries = require_private_postgres()
    _require_redis_server()
    with private_postgres(binaries) as pg, template_database(pg.url) as template, cluster(template, tmp_path) as c:
        c.start_apis("a", "b")
        c.wait_leader()
        yield c, pg


def test_r8_postgres_restarted_during_a_surge(private_pg_cluster: tuple[Cluster, PostgresServer]) -> None:
    c, pg = private_pg_cluster
    run = Run(c, count=int(RATE * 14), tag="r8")
    try:
        started = run.start()
        _sleep_until(started + 4.0)
        pg.stop_immediate()
        down = time.monotonic()
        _sleep_until(down + 3.0)
        pg.start()  # returns once PostgreSQL accepts connections again (crash recovery done)
        back = time.monotonic()
        ready = wait_until(lambda: _ready(c), 15.0, "both processes to report ready again")
        verdict, missing, dups = run.finish()
    except BaseException:
        run.stop_all()
        raise

    ops = run.history.ops
    statuses = Counter(op.status for op in ops)
    during = [op for op in ops if down <= op.sent < back]
    refused = [op for op in ops if op.status == 503]
    after = [op for op in ops if op.sent >= back and op.acked]
    first_ack_s = min(op.returned for op in after) - back if after else float("inf")
    print(
        f"\nR8 postgres_restart: ops={len(ops)} statuses={dict(sorted(statuses.items()))} "
        f"down_s={back - down:.2f} during_outage={len(during)} 503={len(refused)} "
        f"503_with_retry_after={sum(1 for op in refused if op.retry_after)} "
        f"max_ms={max(_ms(ops)):.0f} max_ms_outage={max(_ms(during), default=0.0):.0f} "
        f"ready_after_back_s={ready - back:.2f} first_ack_after_back_s={first_ack_s:.2f} "
        f"board_missing={len(missing)} board_dups={dups} board_resyncs={run.resyncs} | {verdict.summary()}"
    )
    assert verdict.ok, verdict.details()
    assert refused, "the outage produced no 503: was PostgreSQL down at all?"
    assert ready - back <= 5.0
    assert first_ack_s <= 5.0
    assert missing == [], run.board_notes
    assert dups == 0
    assert run.resyncs == 0, "a board had to reload its snapshot instead of resuming"


class Prober(threading.Thread):
    """GETs /healthz on each process every 0.2 s: the slowest answer (an unanswered one counts as its timeout)."""

    def __init__(self, bases: list[str]) -> None:
        super().__init__(name="healthz-prober", daemon=True)
        self.bases = bases
        self.worst_ms = 0.0
        self.failures = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while not self.stopping.wait(0.2):
                for base in self.bases:
                    sent = time.monotonic()
                    try:
                        ok = client.get(f"{base}/healthz").status_code == 200
                    except httpx.TransportError:
                        ok = False
                    self.failures += not ok
                    self.worst_ms = max(self.worst_ms, (time.monotonic() - sent) * 1000)


def _fail_open_count(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5, trust_env=False).text
    for family in text_string_to_metric_families(text):
        if family.name == "ercp_rate_limit_backend_errors":
            return sum(s.value for s in family.samples if s.name.endswith("_total"))
    return 0.0


@pytest.fixture
def shared_pg_cluster(tmp_path: Path) -> Iterator[Cluster]:
    require_postgres_and_redis_server()
    with template_database() as template, cluster(template, tmp_path) as c:
        c.start_apis("a", "b")
        c.wait_leader()
        yield c


def test_r9_redis_paused_for_ten_seconds_during_writes(shared_pg_cluster: Cluster) -> None:
    c = shared_pg_cluster
    run = Run(c, count=int(RATE * 16), tag="r9")
    prober = Prober([api.base for api in c.apis.values()])
    assert c.redis.proc is not None
    redis_pid = c.redis.proc.pid
    try:
        prober.start()
        started = run.start()
        _sleep_until(started + 4.0)
        os.kill(redis_pid, signal.SIGSTOP)
        paused = time.monotonic()
        try:
            _sleep_until(paused + 10.0)
        finally:
            os.kill(redis_pid, signal.SIGCONT)
        resumed = time.monotonic()
        verdict, missing, dups = run.finish()
    except BaseException:
        run.stop_all()
        raise
    finally:
        prober.stopping.set()
        prober.join(timeout=5)

    ops = run.history.ops
    writes = [op for op in ops if op.kind == "incident.create"]
    before = _ms([op for op in writes if op.sent < paused])
    during = _ms([op for op in writes if paused <= op.sent < resumed])
    statuses = Counter(op.status for op in ops)
    fail_open = sum(_fail_open_count(api.base) for api in c.apis.values())
    rise = _pct(during, 99) - _pct(before, 99)
    print(
        f"\nR9 redis_pause: paused_s={resumed - paused:.1f} ops={len(ops)} statuses={dict(sorted(statuses.items()))} "
        f"write_p99_ms_before={_pct(before, 99):.0f} write_p99_ms_paused={_pct(during, 99):.0f} "
        f"rise_ms={rise:.0f} healthz_worst_ms={prober.worst_ms:.0f} healthz_failures={prober.failures} "
        f"rate_limit_fail_open={fail_open:.0f} 429={statuses.get(429, 0)} board_missing={len(missing)} "
        f"board_dups={dups} board_resyncs={run.resyncs} "
        f"board_max_lag_ms_paused={run.max_lag_ms(paused, resumed):.0f} | {verdict.summary()}"
    )
    assert verdict.ok, verdict.details()
    assert missing == [], run.board_notes
    assert dups == 0
    assert run.resyncs == 0, "a board had to reload its snapshot instead of resuming"
    assert statuses.get(429, 0) == 0
    assert fail_open > 0, "no rate-limit check failed open: was Redis paused at all?"
    assert prober.failures == 0
    assert prober.worst_ms <= 1000
    assert rise <= 200
