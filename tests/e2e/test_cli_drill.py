"""`ercp drill ...` runs the drills client as its own process (api never imports drills)."""

import subprocess
import sys
from pathlib import Path

ERCP = str(Path(sys.executable).with_name("ercp"))


def _ercp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ERCP, "drill", *args], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603


def test_ercp_drill_check_validates_the_shipped_scenarios() -> None:
    done = _ercp("check")
    assert done.returncode == 0, done.stderr
    for name in ("typhoon_night", "ammonia_cold_store", "highway_pileup"):
        assert f"{name}: ok" in done.stdout


def test_a_broken_scenario_is_refused_before_anything_is_started(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndrill_type: {form: parade, scope: single}\n", encoding="utf-8")
    done = _ercp("run", str(bad), "--api", "http://127.0.0.1:9")  # nothing listens there: no request is made
    assert done.returncode == 2
    assert f"{bad}:2: drill_type.form:" in done.stderr
