"""compose.yaml is a valid Compose file and describes the topology of DESIGN §3."""

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "schemas" / "compose-spec.json"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def test_compose_file_validates_against_the_compose_specification() -> None:
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(_compose()), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_api_replicas_wait_for_healthy_dependencies_and_migration() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "api", "lb"} <= services.keys()
    api = services["api"]
    assert api["deploy"]["replicas"] >= 2
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("postgres", "redis", "api"):
        assert "healthcheck" in services[name], name


def test_no_secret_is_written_into_the_compose_file() -> None:
    text = (ROOT / "compose.yaml").read_text()
    env = _compose()["services"]["api"]["environment"]
    assert env["ERCP_ENV"] == "production"
    assert "${ERCP_SECRET_KEY:?" in text
    assert "${POSTGRES_PASSWORD:?" in text
