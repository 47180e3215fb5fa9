"""The scale-out surge's figures and ratios (loadtests.surge_scale), and deploy/nginx.conf rendered for loopback."""

import argparse
from pathlib import Path

from loadtests import bench_nginx
from loadtests.surge_report import Row, Surge
from loadtests.surge_scale import Topology, kept, markdown, parse_args


def topology(
    processes: int,
    surge_writes: int,
    write_p99: float,
    healthz: tuple[float, float] | None,
    knee: list[tuple[float, float, float]] | None = None,
) -> Topology:
    stats = [
        Row("POST", "POST /incidents [baseline]", 50, 0, 1.0, 40, 150, 200),
        Row("POST", "POST /incidents [surge]", surge_writes, 0, 9.0, 150, 400, write_p99),
        Row("GET", "GET /incidents [surge]", 100, 1, 1.0, 20, 30, 40),
        Row("WS", "incident.created [surge]", surge_writes * 4, 0, 90.0, 100, 600, 900),
    ]
    merged = {
        "http": {"requests": 600, "failures": 1, "p50_ms": 50, "p99_ms": write_p99},
        "writes": {"requests": 500, "failures": 0, "p50_ms": 60, "p99_ms": write_p99},
        "events": {"requests": surge_writes * 4, "failures": 0, "p50_ms": 100, "p99_ms": 900},
    }
    run = Surge(
        stats=stats,
        history=[],
        tally={"lost": 0, "duplicates": 0, "retries": 0, "events": surge_writes * 4, "merged": merged},
        samples=[],
        baselines={},
        offered={"baseline": 5.0, "surge": 50.0, "recovery": 5.0},
        phases_s=[10.0, 20.0, 10.0],
    )
    return Topology(processes, healthz, 0, run, (1.0, 2.0), knee or [])


def args() -> argparse.Namespace:
    return parse_args(["--processes", "1,3", "--phases", "10,20,10"])


def test_surge_rates_are_over_the_surge_phase_and_p99_comes_from_the_merged_summary() -> None:
    f = topology(1, 600, 800.0, (500.0, 90.0)).figures()
    assert f["writes/s during the surge (achieved)"] == 30.0  # 600 over the 20 s surge phase
    assert f["req/s during the surge"] == 35.0  # (600 + 100) HTTP requests over 20 s; events are not requests
    assert f["viewer deliveries/s during the surge"] == 120.0
    assert f["req/s (all requests, whole run)"] == 15.0  # 600 merged HTTP requests over 40 s
    assert f["p99 ms, all requests"] == 800.0
    assert f["failures"] == 1.0


def test_the_report_gives_each_ratio_of_the_last_topology_to_the_first() -> None:
    one = topology(1, 600, 800.0, None, knee=[(40, 40, 600), (60, 50, 1500)])  # 60/s: served 50/s, p99 1.5 s
    three = topology(3, 900, 400.0, None, knee=[(40, 40, 300), (60, 59, 700), (80, 79, 900), (100, 90, 1200)])
    text = markdown(args(), (400.0, 100.0), [one, three])
    assert "| knee: highest writes/s offered with p99 ≤ 1 s | 2.00 |" in text  # 80 ÷ 40
    assert "## Scaling ratios (3 processes ÷ 1)" in text
    assert "| writes/s during the surge (achieved) | 1.50 |" in text
    assert "| p99 ms, POST /incidents (all phases) | 0.50 |" in text
    assert "| GET /healthz req/s through nginx (baseline) | — |" in text  # baselines skipped: no ratio
    assert "| writes/s during the surge (achieved) | 30.0 | 45.0 |" in text


def test_a_knee_step_fails_on_a_shortfall_or_a_slow_p99_but_not_on_an_overshoot() -> None:
    assert kept(90.0, 98.6, 870.0)  # the first round of callers fires at once in a short step
    assert not kept(90.0, 80.0, 870.0)
    assert not kept(90.0, 90.0, 1200.0)


def test_the_rendered_nginx_config_listens_on_loopback_over_the_given_processes(tmp_path: Path) -> None:
    text = bench_nginx.render(bench_nginx.CONFIG.read_text(), listen=8081, upstreams=[9001, 9002], work=tmp_path)
    assert "listen 127.0.0.1:8081;" in text
    assert "server 127.0.0.1:9001 max_fails=1 fail_timeout=5s;" in text
    assert "server 127.0.0.1:9002 max_fails=1 fail_timeout=5s;" in text
    assert "resolver" not in text  # Docker's DNS is not there on loopback
    assert "api:8000" not in text
    assert f"access_log {tmp_path}/access.log;" in text
