"""`ercp serve` refuses to start without a signing key of its own: no key from the repository ever signs a token."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ERCP = str(Path(sys.executable).with_name("ercp"))
# The key main once fell back to when none was configured: anyone reading the repository could mint an admin token.
FORMER_REPOSITORY_KEY = "dev-only-secret-change-me-0123456789abcdef"


@pytest.mark.parametrize("key", [None, FORMER_REPOSITORY_KEY, "short-key"], ids=["unset", "former-repo-key", "short"])
def test_serve_refuses_to_start_without_a_configured_random_key(tmp_path: Path, key: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    if key is not None:
        env["ERCP_SECRET_KEY"] = key
    # If it did start, it would serve until the timeout: the test then fails on TimeoutExpired.
    done = subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, "serve", "--port", "0"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False
    )
    print(f"serve_without_key: key={'unset' if key is None else len(key)} exit={done.returncode}")
    assert done.returncode == 2
    assert "ERCP_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr
