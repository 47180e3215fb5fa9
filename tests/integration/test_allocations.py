"""Supply allocations: R2 with real concurrent clients, the life cycle through the ledger, drills, bad input."""

from typing import Any

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.concurrency import crowd, p95
from tests.factories import auth, ok
from tests.supply_factories import ledger, make_item, move
from tests.workflow_factories import make_incident, start_drill

URL = "/api/v1/allocations"


def item_state(client: TestClient, token: str, item_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/supply-items/{item_id}", headers=auth(token)))  # type: ignore[no-any-return]


def test_r2_fifty_concurrent_allocations_of_three_from_a_hundred(
    client: TestClient, tokens, live_url: str, backend: str
) -> None:
    op = tokens["operator"]
    item = make_item(client, op, quantity_on_hand=100)
    incident = make_incident(client, op)
    body = {"incident_id": incident["id"], "supply_item_id": item["id"], "quantity": 3}

    def reserve(http: httpx.Client, _: int) -> httpx.Response:
        return http.post(URL, json=body, headers=auth(op))

    with crowd(live_url, 50) as c:
        answers = c.run(reserve)
    created = [a for a in answers if a.status == 201]
    refused = [a for a in answers if a.status == 409 and str(a.body.get("type", "")).endswith("/insufficient-stock")]
    errors = sum(a.status >= 500 for a in answers)
    after = item_state(client, op, item["id"])
    # Issue every reservation: the stock leaves the depot through the ledger.
    for a in created:
        ok(client.post(f"{URL}/{a.body['id']}/issue", json={}, headers=auth(op)))
    issued = item_state(client, op, item["id"])
    moves = ledger(client, op, item["id"])
    print(
        f"R2 allocation_race backend={backend} attempts=50 ok={len(created)} conflict={len(refused)} 5xx={errors} "
        f"reserved={after['quantity_reserved']} final={issued['quantity_on_hand']} "
        f"ledger_sum={sum(m['delta'] for m in moves)} p95_ms={p95([a.ms for a in answers]):.0f}"
    )
    assert (len(created), len(refused), errors) == (33, 17, 0)
    assert (after["quantity_on_hand"], after["quantity_reserved"]) == (100, 99)
    assert (issued["quantity_on_hand"], issued["quantity_reserved"]) == (1, 0)
    assert sum(m["delta"] for m in moves) == issued["quantity_on_hand"]
    assert sum(m["reason"] == "allocate" for m in moves) == 33


def test_life_cycle_moves_stock_only_through_the_ledger(client: TestClient, tokens, headers) -> None:
    op = tokens["operator"]
    item = make_item(client, op, quantity_on_hand=50)
    incident = make_incident(client, op)
    new = {"incident_id": incident["id"], "supply_item_id": item["id"], "quantity": 10}
    a = ok(client.post(URL, json=new, headers=auth(op)), 201)
    assert item_state(client, op, item["id"])["quantity_reserved"] == 10
    assert client.post(f"{URL}/{a['id']}/return", json={}, headers=auth(op)).status_code == 409  # not issued yet
    ok(client.post(f"{URL}/{a['id']}/issue", json={}, headers=auth(op)))
    too_many = client.post(f"{URL}/{a['id']}/return", json={"quantity": 11}, headers=auth(op))
    assert too_many.status_code == 422
    back = ok(client.post(f"{URL}/{a['id']}/return", json={"quantity": 4}, headers=auth(op)))
    assert back["status"] == "returned"
    state = item_state(client, op, item["id"])
    assert (state["quantity_on_hand"], state["quantity_reserved"]) == (44, 0)
    b = ok(client.post(URL, json=new, headers=auth(op)), 201)
    ok(client.post(f"{URL}/{b['id']}/cancel", json={}, headers=auth(op)))
    c = ok(client.post(URL, json=new, headers=auth(op)), 201)
    ok(client.post(f"{URL}/{c['id']}/issue", json={}, headers=auth(op)))
    consumed = ok(client.post(f"{URL}/{c['id']}/consume", json={}, headers=auth(op)))
    assert consumed["status"] == "consumed"
    final = item_state(client, op, item["id"])
    moves = ledger(client, op, item["id"])
    assert (final["quantity_on_hand"], final["quantity_reserved"]) == (34, 0)
    assert sum(m["delta"] for m in moves) == 34
    assert [m["reason"] for m in moves] == ["receive", "allocate", "return", "allocate"]
    listed = ok(client.get(URL, params={"incident_id": incident["id"]}, headers=headers["observer"]))
    assert [x["status"] for x in listed["items"]] == ["returned", "cancelled", "consumed"]


def test_bad_input_is_refused_and_changes_nothing(client: TestClient, tokens) -> None:
    op = tokens["operator"]
    item = make_item(client, op, quantity_on_hand=20)
    incident = make_incident(client, op)
    good = {"incident_id": incident["id"], "supply_item_id": item["id"], "quantity": 5}
    for bad, field in (
        ({**good, "quantity": 0}, "body.quantity"),
        ({**good, "supply_item_id": 2_000_000_000}, "body.supply_item_id"),
        ({**good, "incident_id": 2_000_000_000}, "body.incident_id"),
        ({**good, "status": "issued"}, "body.status"),
    ):
        r = client.post(URL, json=bad, headers=auth(op))
        assert r.status_code == 422, bad
        assert r.headers["content-type"] == "application/problem+json"
        assert any(e["field"] == field for e in r.json()["errors"]), r.json()
    short = client.post(URL, json={**good, "quantity": 21}, headers=auth(op))
    assert short.status_code == 409
    assert short.json()["type"].endswith("/insufficient-stock")
    state = item_state(client, op, item["id"])
    assert (state["quantity_on_hand"], state["quantity_reserved"], state["version"]) == (20, 0, item["version"])


def test_drill_allocations_never_touch_real_stock(app, client: TestClient, tokens, headers) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=10)
    real = make_incident(client, tokens["operator"])
    refused = client.post(
        URL,
        json={"incident_id": real["id"], "supply_item_id": item["id"], "quantity": 1},
        headers=headers["controller"],
    )
    assert refused.status_code == 403
    drill_id = start_drill(app)
    drill_incident = make_incident(client, tokens["controller"], drill_id=drill_id)
    body = {"incident_id": drill_incident["id"], "supply_item_id": item["id"], "quantity": 8}
    a = ok(client.post(URL, json=body, headers=headers["controller"]), 201)
    ok(client.post(f"{URL}/{a['id']}/issue", json={}, headers=headers["controller"]))
    state = item_state(client, tokens["operator"], item["id"])
    assert (state["quantity_on_hand"], state["quantity_reserved"]) == (10, 0)
    default = ok(client.get(URL, params={"supply_item_id": item["id"]}, headers=headers["observer"]))
    assert default["items"] == []
    drills = ok(
        client.get(URL, params={"supply_item_id": item["id"], "include_drills": "true"}, headers=headers["observer"])
    )
    assert [(x["id"], x["is_drill"]) for x in drills["items"]] == [(a["id"], True)]


