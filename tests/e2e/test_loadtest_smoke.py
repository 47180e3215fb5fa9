"""`python -m loadtests.smoke`: the short surge against the embedded default passes, with its figures printed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_the_loadtest_smoke_run_passes_with_nothing_lost(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "loadtests.smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    print(line)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    figures = dict(re.findall(r"(\w+)=([\d.]+)", line))
    assert figures["failures"] == "0"
    assert figures["lost"] == "0"
    assert figures["duplicates"] == "0"
    assert figures["reports"] == figures["stored"]
    assert int(figures["events"]) >= int(figures["reports"])  # every report reached the viewers
    assert (tmp_path / "smoke_stats.csv").exists()
