"""Factories for the registries (jurisdictions, hazard sources, emergency plans), made through the HTTP API."""

import uuid
from typing import Any

import httpx

from tests.factories import auth, ok, unique


def unique_code(prefix: str = "j") -> str:
    """A jurisdiction code (`[a-z0-9_]{2,32}`) no other test uses."""
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def jurisdiction_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": unique_code(),
        "name_zh": "测试镇",
        "name_en": "Test Town (synthetic)",
        "kind": "town",
        "center_lat": 20.8,
        "center_lon": 110.1,
    }
    body.update(overrides)
    return body


def make_jurisdiction(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/jurisdictions", json=jurisdiction_body(**overrides), headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": unique("plan"),
        "hazard_kinds": ["ammonia_refrigeration"],
        "incident_types": ["ammonia_leak", "fire"],
        "required_capabilities": {"hazmat": 2, "decontamination": 1, "medical": 1},
        "required_supplies": {"breathing_apparatus": 20, "absorbent": 500},
        "owner_body": "雷州市应急管理局",
    }
    body.update(overrides)
    return body


def make_plan(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/plans", json=plan_body(**overrides), headers=auth(token)), 201)  # type: ignore[no-any-return]


def hazard_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("hazard"),
        "kind": "ammonia_refrigeration",
        "risk_level": "orange",
        "lat": 20.93,
        "lon": 110.1,
        "jurisdiction": "leicheng",
        "enterprise": "雷州冷库有限公司 (synthetic)",
        "responsible_person": "张三",
        "plan_id": None,
    }
    body.update(overrides)
    return body


def make_hazard(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    r = client.post("/api/v1/hazard-sources", json=hazard_body(**overrides), headers=auth(token))
    return ok(r, 201)  # type: ignore[no-any-return]


def if_match(headers: dict[str, str], etag_or_version: str | int) -> dict[str, str]:
    tag = etag_or_version if isinstance(etag_or_version, str) else f'"{etag_or_version}"'
    return {**headers, "If-Match": tag}


def audit_rows(
    client: httpx.Client | Any, admin: dict[str, str], entity: str, entity_id: object
) -> list[dict[str, Any]]:
    """The audit rows of one entity, oldest first."""
    params: dict[str, str | int] = {"entity": entity, "entity_id": str(entity_id), "limit": 500}
    return ok(client.get("/api/v1/audit", params=params, headers=admin))["items"]  # type: ignore[no-any-return]


def all_items(client: httpx.Client | Any, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following `next_cursor`."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = ok(
            client.get(url, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})}, headers=headers)
        )
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def assert_problem_422(response: httpx.Response, field: str) -> dict[str, Any]:
    """A 422 problem+json whose errors name `field` (a dotted prefix such as `body.kind`); the matching error."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    matches = [e for e in body["errors"] if str(e.get("field", "")).startswith(field)]
    assert matches, f"no error names {field!r}: {body['errors']}"
    return matches[0]  # type: ignore[no-any-return]