class AllocationLedger(RuleBasedStateMachine):
    """Allocate / issue / return / adjust in any order: on hand == ledger sum, never below reserved or zero."""

    client: TestClient
    token: str

    def __init__(self) -> None:
        super().__init__()
        self.item = make_item(self.client, self.token, quantity_on_hand=30)
        self.incident = make_incident(self.client, self.token)
        self.on_hand, self.reserved = 30, 0
        self.reservations: list[tuple[int, int]] = []
        self.issued: list[tuple[int, int]] = []

    @rule(q=st.integers(1, 15))
    def allocate(self, q: int) -> None:
        body = {"incident_id": self.incident["id"], "supply_item_id": self.item["id"], "quantity": q}
        r = self.client.post(URL, json=body, headers=auth(self.token))
        if q <= self.on_hand - self.reserved:
            assert r.status_code == 201, r.text
            self.reserved += q
            self.reservations.append((r.json()["id"], q))
        else:
            assert r.status_code == 409, r.text

    @precondition(lambda self: self.reservations)
    @rule()
    def issue(self) -> None:
        alloc_id, q = self.reservations.pop(0)
        ok(self.client.post(f"{URL}/{alloc_id}/issue", json={}, headers=auth(self.token)))
        self.on_hand -= q
        self.reserved -= q
        self.issued.append((alloc_id, q))

    @precondition(lambda self: self.issued)
    @rule(data=st.data())
    def give_back(self, data: st.DataObject) -> None:
        alloc_id, q = self.issued.pop(0)
        back = data.draw(st.integers(1, q))
        ok(self.client.post(f"{URL}/{alloc_id}/return", json={"quantity": back}, headers=auth(self.token)))
        self.on_hand += back

    @rule(delta=st.integers(-10, 10).filter(bool))
    def adjust(self, delta: int) -> None:
        r = move(self.client, self.token, self.item["id"], delta, "adjust")
        if self.on_hand + delta >= self.reserved:
            assert r.status_code == 201, r.text
            self.on_hand += delta
        else:
            assert r.status_code == 409, r.text

    @invariant()
    def books_balance(self) -> None:
        state = item_state(self.client, self.token, self.item["id"])
        assert (state["quantity_on_hand"], state["quantity_reserved"]) == (self.on_hand, self.reserved)
        assert 0 <= self.reserved <= self.on_hand
        assert sum(m["delta"] for m in ledger(self.client, self.token, self.item["id"])) == self.on_hand


def test_r2_stateful_allocate_issue_return_adjust(client: TestClient, tokens) -> None:
    AllocationLedger.client = client
    AllocationLedger.token = tokens["operator"]
    machine = AllocationLedger.TestCase
    machine.settings = settings(
        max_examples=8, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    machine().runTest()
