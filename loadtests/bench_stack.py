"""The processes and the database a benchmark run stands up, and takes down again.

Everything here talks to the product the way an operator deploying it would:
the `ercp` command line in subprocesses and plain PostgreSQL; nothing imports a
server package (DESIGN §2), so the numbers are those of the stack as shipped.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# `ercp serve` at `info` writes an access-log line per request; at these rates that is a measurable
# share of a worker's CPU, so both servers run at `warning` and are compared like for like.
SERVER_LOG_LEVEL = "warning"


def ercp_command() -> str:
    """The `ercp` console script of this interpreter's environment (the one `make bench` installed)."""
    beside = Path(sys.executable).with_name("ercp")
    found = str(beside) if beside.exists() else shutil.which("ercp")
    if not found:
        raise RuntimeError("the `ercp` command is not installed; run `make bench` (it installs the project)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BenchDatabase:
    """A throw-away database next to the one `base_url` names (same server, same credentials)."""

    base_url: str
    name: str = field(default_factory=lambda: f"ercp_bench_{secrets.token_hex(4)}")
    created: bool = False

    @property
    def url(self) -> str:
        return make_url(self.base_url).set(database=self.name).render_as_string(hide_password=False)

    def _connect(self, database: str | None) -> psycopg.Connection[tuple[object, ...]]:
        # Autocommit: CREATE/DROP DATABASE and a database-wide ANALYZE cannot run inside a transaction block.
        url = make_url(self.base_url).set(drivername="postgresql")
        url = url.set(database=database) if database else url
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return self._connect(None)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def analyze(self) -> str:
        """Refresh planner statistics after the bulk load; returns the server's `autovacuum` setting.

        A production server's autovacuum analyses freshly loaded tables within a
        minute or so; a server with it off (as on some development machines) keeps
        "empty table" estimates, and the planner then picks nested loops over
        10,000 rows. Measuring that would measure the machine's setup, not the app.
        """
        with self._connect(self.name) as conn:
            conn.execute("ANALYZE")
            row = conn.execute("SHOW autovacuum").fetchone()
        return str(row[0]) if row else "unknown"

    def advisory_locks(self) -> int:
        """Advisory locks held in this database: the relay leader holds one (how a run knows a leader is elected)."""
        query = (
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s"
        )
        with self._admin() as conn:
            row = conn.execute(query, (self.name,)).fetchone()
        count = row[0] if row else 0
        return count if isinstance(count, int) else 0

    def drop(self) -> None:
        if not self.created:
            return
        with self._admin() as conn:
            # FORCE ends sessions a killed server may have left behind (PostgreSQL ≥ 13).
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        self.created = False


# One signing key per benchmark run: the server refuses to start without one (no key is kept in the repository).
BENCH_KEY = secrets.token_urlsafe(48)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=database_url,
        ERCP_ENV="development",
        ERCP_SECRET_KEY=BENCH_KEY,
        # The websocket benchmark opens thousands of sockets under one user; the per-user cap is for people.
        ERCP_WS_MAX_PER_USER="100000",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_ercp(args: list[str], env: dict[str, str]) -> None:
    argv = [ercp_command(), *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"ercp {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


@dataclass
class Server:
    """One HTTP server subprocess on a loopback port, its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    ready_path: str
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._log = self.log_path.open("wb")
        # A session of its own, so that stopping it reaches uvicorn's worker processes too.
        self.proc = subprocess.Popen(  # noqa: S603 (our own argv, no shell)
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log_path}")
                try:
                    if client.get(self.base_url + self.ready_path).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout_s:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(STOP_TIMEOUT_S)
        if self._log is not None:
            self._log.close()
            self._log = None


def api_server(database_url: str, port: int, log_dir: Path, *, name: str = "api", **extra_env: str) -> Server:
    argv = [ercp_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    argv += ["--log-level", SERVER_LOG_LEVEL]
    env = server_env(database_url, **extra_env)
    return Server(name, argv, env, port, log_dir / f"{name}.log", "/readyz")


def baseline_server(database_url: str, port: int, log_dir: Path) -> Server:
    argv = [sys.executable, "-m", "uvicorn", "loadtests.baseline_app:create_app", "--factory"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", SERVER_LOG_LEVEL]
    env = server_env(database_url, BENCH_BARE_DATABASE_URL=database_url)
    return Server("bare", argv, env, port, log_dir / "bare.log", "/healthz")
