"""The surge report's verdicts: rates over each phase, ratios within the run, the profile's shares."""

from pathlib import Path

from loadtests.surge_report import Row, Surge, markdown, read_profile, targets


def surge(**kw: object) -> Surge:
    stats = [
        Row("POST", "POST /incidents [baseline]", 300, 0, 1.0, 40, 150, 200),
        Row("POST", "POST /incidents [surge]", 5_940, 0, 9.0, 150, 400, 500),
        Row("POST", "POST /incidents [recovery]", 300, 0, 1.0, 40, 150, 200),
        Row("WS", "incident.created [surge]", 23_000, 0, 90.0, 100, 600, 900),
    ]
    base: dict[str, object] = {
        "stats": stats,
        "history": [],
        "tally": {"lost": 0, "duplicates": 0, "retries": 2, "created": 6540},
        "samples": [],
        "baselines": {"GET /healthz": (400.0, 60.0), "POST /bare": (200.0, 240.0)},
        "offered": {"baseline": 5.0, "surge": 50.0, "recovery": 5.0},
        "phases_s": [60.0, 120.0, 60.0],
    }
    return Surge(**{**base, **kw})  # type: ignore[arg-type]


def verdicts(s: Surge) -> dict[str, bool | None]:
    return {name.split(":")[0]: ok for name, _, ok in targets(s)}


def test_the_surge_rate_is_measured_over_its_phase_not_the_whole_run() -> None:
    [(_, measured, ok)] = [t for t in targets(surge()) if t[0].startswith("surge served")]
    assert measured == "49.5 of 50.0/s"  # 5,940 over 120 s, where Locust's own figure said 9/s
    assert ok is True


def test_a_slow_surge_and_lost_events_fail_their_targets() -> None:
    slow = surge(tally={"lost": 3, "duplicates": 0, "created": 1})
    slow.stats[1] = Row("POST", "POST /incidents [surge]", 4_000, 2, 9.0, 150, 900, 1200)
    v = verdicts(slow)
    assert v["surge served"] is False  # 33/s of 50 offered
    assert v["0 errors"] is False
    assert v["0 lost events"] is False
    assert v["surge write p99 ≤ 3 × baseline p99"] is False  # 1200 / 200 = 6×
    assert v["surge commit → viewer p95 ≤ 1 s"] is True


def test_the_report_names_every_baseline_and_route() -> None:
    text = markdown(surge(), [], [("machine", "test")])
    assert "| POST /bare | 200 | 240 |" in text
    assert "| POST /incidents | surge | 5940 | 0 | 49.5 |" in text


def test_the_profile_counts_each_of_our_frames_once_per_stack(tmp_path: Path) -> None:
    raw = tmp_path / "p.txt"
    raw.write_text(
        "proc;view (api/routing.py:28);run (api/common/idempotency.py:151);wait (psycopg/connection.py:495) 30\n"
        "proc;view (api/routing.py:28);view (api/routing.py:31);select (selectors.py:468) 10\n",
        encoding="utf-8",
    )
    profile = read_profile(raw)
    assert profile["total"]["samples"] == 40
    assert profile["self"]["wait (psycopg/connection.py)"] == 30
    assert profile["ours"]["view (api/routing.py)"] == 40  # not 50: once per stack
    assert profile["ours"]["run (api/common/idempotency.py)"] == 30


def test_the_knee_is_the_highest_rate_kept_with_p99_within_a_second() -> None:
    s = surge(knee=[(25.0, 25.0, 300.0), (50.0, 49.8, 700.0), (75.0, 60.0, 1500.0)])
    [(_, measured, _)] = [t for t in targets(s) if t[0].startswith("knee")]
    assert measured == "50/s ÷ 200/s = 0.25"
    top = surge(knee=[(25.0, 25.0, 300.0), (50.0, 50.0, 700.0)])
    [(_, measured, _)] = [t for t in targets(top) if t[0].startswith("knee")]
    assert measured.endswith("(the ladder's top: the knee is higher)")
