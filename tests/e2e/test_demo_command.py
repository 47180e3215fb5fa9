"""The demo as a user runs it: `ercp migrate`, `ercp seed-demo`, `ercp serve`, then plain HTTP.

Runs on its own SQLite file in a temp dir, whatever DATABASE_URL the test run has.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import keys

ERCP = str(Path(sys.executable).with_name("ercp"))
STARTUP_TIMEOUT_S = 20.0
NEAR = (20.91, 110.09)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["ERCP_SECRET_KEY"] = keys.random_key()
    env["DATABASE_URL"] = f"sqlite:///{db}"
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"ercp {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("demo-e2e")
    env = _env(work / "demo.db")
    _run(["migrate"], env, work)
    summary = _run(["seed-demo"], env, work)
    assert "demo data: " in summary
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
            [ERCP, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(base, proc, log_path)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"ercp serve exited with {proc.returncode}:\n{log_path.read_text()}"
        try:
            if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling interval while the server binds, not a synchronisation guess
    pytest.fail(f"ercp serve not ready within {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()}")


def _token(base: str, username: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": "demo"}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_operator_finds_hazmat_teams_near_the_city_nearest_first(server: str) -> None:
    params = {"near": f"{NEAR[0]},{NEAR[1]}", "radius_km": "15", "capability": "hazmat"}
    r = httpx.get(f"{server}/api/v1/teams", params=params, headers=_token(server, "operator"), timeout=10)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) >= 1
    distances = [item["distance_km"] for item in items]
    assert all(d is not None and d <= 15 for d in distances)
    assert distances == sorted(distances)
    assert all("hazmat" in item["capabilities"] for item in items)


def test_observer_may_not_add_a_team(server: str) -> None:
    body = {
        "name": "e2e-observer-team",
        "kind": "fire_rescue",
        "personnel": 10,
        "home_jurisdiction": "leicheng",
        "base_lat": 20.91,
        "base_lon": 110.09,
    }
    r = httpx.post(f"{server}/api/v1/teams", json=body, headers=_token(server, "observer"), timeout=10)
    assert r.status_code == 403, r.text
