"""S1: schemathesis against the served /openapi.json, one token per role and none, on each backend: 0 failures.

Every check runs (`--checks all`; positive data acceptance narrowed to what a schema can state, st_hooks.py) with a
fixed seed. The administrator (who reaches every route) and the caller without a token run every phase, stateful
included; the other roles run fewer examples without the coverage phase, which depends on the document only and so
finds nothing new for them. Each role prints one summary line (visible with -s or -rA).
"""

from pathlib import Path

import pytest

from tests.contract import fuzz

FULL = fuzz.Plan(max_examples=5, phases="examples,coverage,fuzzing,stateful")
LIGHT = fuzz.Plan(max_examples=5, phases="examples,fuzzing,stateful")
PLANS = {
    "admin": FULL,
    "none": FULL,
    "operator": LIGHT,
    "team_leader": LIGHT,
    "observer": LIGHT,
    "drill_controller": LIGHT,
}


@pytest.mark.slow
def test_schemathesis_finds_nothing_for_any_role(
    backend: str, tmp_path: Path, output_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summaries = []
    with fuzz.served_world(backend, tmp_path) as (base_url, tokens):
        for role, user in fuzz.ROLES.items():
            token = tokens[user] if user else None
            summary = fuzz.run(base_url, role, token, PLANS[role], output_dir / "s1" / backend)
            summaries.append(summary)
            with capsys.disabled():
                print(summary.line(backend))
    for summary in summaries:
        assert summary.operations > 80, f"{summary.role}: schemathesis tested too little\n{summary.output[-3000:]}"
        assert summary.test_cases > 0
        assert summary.failures == 0, f"{summary.line(backend)}\n{summary.output[-12000:]}"
        assert summary.exit_code == 0, f"{summary.line(backend)}\n{summary.output[-12000:]}"
