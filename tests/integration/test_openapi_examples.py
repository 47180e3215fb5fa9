"""The request-body examples of the OpenAPI document (api.openapi_examples) are valid and accepted, so they cannot rot.

Each one is checked against the schema the document gives its body, then posted as documented, in order, to a
fresh database holding the seeded world (ids count from 1 there, as the dispatch example assumes).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from api.auth.passwords import hash_password
from api.main import create_app
from api.openapi_examples import EXAMPLES, FORM
from api.settings import Settings
from resources_db.enums import Role
from resources_db.migrate import upgrade
from resources_db.models import User
from tests.backends import fresh_database
from tests.conftest import PASSWORD, _seed_world
from tests.factories import auth, ok

TOKEN_PATH = "/api/v1/auth/token"


@pytest.fixture
def fresh_app(backend: str, tmp_path: Path) -> Iterator[FastAPI]:
    with fresh_database(backend, tmp_path) as url:
        upgrade(url)
        app = create_app(Settings(DATABASE_URL=url))
        try:
            _seed_world(app.state.session_factory)
            yield app
        finally:
            app.state.engine.dispose()


def _add_signed_in_user(app: FastAPI, form: dict[str, str]) -> None:
    """The account the token example signs in with, as `ercp users` would create it."""
    with app.state.session_factory() as session:
        session.add(User(username=form["username"], password_hash=hash_password(form["password"]), role=Role.operator))
        session.commit()


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    # The body schema is a `$ref` into the document's components: resolve it against the whole document.
    return Draft202012Validator({**schema, "components": document["components"]})


def test_every_main_write_documents_an_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for method, path in [
        ("post", "/api/v1/incidents"),
        ("post", "/api/v1/dispatches"),
        ("post", "/api/v1/teams"),
        ("post", "/api/v1/depots"),
        ("post", TOKEN_PATH),
    ]:
        content = document["paths"][path][method]["requestBody"]["content"]
        assert any(media.get("examples") for media in content.values()), f"{method.upper()} {path}: no example"


def test_documented_examples_are_valid_and_accepted(fresh_app: FastAPI) -> None:
    client = TestClient(fresh_app)
    document = client.get("/openapi.json").json()
    token = ok(client.post(TOKEN_PATH, data={"username": "admin", "password": PASSWORD}))["access_token"]
    for (method, path, media_type), examples in EXAMPLES.items():
        content = document["paths"][path][method]["requestBody"]["content"][media_type]
        assert content["examples"] == examples
        validator = _validator(document, content["schema"])
        for name, example in examples.items():
            value = example["value"]
            errors = [e.message for e in validator.iter_errors(value)]
            assert not errors, f"{method.upper()} {path} example {name} is not valid against its schema: {errors}"
            if media_type == FORM:
                _add_signed_in_user(fresh_app, value)
                answer = client.request(method, path, data=value)
            else:
                answer = client.request(method, path, json=value, headers=auth(token))
            assert 200 <= answer.status_code < 300, f"{method.upper()} {path} example {name}: {answer.text}"
