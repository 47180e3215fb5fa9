"""/metrics: Prometheus text whose series move with what the process does (requests, events, websockets)."""

import asyncio
import time

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from tests.workflow_factories import incident_body
from tests.ws_helpers import all_published, frames_until, open_ws

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base: str) -> Samples:
    r = httpx.get(f"{base}/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_request_latency_is_counted_per_route_template_and_status(live_url: str, tokens: dict[str, str]) -> None:
    before = scrape(live_url)
    auth = {"Authorization": f"Bearer {tokens['operator']}"}
    created = httpx.post(f"{live_url}/api/v1/incidents", json=incident_body(), headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]
    assert httpx.get(f"{live_url}/api/v1/incidents/{incident_id}", headers=auth, timeout=10).status_code == 200
    assert httpx.get(f"{live_url}/api/v1/incidents/999999999", headers=auth, timeout=10).status_code == 404
    assert httpx.get(f"{live_url}/no/such/{time.time_ns()}", timeout=10).status_code == 404
    after = scrape(live_url)

    name = "ercp_http_request_duration_seconds_count"
    one = "/api/v1/incidents/{incident_id}"
    assert value(after, name, method="POST", route="/api/v1/incidents", status="201") == (
        value(before, name, method="POST", route="/api/v1/incidents", status="201") + 1
    )
    assert (
        value(after, name, method="GET", route=one, status="200")
        >= value(before, name, method="GET", route=one, status="200") + 1
    )
    assert (
        value(after, name, method="GET", route=one, status="404")
        >= value(before, name, method="GET", route=one, status="404") + 1
    )
    # Unknown paths share one series: no label carries a raw URL.
    assert value(after, name, method="GET", route="unmatched", status="404") >= 1
    assert not any("/no/such/" in dict(labels).get("route", "") for _, labels in after)


def test_events_published_and_relay_lag_move_with_writes(app: FastAPI, live_url: str, tokens: dict[str, str]) -> None:
    before = scrape(live_url)
    auth = {"Authorization": f"Bearer {tokens['operator']}"}
    for _ in range(3):
        r = httpx.post(f"{live_url}/api/v1/incidents", json=incident_body(), headers=auth, timeout=10)
        assert r.status_code == 201, r.text
    asyncio.run(all_published(app))
    after = scrape(live_url)
    published = value(after, "ercp_events_published_total") - value(before, "ercp_events_published_total")
    assert published >= 3
    lagged = value(after, "ercp_relay_lag_seconds_count") - value(before, "ercp_relay_lag_seconds_count")
    assert lagged == published
    assert value(after, "ercp_outbox_backlog") == 0
    assert ("ercp_db_pool_in_use", frozenset()) in after
    assert value(after, "ercp_relay_leader") == 1


def test_websocket_clients_gauge_counts_open_sockets(live_url: str, tokens: dict[str, str]) -> None:
    async def run() -> tuple[float, float, float]:
        base = value(scrape(live_url), "ercp_websocket_clients")
        async with open_ws(live_url, tokens["operator"]) as ws1, open_ws(live_url, tokens["observer"]) as ws2:
            for ws in (ws1, ws2):
                await frames_until(ws, lambda f: f.get("type") == "hello")
            during = await asyncio.to_thread(lambda: value(scrape(live_url), "ercp_websocket_clients"))
        deadline = time.monotonic() + 5
        while (after := await asyncio.to_thread(lambda: value(scrape(live_url), "ercp_websocket_clients"))) != base:
            assert time.monotonic() < deadline, "closed sockets still counted"
            await asyncio.sleep(0.05)  # polling a condition with a deadline
        return base, during, after

    base, during, after = asyncio.run(run())
    assert during == base + 2
    assert after == base
