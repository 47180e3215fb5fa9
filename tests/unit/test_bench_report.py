from loadtests.bench_locust import SCENARIOS, Result, paced_recommendations
from loadtests.bench_report import capacity_line, machine_line, within_goal


def step(rate: float, *, served: float, p99_ms: float, failures: int = 0) -> Result:
    scenario, _ = paced_recommendations(rate)
    return Result(scenario, requests=1500, failures=failures, rps=served, p50_ms=p99_ms / 3, p99_ms=p99_ms)


def test_paced_scenario_adds_users_rather_than_speeding_them_up() -> None:
    scenario, users = paced_recommendations(150)
    assert users == 75
    assert scenario.key == "recommendations_at_150"
    assert scenario.min_seconds == 8  # about 1,200 requests


def test_the_goal_holds_only_with_p99_within_it_the_rate_kept_and_no_failure() -> None:
    assert within_goal(step(100, served=99, p99_ms=48), offered=100)
    assert not within_goal(step(100, served=99, p99_ms=51), offered=100)
    assert not within_goal(step(100, served=80, p99_ms=20), offered=100)
    assert not within_goal(step(100, served=99, p99_ms=20, failures=1), offered=100)


def test_capacity_names_the_last_rate_held_and_what_happened_next() -> None:
    line = capacity_line(
        [step(50, served=50, p99_ms=20), step(100, served=99, p99_ms=35), step(150, served=140, p99_ms=90)]
    )
    assert line is not None
    assert "held up to 100 req/s offered" in line
    assert "at 150 req/s offered: 140 req/s served, p99 90 ms" in line
    assert capacity_line([]) is None
    assert "never held" in (capacity_line([step(50, served=50, p99_ms=60)]) or "")


def saturated(key: str, *, rps: float, p99_ms: float) -> Result:
    scenario = next(s for s in SCENARIOS if s.key == key)
    return Result(scenario, requests=5000, rps=rps, p50_ms=p99_ms / 2, p99_ms=p99_ms)


def test_machine_line_compares_the_bare_insert_with_the_reference_and_scales_the_recommendation_p99() -> None:
    slow = machine_line([saturated("bare", rps=250, p99_ms=80), saturated("recommendations", rps=65, p99_ms=260)])
    assert slow is not None
    assert "served 250 req/s, 0.25× the ~1000 req/s" in slow
    assert "p99 of its own of 80 ms (above the 50 ms recommendation goal)" in slow
    assert "scaled to that machine: about 65 ms (estimate)" in slow
    fast = machine_line([saturated("bare", rps=1000, p99_ms=20)])
    assert fast is not None
    assert "above" not in fast
    assert "scaled" not in fast  # no recommendation run to scale
    assert machine_line([saturated("recommendations", rps=65, p99_ms=260)]) is None
