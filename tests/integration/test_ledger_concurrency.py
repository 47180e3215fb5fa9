"""R2: the stock ledger under concurrency (real HTTP) and as a state machine (hypothesis)."""

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.factories import auth, ok
from tests.supply_factories import audit_rows, ledger, make_item, move

WORKERS = 50


def _race(live_url: str, token: str, item_id: int, bodies: list[dict[str, Any]]) -> list[tuple[int, float, Any]]:
    """POST every body at once from its own thread and client; (status, ms, json) per request."""
    barrier = threading.Barrier(len(bodies))
    url = f"/api/v1/supply-items/{item_id}/movements"

    def one(body: dict[str, Any]) -> tuple[int, float, Any]:
        with httpx.Client(base_url=live_url, headers=auth(token), timeout=60) as c:
            barrier.wait()
            t0 = time.perf_counter()
            r = c.post(url, json=body)
            return r.status_code, (time.perf_counter() - t0) * 1000, r.json()

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def _p95(ms: list[float]) -> float:
    ordered = sorted(ms)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def test_fifty_concurrent_consumes_of_three_leave_exactly_one(
    live_url: str, client: TestClient, tokens, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=100, min_reserve=0)
    results = _race(live_url, tokens["operator"], item["id"], [{"delta": -3, "reason": "consume"}] * WORKERS)

    statuses = Counter(s for s, _, _ in results)
    conflicts = [body for s, _, body in results if s == 409]
    final = ok(client.get(f"/api/v1/supply-items/{item['id']}", headers=auth(tokens["observer"])))
    moves = ledger(client, tokens["observer"], item["id"])
    audited = [
        r for r in audit_rows(client, tokens["admin"], "supply_item", item["id"]) if r["action"] == "supply.movement"
    ]
    fivexx = sum(n for s, n in statuses.items() if s >= 500)
    with capsys.disabled():
        print(
            f"\nR2 ledger_race backend={backend} attempts={WORKERS} ok={statuses[201]} conflict={statuses[409]} "
            f"5xx={fivexx} final={final['quantity_on_hand']} p95_ms={_p95([ms for _, ms, _ in results]):.0f}"
        )
    assert statuses == {201: 33, 409: 17}
    assert all(b["type"].endswith("/insufficient-stock") for b in conflicts)
    assert final["quantity_on_hand"] == 1
    assert sum(m["delta"] for m in moves) == 1
    assert [m["delta"] for m in moves] == [100] + [-3] * 33
    assert len(audited) == 33
    assert sorted(r["after"]["quantity_on_hand"] for r in audited) == list(range(1, 100, 3))


def test_fifty_concurrent_mixed_movements_keep_on_hand_equal_to_the_ledger(
    live_url: str, client: TestClient, tokens, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20181)
    # Little stock and large consumes, so some movements must be refused.
    item = make_item(client, tokens["operator"], quantity_on_hand=10, min_reserve=0)
    bodies: list[dict[str, Any]] = []
    for _ in range(WORKERS):
        reason = rng.choice(["receive", "consume", "adjust"])
        size = rng.randint(1, 25)
        delta = size if reason == "receive" else -size if reason == "consume" else rng.choice([size, -size])
        bodies.append({"delta": delta, "reason": reason})
    results = _race(live_url, tokens["operator"], item["id"], bodies)

    statuses = Counter(s for s, _, _ in results)
    applied: list[int] = [b["delta"] for b, (s, _, _) in zip(bodies, results, strict=True) if s == 201]
    final = ok(client.get(f"/api/v1/supply-items/{item['id']}", headers=auth(tokens["observer"])))
    moves = ledger(client, tokens["observer"], item["id"])
    audited = [
        r for r in audit_rows(client, tokens["admin"], "supply_item", item["id"]) if r["action"] == "supply.movement"
    ]
    with capsys.disabled():
        print(
            f"\nR2 ledger_mixed backend={backend} attempts={WORKERS} ok={statuses[201]} conflict={statuses[409]} "
            f"final={final['quantity_on_hand']} ledger_sum={sum(m['delta'] for m in moves)}"
        )
    assert set(statuses) <= {201, 409}
    assert all(body["type"].endswith("/insufficient-stock") for s, _, body in results if s == 409)
    assert final["quantity_on_hand"] == sum(m["delta"] for m in moves) == 10 + sum(applied)
    assert final["quantity_on_hand"] >= 0
    assert sorted(m["delta"] for m in moves[1:]) == sorted(applied)
    assert len(audited) == len(applied)
    # Replaying the ledger in commit order never dips below zero.
    running = 0
    for m in moves:
        running += m["delta"]
        assert running >= 0


def test_ledger_state_machine_matches_a_model(client: TestClient, tokens) -> None:
    token = tokens["operator"]

    class Ledger(RuleBasedStateMachine):
        """Random movements on two items; the API must agree with a plain-integer model after every step."""

        @initialize()
        def make_items(self) -> None:
            self.expected: dict[int, int] = {}
            self.movements: dict[int, int] = {}
            for stock in (0, 20):
                item = make_item(client, token, quantity_on_hand=stock, min_reserve=0)
                self.expected[item["id"]] = stock
                self.movements[item["id"]] = 1 if stock else 0
            self.ids = sorted(self.expected)

        def _post(self, index: int, delta: int, reason: str) -> None:
            item_id = self.ids[index]
            before = self.expected[item_id]
            r = move(client, token, item_id, delta, reason)
            if before + delta >= 0:
                assert r.status_code == 201, r.text
                self.expected[item_id] = before + delta
                self.movements[item_id] += 1
                assert r.json()["item"]["quantity_on_hand"] == self.expected[item_id]
            else:
                assert r.status_code == 409, r.text
                assert r.json()["type"].endswith("/insufficient-stock")
                assert (r.json()["on_hand"], r.json()["asked"]) == (before, -delta)

        @rule(index=st.integers(0, 1), size=st.integers(1, 30))
        def receive(self, index: int, size: int) -> None:
            self._post(index, size, "receive")

        @rule(index=st.integers(0, 1), size=st.integers(1, 30))
        def consume(self, index: int, size: int) -> None:
            self._post(index, -size, "consume")

        @rule(index=st.integers(0, 1), size=st.integers(1, 30))
        def expire(self, index: int, size: int) -> None:
            self._post(index, -size, "expire")

        @rule(index=st.integers(0, 1), delta=st.integers(-30, 30).filter(bool))
        def adjust(self, index: int, delta: int) -> None:
            self._post(index, delta, "adjust")

        @invariant()
        def api_agrees_with_model_and_ledger(self) -> None:
            for item_id, want in self.expected.items():
                got = ok(client.get(f"/api/v1/supply-items/{item_id}", headers=auth(token)))["quantity_on_hand"]
                assert got == want >= 0
                moves = ledger(client, token, item_id)
                assert sum(m["delta"] for m in moves) == want
                # A refused movement left no ledger row behind.
                assert len(moves) == self.movements[item_id]

    run_state_machine_as_test(Ledger, settings=settings(max_examples=10, stateful_step_count=25, deadline=None))
