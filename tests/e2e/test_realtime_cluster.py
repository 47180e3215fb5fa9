"""Realtime across real processes: two `ercp serve` on one PostgreSQL database and a private Redis (DESIGN §9).

Each test gets a fresh copy of one migrated template database, so the event
log starts at seq 1, and its own redis-server and API processes. Needs a
PostgreSQL DATABASE_URL (skipped without one locally, a failure under
CI=true); Redis is always a private redis-server the test kills at will.
Each test prints one summary line with its figures; R6 and R7 log every request in a History and end the line
with the R10 checker's verdict (tests.e2e.history).
"""

import statistics
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from realtime.client import SituationClient
from realtime.relay import CHANNEL
from tests.e2e.cluster import (
    ApiServer,
    Board,
    ClientThread,
    Cluster,
    LogRow,
    Tap,
    Write,
    Writer,
    cluster,
    require_postgres_and_redis_server,
    template_database,
    wait_until,
)
from tests.e2e.history import History, baseline, check, observe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template() -> Iterator[str]:
    require_postgres_and_redis_server()
    with template_database() as url:
        yield url


@pytest.fixture
def two_apis(template: str, tmp_path: Path) -> Iterator[Cluster]:
    """Processes "a" and "b" on a fresh copy of the template database and one private Redis."""
    with cluster(template, tmp_path) as c:
        c.start_apis("a", "b")
        c.wait_leader()
        yield c


def _roles(c: Cluster) -> tuple[ApiServer, ApiServer]:
    """(leader, standby): who holds the relay lock, read from PostgreSQL."""
    leader = c.wait_leader()
    return c.apis[leader], next(api for name, api in c.apis.items() if name != leader)


def _board_seqs(log: list[LogRow]) -> list[int]:
    return sorted(r.seq for r in log if r.seq is not None and r.on_incidents_board)


def _created(log: list[LogRow]) -> Counter[int]:
    return Counter(int(r.data["id"]) for r in log if r.type == "incident.created")


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _ok(writes: list[Write]) -> list[int]:
    return [w.incident_id for w in writes if w.incident_id is not None]


def _retried(writes: list[Write]) -> int:
    return sum(1 for w in writes if w.transport_errors)


