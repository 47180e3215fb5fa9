"""A private PostgreSQL server for a fault test (R8): initdb into a throwaway directory, a free loopback port.

The machine's shared server serves other test runs at the same time, so a test that restarts PostgreSQL
restarts its own. Debian's binaries live under /usr/lib/postgresql/<major>/bin, off PATH. initdb and postgres
refuse to run as root: under root (CI on this machine) they run as the `postgres` user through `runuser`, in a
directory that user owns. Durability settings stay PostgreSQL's defaults except fsync: an immediate shutdown
kills processes, not the kernel, so what was written before it survives in the page cache either way.
"""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cluster import HOST, Process, _env, free_port, wait_until

RUN_AS = "postgres"


def _bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin directory with initdb and postgres, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    for directory in found:
        if Path(directory, "initdb").exists() and Path(directory, "postgres").exists():
            return Path(directory)
    return None


def _as_root() -> bool:
    return os.geteuid() == 0


def require_private_postgres() -> Path:
    """The bin directory; skips (fails under CI=true) without the binaries, or as root without `postgres` user."""
    reason = None
    binaries = _bin_dir()
    if binaries is None:
        reason = "needs PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    elif _as_root():
        try:
            pwd.getpwnam(RUN_AS)
        except KeyError:
            reason = f"runs as root: needs a {RUN_AS!r} user to run initdb and postgres as"
        if shutil.which("runuser") is None:
            reason = "runs as root: needs runuser (util-linux) to drop to the postgres user"
    if reason is None and binaries is not None:
        return binaries
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it")
    pytest.skip(str(reason))


def _command(args: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *args] if _as_root() else args


class PostgresServer(Process):
    """`postgres` in the foreground of its own process group; `restart_immediate` is a crash and a restart."""

    def __init__(self, binaries: Path, data: Path, log: Path) -> None:
        self.port = free_port()
        self.data = data
        self.binaries = binaries
        args = [str(binaries / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(data)]
        args += ["-c", f"listen_addresses={HOST}", "-c", "fsync=off", "-c", "max_connections=200"]
        super().__init__("postgres", _command(args), log, _env(LC_ALL="C.UTF-8"))
        self.url = f"postgresql://{RUN_AS}@{HOST}:{self.port}/postgres"

    def start(self) -> None:
        super().start()
        wait_until(self._accepting, 20.0, f"PostgreSQL on port {self.port}", interval=0.1)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def stop_immediate(self) -> None:
        """SIGQUIT to the postmaster: PostgreSQL's immediate shutdown (no checkpoint; crash recovery next start)."""
        os.kill(self.postmaster_pid(), signal.SIGQUIT)
        assert self.proc is not None
        self.proc.wait(timeout=20.0)

    def _accepting(self) -> bool:
        assert self.alive(), self.tail()
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5):
                pass
        except OSError:
            return False
        ready = subprocess.run(  # noqa: S603 (a fixed binary next to postgres)
            [str(self.binaries / "pg_isready"), "-h", HOST, "-p", str(self.port), "-q"],
            check=False,
            timeout=5,
        )
        return ready.returncode == 0


@contextlib.contextmanager
def private_postgres(binaries: Path) -> Iterator[PostgresServer]:
    """initdb a fresh cluster (trust on loopback), start it, and remove it all when the block ends."""
    # Not pytest's tmp_path: its parents are root's alone (0700), where the postgres user could not enter.
    work = Path(tempfile.mkdtemp(prefix="ercp-pg-"))
    data = work / "data"
    try:
        if _as_root():
            shutil.chown(work, RUN_AS, RUN_AS)  # mkdtemp's 0700 then admits that user (and root, as ever)
        initdb = [str(binaries / "initdb"), "-D", str(data), "-U", RUN_AS, "--auth=trust", "-E", "UTF8"]
        done = subprocess.run(  # noqa: S603 (fixed binaries and arguments)
            _command([*initdb, "--locale=C.UTF-8", "--no-sync"]),
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(LC_ALL="C.UTF-8"),
            cwd=work,
        )
        assert done.returncode == 0, f"initdb failed:\n{done.stdout}\n{done.stderr}"
        server = PostgresServer(binaries, data, work / "postgres.log")
        server.start()
        try:
            yield server
        finally:
            server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)
