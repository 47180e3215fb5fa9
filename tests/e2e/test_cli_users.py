"""`ercp users create` as an administrator runs it, then the new user logs in."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.auth import keys
from api.main import create_app
from api.settings import Settings

ERCP = str(Path(sys.executable).with_name("ercp"))


def _ercp(args: list[str], db: Path, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["ERCP_SECRET_KEY"] = keys.random_key()
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


def test_disable_enable_and_set_password_end_every_token_of_the_user(tmp_path: Path) -> None:
    db = tmp_path / "users.db"
    assert _ercp(["migrate"], db).returncode == 0
    assert _ercp(["users", "create", "duty-officer", "--role", "operator"], db, password="first-pass-1").returncode == 0
    app = create_app(Settings(DATABASE_URL=f"sqlite:///{db}", ERCP_PRINCIPAL_CACHE_SECONDS=0.01))

    def login(client: TestClient, password: str) -> dict[str, str]:
        r = client.post("/api/v1/auth/token", data={"username": "duty-officer", "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def me(client: TestClient, headers: dict[str, str]) -> int:
        return int(client.get("/api/v1/auth/me", headers=headers).status_code)

    with TestClient(app) as client:
        before_disable = login(client, "first-pass-1")
        assert me(client, before_disable) == 200
        disabled = _ercp(["users", "disable", "duty-officer"], db)
        assert disabled.returncode == 0, disabled.stderr
        assert me(client, before_disable) == 401
        assert (
            client.post("/api/v1/auth/token", data={"username": "duty-officer", "password": "first-pass-1"}).status_code
            == 401
        )
        assert _ercp(["users", "enable", "duty-officer"], db).returncode == 0
        assert me(client, before_disable) == 401  # re-enabling does not bring old tokens back
        before_change = login(client, "first-pass-1")
        changed = _ercp(["users", "set-password", "duty-officer"], db, password="second-pass-2")
        assert changed.returncode == 0, changed.stderr
        assert me(client, before_change) == 401
        assert me(client, login(client, "second-pass-2")) == 200
        assert _ercp(["users", "set-password", "duty-officer"], db, password="short").returncode == 2
        missing = _ercp(["users", "disable", "nobody"], db)
        assert missing.returncode == 1
        assert "no user" in missing.stderr