def _wall(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def test_events_written_through_one_process_reach_a_client_of_the_other_in_order(two_apis: Cluster) -> None:
    c = two_apis
    board = Board([c.apis["b"].base], c.token("operator")).start()
    # Both hubs listen on the bus, so what is measured is bus delivery, not the 1 s watchdog's.
    wait_until(lambda: c.redis.subscribers(CHANNEL) == 2, 5.0, "both hubs to subscribe")
    bus = Tap(c.redis.url, CHANNEL)
    try:
        writer = Writer([c.apis["a"].base], c.token("operator"), count=100, rate=50, tag="cross")
        writer.start()
        writer.join(timeout=30)
        created = _ok(writer.writes)
        assert len(created) == 100, [w for w in writer.writes if w.status != 201]
        wait_until(lambda: set(created) <= set(board.created_ids()), 10.0, "the board to see every incident")
        log = c.wait_all_published()
        on_bus = bus.drain()
    finally:
        board.stop()
        bus.close()

    seqs = board.seqs()
    assert seqs == sorted(set(seqs)), "frames out of seq order"
    assert seqs == _board_seqs(log), "the board's seqs differ from the log's incidents-topic seqs"
    assert sorted(board.created_ids()) == sorted(created)
    assert board.duplicates == 0
    assert board.resyncs == 0
    assert len(board.connections) == 1
    arrived = {int(f.data["id"]): f.arrived for f in board.frames if f.type == "incident.created"}
    # Commit → client: the POST returned after the commit, so this never overstates; a frame may even beat it.
    latency = [max(0.0, arrived[w.incident_id] - w.returned) * 1000 for w in writer.writes if w.incident_id]
    post_ms = [(w.returned - w.sent) * 1000 for w in writer.writes]
    print(
        f"\ncross_process: writes={len(created)} retried={_retried(writer.writes)} "
        f"received={len(arrived)}/{len(created)} gaps=0 dups=0 "
        f"p50_ms={_pct(latency, 50):.1f} p95_ms={_pct(latency, 95):.1f} max_ms={max(latency):.1f} "
        f"post_p50_ms={_pct(post_ms, 50):.1f} post_p95_ms={_pct(post_ms, 95):.1f} on_bus={on_bus}/{len(log)}"
    )
    assert on_bus == len(log), "the relay should publish every event on Redis"
    # Generous: R11 holds the 1 s target under steady load; this box may be shared with other work.
    assert _pct(latency, 95) < 2000


def test_a_standby_relay_takes_over_when_the_leader_process_is_killed(two_apis: Cluster) -> None:
    c = two_apis
    leader, standby = _roles(c)
    board = Board([standby.base], c.token("operator")).start()
    try:
        writer = Writer([standby.base], c.token("operator"), count=150, rate=25, tag="failover")
        writer.start()
        wait_until(lambda: len(writer.writes) >= 50, 10.0, "50 writes before the kill")
        killed_wall, killed_mono = time.time(), time.monotonic()
        leader.kill()
        writer.join(timeout=30)
        created = _ok(writer.writes)
        assert len(created) == 150, [w for w in writer.writes if w.status != 201]
        log = c.wait_all_published(timeout=10.0)
        wait_until(lambda: set(created) <= set(board.created_ids()), 10.0, "the board to see every incident")
    finally:
        board.stop()

    assert c.leaders() == [standby.name], "the standby should hold the relay lock now"
    seqs = sorted(r.seq for r in log if r.seq is not None)
    assert seqs == list(range(1, len(log) + 1)), f"log seqs are not 1..{len(log)}"
    per_incident = _created(log)
    assert sorted(per_incident) == sorted(created)
    assert set(per_incident.values()) == {1}
    published = sorted(_wall(r.published_at) for r in log if r.published_at is not None)
    before = [t for t in published if t <= killed_wall]
    after = [t for t in published if t > killed_wall]
    assert before, "expected events published before the kill"
    assert after, "expected events published after the kill"
    first_after_ms = (after[0] - killed_wall) * 1000
    gap_ms = (after[0] - before[-1]) * 1000
    assert board.seqs() == _board_seqs(log)
    assert board.duplicates == 0
    print(
        f"\nfailover: leader={leader.name} leader_killed_at={killed_mono - writer.started_at:.2f}s "
        f"first_publish_after_ms={first_after_ms:.0f} publish_gap_ms={gap_ms:.0f} "
        f"events={len(log)} gaps=0 dups=0 retried_writes={_retried(writer.writes)}"
    )
    assert first_after_ms <= 5000


def test_r6_boards_catch_up_after_redis_is_killed_and_restarted_empty(two_apis: Cluster) -> None:
    c = two_apis
    a, b = c.apis["a"], c.apis["b"]
    boards = {"a": Board([a.base], c.token("operator")).start(), "b": Board([b.base], c.token("operator")).start()}
    before, history = baseline(c.engine), History()
    try:
        # Every tenth report is sent twice with its Idempotency-Key: R10 checks each created once.
        writer = Writer(
            [a.base, b.base], c.token("operator"), count=500, rate=50, tag="r6", history=history, repeat_every=10
        )
        writer.start()
        wait_until(lambda: writer.started_at > 0, 5.0, "the writer to start")
        _sleep_until(writer.started_at + 3.0)
        c.redis.kill()
        redis_killed = time.monotonic()
        _sleep_until(writer.started_at + 8.0)
        c.redis.start()  # a fresh redis-server on the same port: nothing kept, nothing subscribed
        redis_back = time.monotonic()
        live = Tap(c.redis.url, CHANNEL)  # the relay publishes on the bus again, not only into the log
        resubscribed = wait_until(lambda: c.redis.subscribers(CHANNEL) == 3, 8.0, "both hubs to resubscribe")
        writer.join(timeout=40)
        assert not writer.is_alive(), "writer did not finish"
        created = _ok(writer.writes)
        wait_until(
            lambda: all(set(created) <= set(board.created_ids()) for board in boards.values()),
            15.0,
            "both boards to see every incident",
        )
    finally:
        for board in boards.values():
            board.stop()
    published_live = live.drain()
    live.close()

    errors = [w for w in writer.writes if w.status >= 500]
    unanswered = [w for w in writer.writes if w.status == 0]
    assert not errors, errors[:5]
    assert not unanswered, unanswered[:5]
    assert len(created) == 500, Counter(w.status for w in writer.writes)
    assert c.stored_incidents() == sorted(created)
    log = c.wait_all_published()
    expected = _board_seqs(log)
    figures = {}
    for name, board in boards.items():
        assert board.seqs() == expected, f"board {name}: gaps or extra seqs\n{c.diagnostics()}"
        assert sorted(board.created_ids()) == sorted(created)
        assert board.duplicates == 0
        assert board.resyncs == 0
        figures[name] = len(set(board.created_ids()) & set(created))
    last_arrival = max(f.arrived for board in boards.values() for f in board.frames)
    lag_down = _max_lag(boards.values(), writer.writes, redis_killed, redis_back)
    lag_back = _max_lag(boards.values(), writer.writes, redis_back, float("inf"))
    catch_up_s = max(0.0, last_arrival - redis_back)
    verdict = check(history.ops, observe(c.engine, before))
    print(
        f"\nR6 redis_restart: writes={len(writer.writes)} 5xx={len(errors)} stored={len(c.stored_incidents())} "
        f"client_a={figures['a']}/500 client_b={figures['b']}/500 gaps=0 catch_up_s={catch_up_s:.2f} "
        f"writes_ended_after_redis_s={max(w.returned for w in writer.writes) - redis_back:.2f} "
        f"resubscribed_s={resubscribed - redis_back:.2f} bus_events_after_restart={published_live} "
        f"max_lag_ms_redis_down={lag_down:.0f} max_lag_ms_after={lag_back:.0f} "
        f"unanswered={len(unanswered)} retried={_retried(writer.writes)} | {verdict.summary()}"
    )
    assert verdict.ok, verdict.details()
    assert catch_up_s <= 10.0
    assert published_live > 0, "the relay never published on the restarted Redis"


def test_r7_a_client_resumes_on_the_other_process_when_its_process_is_killed(two_apis: Cluster) -> None:
    c = two_apis
    leader, standby = _roles(c)
    # The client sits on the relay leader, the harder case: its events also wait for a new leader.
    client = SituationClient([leader.base, standby.base], c.token("operator"), topics=["incidents"])
    feed = ClientThread(client).start()
    before, history = baseline(c.engine), History()
    try:
        writer = Writer(
            [standby.base], c.token("operator"), count=300, rate=50, tag="r7", history=history, repeat_every=10
        )
        writer.start()
        wait_until(lambda: len(writer.writes) >= 100, 10.0, "100 writes before the kill")
        held_at_kill = client.last_seq
        killed = time.monotonic()
        leader.kill()
        resumed = wait_until(
            lambda: any(url == standby.base and at > killed for _, at, url in feed.arrivals),
            5.0,
            "an event from the other process",
        )
        writer.join(timeout=30)
        created = _ok(writer.writes)
        assert len(created) == 300, [w for w in writer.writes if w.status != 201]
        log = c.wait_all_published()
        expected = _board_seqs(log)
        wait_until(lambda: client.last_seq >= expected[-1], 10.0, "the client to reach the log's head")
    finally:
        feed.stop()

    assert feed.error is None, repr(feed.error)
    seqs = [int(e["seq"]) for e in client.applied]
    missing = sorted(set(expected) - set(seqs))
    assert seqs == expected, f"missing {missing[:10]}, extra {sorted(set(seqs) - set(expected))[:10]}"
    assert client.resyncs == 0, "the client resumed by reloading the snapshot, not with since/epoch"
    assert client.reconnects >= 1
    assert sorted(int(e["data"]["id"]) for e in client.applied if e["type"] == "incident.created") == sorted(created)
    resumed_in_s = resumed - killed
    verdict = check(history.ops, observe(c.engine, before))
    print(
        f"\nR7 process_kill: killed={leader.name}(leader) reconnected_to={standby.name} seq_at_kill={held_at_kill} "
        f"events={len(expected)} missing={len(missing)} dups_dropped={client.duplicates} "
        f"reconnects={client.reconnects} lagging={client.lagging} resyncs={client.resyncs} "
        f"retried_writes={_retried(writer.writes)} resumed_in_s={resumed_in_s:.2f} | {verdict.summary()}"
    )
    assert verdict.ok, verdict.details()
    assert resumed_in_s <= 3.0


def _max_lag(boards: Iterable[Board], writes: list[Write], lo: float, hi: float) -> float:
    """Worst frame arrival - POST returned, in ms, over the boards, for writes answered in [lo, hi)."""
    worst = 0.0
    for board in boards:
        arrived = {int(f.data["id"]): f.arrived for f in board.frames if f.type == "incident.created"}
        for w in writes:
            if w.incident_id in arrived and lo <= w.returned < hi:
                worst = max(worst, (arrived[w.incident_id] - w.returned) * 1000)
    return worst


def _sleep_until(at: float) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
