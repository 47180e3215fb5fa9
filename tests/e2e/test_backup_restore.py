"""Backup and restore as docs/operations.md describes it: pg_dump, drop, pg_restore, `ercp new-epoch`.

The restored database serves the same resource library and incidents, and its event log has a new epoch,
so a board that resumes by seq is told to reload its snapshot. PostgreSQL only; mandatory when CI=true.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from realtime import log as event_log
from tests.backends import fresh_postgres_database, server_url
from tests.conftest import _seed_world
from tests.factories import make_team
from tests.workflow_factories import make_incident
from tests.ws_helpers import make_app, mint

ERCP = str(Path(sys.executable).with_name("ercp"))
SERVED = ("/api/v1/teams?limit=500", "/api/v1/incidents?limit=500", "/api/v1/jurisdictions")


def served(app: FastAPI) -> dict[str, Any]:
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {mint(app, 'admin')}"}
    out = {}
    for path in SERVED:
        r = client.get(path, headers=auth)
        assert r.status_code == 200, r.text
        out[path] = r.json()
    return out


def run(args: list[str], **env: str) -> None:
    done = subprocess.run(  # noqa: S603 (our own commands and the PostgreSQL tools, fixed arguments)
        args, env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def test_dump_drop_restore_serves_the_same_data_under_a_new_epoch(tmp_path: Path) -> None:
    if not server_url():
        if os.environ.get("CI") == "true":
            pytest.fail("needs DATABASE_URL pointing at PostgreSQL; CI must provide it")
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    with fresh_postgres_database("ercp_backup") as url:
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        run([ERCP, "migrate"], DATABASE_URL=url)
        app = make_app(url)
        _seed_world(app.state.session_factory)
        client, token = TestClient(app), mint(app, "operator")
        admin = mint(app, "admin")
        for _ in range(2):
            make_team(client, admin)
            make_incident(client, token)
        event_log.ensure_meta(app.state.engine)
        assert event_log.publish_pending(app.state.engine)  # what a running relay would have done
        before, log_before = served(app), event_log.state(app.state.engine)
        assert len(before["/api/v1/incidents?limit=500"]["items"]) == 2
        app.state.engine.dispose()

        dump = tmp_path / "ercp.dump"
        run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", libpq])
        name = make_url(url).database
        admin_engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin_engine.dispose()
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq}", str(dump)])
        run([ERCP, "new-epoch"], DATABASE_URL=url)

        restored = make_app(url)
        try:
            assert served(restored) == before
            log_after = event_log.state(restored.state.engine)
            assert log_after.epoch != log_before.epoch
            assert log_after.last_seq == log_before.last_seq
        finally:
            restored.state.engine.dispose()
