"""S1: schemathesis against the served /openapi.json, one token per role and none, on each backend: 0 failures.

Every check runs (`--checks all`; positive data acceptance narrowed to what a schema can state, st_hooks.py) with a
fixed seed. The administrator (who reaches every route) and the caller without a token run every phase, stateful
included; the other roles run fewer examples without the coverage phase, which depends on the document only and so
finds nothing new for them. Each role prints one summary line (visible with -s or -rA).

Two st runs overlap, longest first: each is one busy Python thread (fuzz.run says why) and the server another, so
one run alone leaves a core of two mostly idle. Roles share the world as they did one after the other (no route
deletes anything); what one run changes, another may meet as a 404, 409 or 412, which every check accepts.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.contract import fuzz

FULL = fuzz.Plan(max_examples=5, phases="examples,coverage,fuzzing,stateful")
LIGHT = fuzz.Plan(max_examples=3, phases="examples,fuzzing,stateful")
# Longest first, so that the light roles fill the gaps.
PLANS = {
    "admin": FULL,
    "none": FULL,
    "operator": LIGHT,
    "team_leader": LIGHT,
    "observer": LIGHT,
    "drill_controller": LIGHT,
}
OVERLAPPING_RUNS = 2
assert PLANS.keys() == fuzz.ROLES.keys()


@pytest.mark.slow
def test_schemathesis_finds_nothing_for_any_role(
    backend: str, tmp_path: Path, output_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_dir = output_dir / "s1" / backend
    with fuzz.served_world(backend, tmp_path) as (base_url, tokens), ThreadPoolExecutor(OVERLAPPING_RUNS) as pool:
        started = time.monotonic()
        bearer = {role: tokens[user] if user else None for role, user in fuzz.ROLES.items()}
        futures = [
            pool.submit(fuzz.run, base_url, role, bearer[role], plan, report_dir) for role, plan in PLANS.items()
        ]
        summaries = [future.result() for future in futures]
        seconds = time.monotonic() - started
    with capsys.disabled():
        for summary in summaries:
            print(summary.line(backend))
        print(f"S1 {backend:<10} all roles, {OVERLAPPING_RUNS} at a time, in {seconds:.1f} s")
    for summary in summaries:
        assert summary.operations > 80, f"{summary.role}: schemathesis tested too little\n{summary.output[-3000:]}"
        assert summary.test_cases > 0
        assert summary.failures == 0, f"{summary.line(backend)}\n{summary.output[-12000:]}"
        assert summary.exit_code == 0, f"{summary.line(backend)}\n{summary.output[-12000:]}"
