"""S1 harness: the API served for real with one user per role, and schemathesis (`st run`) against its document.

Each run is a subprocess of the `st` next to this interpreter, with a fixed seed, bounded examples and every
check (`positive_data_acceptance` narrowed to what a schema can state, see st_hooks.py); its summary is read
back from the JUnit report it writes, and the console output is kept for the failure message.
"""

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.main import create_app
from api.settings import Settings
from resources_db.migrate import upgrade
from tests.backends import fresh_database
from tests.conftest import PASSWORD, _seed_world
from tests.live import serve

HERE = Path(__file__).resolve().parent
ST = str(Path(sys.executable).with_name("st"))
SEED = 20250601
# Fuzzed user names of the seeded world (tests/conftest.py) per role; None: no token at all.
ROLES: dict[str, str | None] = {
    "admin": "admin",
    "operator": "operator",
    "team_leader": "leader",
    "observer": "observer",
    "drill_controller": "controller",
    "none": None,
}
# `POST /auth/logout` ends every token of the caller, the one the run goes on using included; what it does is
# tested in tests/integration/test_sessions.py, and the tokenless run still fuzzes it.
LOGOUT = "/api/v1/auth/logout"
FAILURE_KIND = re.compile(r"(ST\d{3} .+?): (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Plan:
    """How hard one role is fuzzed: examples per operation and the phases run."""

    max_examples: int
    phases: str


@dataclass(frozen=True)
class Summary:
    role: str
    operations: int
    test_cases: int
    failures: int
    kinds: dict[str, int]
    seconds: float
    exit_code: int
    output: str

    def line(self, backend: str) -> str:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(self.kinds.items())) or "none"
        return (
            f"S1 {backend:<10} {self.role:<16} operations={self.operations} test_cases={self.test_cases} "
            f"failures={self.failures} ({kinds}) in {self.seconds:.1f} s"
        )


def fuzz_settings(database_url: str) -> Settings:
    """The app as deployed, except the sign-in limit per address: every run comes from 127.0.0.1, and a
    fuzzer's hundreds of sign-ins a minute would otherwise be answered 429 (documented, and tested in
    tests/integration/test_rate_limits.py) instead of exercising the endpoint."""
    return Settings(DATABASE_URL=database_url, ERCP_RATE_LIMIT_TOKEN_PER_ADDRESS="100000/minute")


@contextmanager
def served_world(backend: str, tmp_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, token per user name) of a fresh database with the seeded world behind uvicorn on loopback."""
    with fresh_database(backend, tmp_dir) as url:
        upgrade(url)
        app = create_app(fuzz_settings(url))
        try:
            world = _seed_world(app.state.session_factory)
            app.openapi()  # built once here, not by each of the overlapping runs that ask for it first
            with serve(app) as base:
                tokens = {}
                for name in world.users:
                    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": name, "password": PASSWORD})
                    answer.raise_for_status()
                    tokens[name] = answer.json()["access_token"]
                yield base, tokens
        finally:
            app.state.engine.dispose()


def run(base_url: str, role: str, token: str | None, plan: Plan, report_dir: Path) -> Summary:
    # st leaves `.schemathesis` and `.hypothesis` folders in its working directory: one per role, as runs overlap.
    work = report_dir / role
    work.mkdir(parents=True, exist_ok=True)
    junit = report_dir / f"{role}.xml"
    args = [
        ST,
        "--no-color",
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--seed",
        str(SEED),
        "--max-examples",
        str(plan.max_examples),
        "--phases",
        plan.phases,
        # One worker: st's workers are threads, and Hypothesis parses lambda sources with `ast` in each; on
        # CPython 3.11 that races ("SystemError: AST constructor recursion depth mismatch", a Runtime Error that
        # fails the run). The test overlaps two st processes instead.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-shrink",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--request-timeout",
        "30",
    ]
    if token is not None:
        args += ["--header", f"Authorization: Bearer {token}", "--exclude-path", LOGOUT]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HERE / "st_hooks.py")}
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603
        args, env=env, cwd=work, capture_output=True, text=True, timeout=600, check=False
    )
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    generated = re.search(r"Test cases:\s*\n\s*(\d+) generated", output)
    operations = re.search(r"Tested:\s*(\d+)", output)
    kinds = Counter({k: int(n) for k, n in FAILURE_KIND.findall(output.split("Failures:", 1)[-1].split("\n\n", 1)[0])})
    failures = sum(kinds.values()) if "Failures:" in output else 0
    return Summary(
        role=role,
        operations=int(operations.group(1)) if operations else 0,
        test_cases=int(generated.group(1)) if generated else 0,
        failures=failures,
        kinds=dict(kinds),
        seconds=seconds,
        exit_code=done.returncode,
        output=output,
    )
