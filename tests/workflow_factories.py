"""Factories for incidents and dispatches, through the API."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import auth, ok, unique


def incident_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"title": unique("incident"), "type": "fire", "lat": 20.92, "lon": 110.09}
    body.update(overrides)
    return body


def make_incident(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/incidents", json=incident_body(**overrides), headers=auth(token)), 201)  # type: ignore[no-any-return]
