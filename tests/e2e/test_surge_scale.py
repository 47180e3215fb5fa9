"""`python -m loadtests.surge_scale`: the surge mix through nginx over two `ercp serve` processes, a tiny shape.

One topology only (each takes ~25 s to stand up: a database, migrations, demo data); the ratios between
topologies are covered by tests/unit/test_surge_scale.py. A private redis-server keeps other runs' events
off the shared channel.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends import server_url
from tests.e2e.cluster import RedisServer, require_postgres_and_redis_server
from tests.e2e.nginx import require_nginx

pytestmark = pytest.mark.slow


def test_the_surge_runs_through_nginx_over_two_processes_with_nothing_lost(tmp_path: Path) -> None:
    require_postgres_and_redis_server()
    require_nginx()
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        argv = [sys.executable, "-m", "loadtests.surge_scale", "--processes", "2", "--phases", "2,4,2"]
        argv += ["--baseline-rps", "2", "--factor", "3", "--viewers", "2", "--baseline-seconds", "0"]
        argv += ["--database-url", str(server_url()), "--redis-url", redis.url, "--output-dir", str(tmp_path)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=150, check=False)  # noqa: S603
    finally:
        redis.kill()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [summary_path] = tmp_path.glob("surge-scale-*/p2/surge-summary.json")
    summary = json.loads(summary_path.read_text())
    [report] = tmp_path.glob("surge-scale-*/surge-scale-report.md")
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", report.read_text(), flags=re.MULTILINE))
    print(
        f"\nsurge_scale: processes=2 via nginx created={summary['created']} events={summary['events']} "
        f"lost={summary['lost']} writes_p99_ms={summary['merged']['writes']['p99_ms']} "
        f"surge_writes_per_s={rows['writes/s during the surge (achieved)']}"
    )
    assert summary["created"] > 0
    assert summary["lost"] == 0
    assert summary["duplicates"] == 0
    assert summary["merged"]["writes"]["requests"] >= summary["created"]
    assert summary["events"] >= summary["created"]  # every viewer had each report's event (lost == 0)
    assert rows["failures"] == "0"
    assert float(rows["writes/s during the surge (achieved)"]) > 0
    assert int(rows["viewer deliveries (events received)"]) == summary["events"]
