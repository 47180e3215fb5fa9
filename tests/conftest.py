"""Shared fixtures. Integration tests run once per backend: SQLite always, PostgreSQL when DATABASE_URL names a server.

Under CI=true a skipped integration test counts as a failure.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.auth import keys
from api.auth.passwords import hash_password
from api.main import create_app
from api.settings import Settings
from resources_db.enums import JurisdictionKind, Role, TeamKind
from resources_db.migrate import upgrade
from resources_db.models import Jurisdiction, RescueTeam, User
from tests.backends import backends, fresh_database
from tests.factories import auth, ok
from tests.live import serve

PASSWORD = "test-password"
# One random signing key per test session, in the environment so every Settings() and child process sees it;
# no key written in the repository is ever accepted (api.auth.keys).
if keys.problem(os.environ.get("ERCP_SECRET_KEY")):
    os.environ["ERCP_SECRET_KEY"] = keys.random_key()
OUTPUT_DIR = Path(os.environ.get("ERCP_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and item.get_closest_marker("integration"):
        report.outcome = "failed"
        report.longrepr = f"integration test skipped under CI=true: {report.longrepr}"
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(backend, tmp_path_factory.mktemp("db")) as url:
        upgrade(url)
        yield url


@dataclass
class World:
    """The baseline every integration test may rely on: jurisdictions, one user per role, two teams."""

    team_id: int
    other_team_id: int
    users: dict[str, str]


def _seed_world(factory: sessionmaker[Session]) -> World:
    with factory() as s:
        s.add_all(
            [
                Jurisdiction(
                    code="leicheng",
                    name_zh="雷城街道",
                    name_en="Leicheng Street",
                    kind=JurisdictionKind.street,
                    center_lat=20.914,
                    center_lon=110.085,
                ),
                Jurisdiction(
                    code="baisha",
                    name_zh="白沙镇",
                    name_en="Baisha Town",
                    kind=JurisdictionKind.town,
                    center_lat=20.95,
                    center_lon=110.16,
                ),
                Jurisdiction(
                    code="suixi",
                    name_zh="遂溪县",
                    name_en="Suixi County",
                    kind=JurisdictionKind.neighbor,
                    center_lat=21.37,
                    center_lon=110.25,
                ),
            ]
        )
        s.flush()
        teams = [
            RescueTeam(
                name=f"seed-team-{i}",
                kind=TeamKind.fire_rescue,
                personnel=10,
                home_jurisdiction="leicheng",
                base_lat=20.92,
                base_lon=110.09,
            )
            for i in (1, 2)
        ]
        s.add_all(teams)
        s.flush()
        pw = hash_password(PASSWORD)
        users = {
            "admin": Role.admin,
            "operator": Role.operator,
            "observer": Role.observer,
            "controller": Role.drill_controller,
            "leader": Role.team_leader,
            "other_leader": Role.team_leader,
        }
        for name, role in users.items():
            team_id = teams[0].id if name == "leader" else teams[1].id if name == "other_leader" else None
            s.add(User(username=name, password_hash=pw, role=role, team_id=team_id))
        s.commit()
        return World(team_id=teams[0].id, other_team_id=teams[1].id, users={k: v.value for k, v in users.items()})


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[FastAPI]:
    application = create_app(Settings(DATABASE_URL=database_url))
    yield application
    # The in-process client runs no lifespan, so nothing else closes the pool's connections.
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def world(app: FastAPI) -> World:
    return _seed_world(app.state.session_factory)


@pytest.fixture(scope="session")
def client(app: FastAPI, world: World) -> TestClient:
    """In-process HTTP without the app's lifespan: the relay and hub run in one event loop, the live server's."""
    return TestClient(app)


@pytest.fixture(scope="session")
def tokens(client: TestClient, world: World) -> dict[str, str]:
    """Bearer token per user name of the world (admin, operator, observer, controller, leader, other_leader)."""
    out = {}
    for name in world.users:
        body = ok(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}))
        out[name] = body["access_token"]
    return out


@pytest.fixture(scope="session")
def headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: auth(tok) for name, tok in tokens.items()}


@pytest.fixture(scope="session")
def live_url(app: FastAPI, world: World) -> Iterator[str]:
    """The same app behind a real uvicorn on loopback, for concurrent clients."""
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR
