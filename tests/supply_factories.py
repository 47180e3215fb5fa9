"""Plain-function factories for depots and supply items, made through the HTTP API like users make them."""

from typing import Any

import httpx

from tests.factories import auth, ok, unique


def depot_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": unique("depot"),
        "jurisdiction": "leicheng",
        "lat": 20.91,
        "lon": 110.09,
        "operator": "gov",
    }
    body.update(overrides)
    return body


def make_depot(client: httpx.Client | Any, token: str, **overrides: Any) -> dict[str, Any]:
    return ok(client.post("/api/v1/depots", json=depot_body(**overrides), headers=auth(token)), 201)  # type: ignore[no-any-return]


def item_body(depot_id: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "depot_id": depot_id,
        "category": "sandbags",
        "name": unique("sandbags"),
        "unit": "bag",
        "quantity_on_hand": 100,
        "min_reserve": 10,
    }
    body.update(overrides)
    return body


def make_item(client: httpx.Client | Any, token: str, depot_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    """An item (in a fresh depot unless `depot_id` is given), 100 on hand by default."""
    if depot_id is None:
        depot_id = make_depot(client, token)["id"]
    body = item_body(depot_id, **overrides)
    return ok(client.post("/api/v1/supply-items", json=body, headers=auth(token)), 201)  # type: ignore[no-any-return]


def move(client: httpx.Client | Any, token: str, item_id: int, delta: int, reason: str, **extra: Any) -> httpx.Response:
    body = {"delta": delta, "reason": reason, **extra}
    return client.post(f"/api/v1/supply-items/{item_id}/movements", json=body, headers=auth(token))


def ledger(client: httpx.Client | Any, token: str, item_id: int) -> list[dict[str, Any]]:
    """Every movement of the item, oldest first, following cursors."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(f"/api/v1/supply-items/{item_id}/movements", params=params, headers=auth(token)))
        out += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def audit_rows(client: httpx.Client | Any, admin_token: str, entity: str, entity_id: int) -> list[dict[str, Any]]:
    """Every audit row of one entity, oldest first (admin only)."""
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        params: dict[str, Any] = {"entity": entity, "entity_id": str(entity_id), "after_id": after, "limit": 500}
        page = ok(client.get("/api/v1/audit", params=params, headers=auth(admin_token)))
        out += page["items"]
        if page["next_after_id"] is None:
            return out
        after = page["next_after_id"]
