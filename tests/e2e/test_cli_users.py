"""`ercp users create` as an administrator runs it, then the new user logs in."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

ERCP = str(Path(sys.executable).with_name("ercp"))


def _ercp(args: list[str], db: Path, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{db}"
    if password is not None:
        env["ERCP_NEW_USER_PASSWORD"] = password
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_created_user_logs_in_with_its_role_and_duplicates_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "users.db"
    assert _ercp(["migrate"], db).returncode == 0
    made = _ercp(["users", "create", "duty-officer", "--role", "operator"], db, password="s3cret-pass")
    assert made.returncode == 0, made.stderr
    again = _ercp(["users", "create", "duty-officer", "--role", "operator"], db, password="other-pass")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    weak_admin = _ercp(["users", "create", "boss", "--role", "admin"], db, password="short")
    assert weak_admin.returncode == 2
    bad_role = _ercp(["users", "create", "x", "--role", "king"], db, password="whatever-1")
    assert bad_role.returncode == 2

    app = create_app(Settings(DATABASE_URL=f"sqlite:///{db}"))
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/token", data={"username": "duty-officer", "password": "s3cret-pass"})
        assert token.status_code == 200
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        assert me.json()["role"] == "operator"
        refused = client.post("/api/v1/auth/token", data={"username": "boss", "password": "short"})
        assert refused.status_code == 401
