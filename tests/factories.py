"""Plain-function factories that go through the HTTP API, so every object is made the way users make it."""

import itertools
import uuid
from typing import Any

import httpx

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    req = response.request
    assert response.status_code == status, f"{req.method} {req.url} -> {response.status_code}: {response.text}"
    return response.json()


def team_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("team"),
        "kind": "fire_rescue",
        "capabilities": ["fire_suppression", "medical"],
        "personnel": 12,
        "home_jurisdiction": "leicheng",
        "base_lat": 20.91,
        "base_lon": 110.09,
        "contact_phone": "0759-8800000",
    }
    body.update(overrides)
    return body


def make_team(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/teams", json=team_body(**overrides), headers=auth(token)), 201)  # type: ignore[no-any-return]
