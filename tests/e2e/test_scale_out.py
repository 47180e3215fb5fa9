"""Scale-out on loopback (issue 11): three `ercp serve` on PostgreSQL and Redis behind nginx (deploy/nginx.conf).

Incident reports go through nginx while the process serving a board's websocket is SIGKILLed: every
acknowledged write is stored and published once, the board (attached through nginx) resumes on another
process with no missing event, and nginx stops sending requests to the dead process within seconds.
Prints one summary line.
"""

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.cluster import (
    Board,
    Cluster,
    LogRow,
    Writer,
    cluster,
    require_postgres_and_redis_server,
    template_database,
    wait_until,
)
from tests.e2e.nginx import Nginx, require_nginx

pytestmark = pytest.mark.slow

WRITES, RATE = 240, 30.0  # 8 s of writes; the kill comes after the first 60


@pytest.fixture
def three_behind_nginx(tmp_path: Path) -> Iterator[tuple[Cluster, Nginx]]:
    require_postgres_and_redis_server()
    require_nginx()
    with template_database() as url, cluster(url, tmp_path) as c:
        c.start_apis("a", "b", "c")
        c.wait_leader()
        lb = Nginx(tmp_path, [api.port for api in c.apis.values()])
        lb.start()
        try:
            lb.wait_ready()
            yield c, lb
        finally:
            lb.kill()


def _attached(c: Cluster) -> list[str]:
    """Names of the live processes that report a websocket client on /metrics."""
    names = []
    for name, api in c.apis.items():
        if not api.alive():
            continue
        text = httpx.get(f"{api.base}/metrics", timeout=5, trust_env=False).text
        for family in text_string_to_metric_families(text):
            if family.name == "ercp_websocket_clients" and any(s.value > 0 for s in family.samples):
                names.append(name)
    return names


def _board_seqs(log: list[LogRow]) -> list[int]:
    return sorted(r.seq for r in log if r.seq is not None and r.on_incidents_board)


def test_killing_one_of_three_behind_nginx_loses_no_acknowledged_write_or_event(
    three_behind_nginx: tuple[Cluster, Nginx],
) -> None:
    c, lb = three_behind_nginx
    token = c.token("operator")
    board = Board([lb.base], token).start()
    try:
        # The process nginx gave the board's websocket, found by its own metrics: the one to kill.
        wait_until(lambda: len(_attached(c)) == 1, 5.0, "one process to count the board's websocket")
        victim = c.apis[_attached(c)[0]]
        writer = Writer([lb.base], token, count=WRITES, rate=RATE, tag="scale")
        writer.start()
        wait_until(lambda: len(writer.writes) >= 60, 15.0, "60 writes before the kill")
        killed_at = time.monotonic()
        victim.kill()
        writer.join(timeout=40)
        assert not writer.is_alive(), "the writer did not finish"
        acked = [w.incident_id for w in writer.writes if w.status == 201 and w.incident_id is not None]
        log = c.wait_all_published(timeout=15.0)
        wait_until(lambda: set(acked) <= set(board.created_ids()), 15.0, "the board to see every acknowledged write")
    finally:
        board.stop()

    stored = set(c.stored_incidents())
    lost = [i for i in acked if i not in stored]
    created_events = Counter(int(r.data["id"]) for r in log if r.type == "incident.created")
    failed = [w for w in writer.writes if w.status != 201]
    last_failure = max((w.returned - killed_at for w in failed), default=0.0)
    missing = sorted(set(_board_seqs(log)) - set(board.seqs()))
    print(
        f"\nscale_out: apis=3 via nginx, killed={victim.name} at {killed_at - writer.started_at:.1f}s; "
        f"writes={len(writer.writes)} acked={len(acked)} failed={len(failed)} "
        f"({dict(Counter(w.status for w in failed))}) last_failure_after_kill_s={last_failure:.2f} "
        f"lost_acked={len(lost)} board_connections={len(board.connections)} missing_events={len(missing)} "
        f"dups={board.duplicates} leader_now={c.leaders()}"
    )
    assert lost == []
    assert all(created_events[i] == 1 for i in acked), "an acknowledged write was published other than once"
    assert missing == []
    assert board.seqs() == _board_seqs(log)
    assert board.duplicates == 0
    # nginx marks the dead process failed at the first refused connection and routes around it.
    assert last_failure <= 5.0, "nginx kept routing to the dead process"
    assert len(acked) >= WRITES - 5
    assert len(board.connections) >= 2, "the board never had to resume"
    assert board.resyncs == 0
    assert len(c.leaders()) == 1
    assert victim.name not in c.leaders()
