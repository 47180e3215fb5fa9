"""ERCP_ENV=production means production: no demo users, metrics and docs only when configured, real passwords."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.auth import keys
from api.main import create_app
from api.settings import Settings
from resources_db.migrate import upgrade

ERCP = str(Path(sys.executable).with_name("ercp"))


def _ercp(args: list[str], db: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{db}", ERCP_ENV="production", ERCP_SECRET_KEY=keys.random_key())
    env.update(extra)
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [ERCP, *args], env=env, cwd=db.parent, capture_output=True, text=True, timeout=120, check=False
    )


def test_demo_seeding_is_refused_in_production(tmp_path: Path) -> None:
    db = tmp_path / "prod.db"
    assert _ercp(["migrate"], db).returncode == 0
    seeded = _ercp(["seed-demo"], db)
    print(f"production_seed_demo: exit={seeded.returncode}")
    assert seeded.returncode == 2
    assert "ERCP_ENV=production" in seeded.stderr
    demo = _ercp(["demo", "--port", "0"], db)
    assert demo.returncode == 2
    app = create_app(Settings(DATABASE_URL=f"sqlite:///{db}", ERCP_ENV="production"))
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token", data={"username": "admin", "password": "demo"})
        assert r.status_code == 401


def test_created_users_need_a_real_password_in_production(tmp_path: Path) -> None:
    db = tmp_path / "prod.db"
    assert _ercp(["migrate"], db).returncode == 0
    weak = _ercp(["users", "create", "duty-officer", "--role", "observer"], db, ERCP_NEW_USER_PASSWORD="x")
    print(f"production_weak_password: exit={weak.returncode}")
    assert weak.returncode == 2
    assert "refusing" in weak.stderr
    good = "tide-lantern-ferry-47"
    made = _ercp(["users", "create", "duty-officer", "--role", "observer"], db, ERCP_NEW_USER_PASSWORD=good)
    assert made.returncode == 0, made.stderr


def test_metrics_and_docs_are_off_in_production_unless_configured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    metrics_token = keys.random_key()
    with TestClient(create_app(Settings(DATABASE_URL=url, ERCP_ENV="production"))) as prod:
        assert prod.get("/metrics").status_code == 404
        assert prod.get("/docs").status_code == 404
        assert prod.get("/openapi.json").status_code == 404
    configured = Settings(
        DATABASE_URL=url, ERCP_ENV="production", ERCP_METRICS_TOKEN=metrics_token, ERCP_EXPOSE_DOCS=True
    )
    with TestClient(create_app(configured)) as prod:
        assert prod.get("/metrics").status_code == 401
        assert prod.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
        ok = prod.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
        assert ok.status_code == 200
        assert "python_info" in ok.text
        assert prod.get("/docs").status_code == 200
    with TestClient(create_app(Settings(DATABASE_URL=url))) as dev:
        assert dev.get("/metrics").status_code == 200
        assert dev.get("/docs").status_code == 200


def test_serve_and_migrate_refuse_a_placeholder_database_password(tmp_path: Path) -> None:
    """compose.yaml takes POSTGRES_PASSWORD from the environment; `change-me` copied from a how-to stops both."""
    url = "postgresql://ercp:change-me@127.0.0.1:1/ercp"  # never reached: refused before any connection
    for args in (["serve", "--port", "0"], ["migrate"]):
        done = _ercp(args, tmp_path / "unused.db", DATABASE_URL=url)
        print(f"production_placeholder_{args[0]}: exit={done.returncode} {done.stderr.strip()}")
        assert done.returncode == 2
        assert "DATABASE_URL has a placeholder or default password" in done.stderr
        assert "change-me" not in done.stderr
