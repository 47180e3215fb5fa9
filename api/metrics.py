"""Prometheus metrics, one registry per app (tests build several apps in one process; each counts its own).

Counters and histograms are updated where things happen (requests, relay, rate limits); gauges that describe
state (websocket clients, outbox backlog, pool connections in use, relay leadership) are read at scrape time.
"""

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resources_db.models import OutboxEvent

logger = logging.getLogger(__name__)

# Most requests answer in milliseconds; the tail up to the 30 s body timeout still lands in a bucket.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0)
UNMATCHED = "unmatched"  # one label for every path no route knows: a scanner must not mint a series per URL


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)  # python_info: which interpreter serves
        self.requests = Histogram(
            "ercp_http_request_duration_seconds",
            "HTTP request latency, from the first byte in to the last byte out",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.events_published = Counter(
            "ercp_events_published", "Events the relay published to the bus", registry=self.registry
        )
        self.relay_lag = Histogram(
            "ercp_relay_lag_seconds",
            "From an event's write (in the committing transaction) to its publication by the relay",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "ercp_rate_limit_rejections", "Requests refused with 429", ["limit"], registry=self.registry
        )
        self.rate_limit_errors = Counter(
            "ercp_rate_limit_backend_errors",
            "Rate-limit checks that could not reach their store and let the request through",
            registry=self.registry,
        )

    def observe_published(self, envelope: str) -> None:
        """Called by the relay for each event it published."""
        self.events_published.inc()
        try:
            at = datetime.fromisoformat(orjson.loads(envelope)["at"].replace("Z", "+00:00"))
        except (orjson.JSONDecodeError, KeyError, ValueError, AttributeError):
            return
        self.relay_lag.observe(max(0.0, (datetime.now(UTC) - at).total_seconds()))

    def watch(self, *, engine: Engine, ws_clients: Callable[[], int], relay_leader: Callable[[], bool]) -> None:
        self.registry.register(_StateCollector(engine, ws_clients, relay_leader))


class _StateCollector(Collector):
    def __init__(self, engine: Engine, ws_clients: Callable[[], int], relay_leader: Callable[[], bool]) -> None:
        self.engine, self.ws_clients, self.relay_leader = engine, ws_clients, relay_leader

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "ercp_websocket_clients", "Websocket clients attached to this process", self.ws_clients()
        )
        yield GaugeMetricFamily(
            "ercp_relay_leader", "1 when this process's relay holds the leader lock", int(self.relay_leader())
        )
        pool = self.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            yield GaugeMetricFamily("ercp_db_pool_in_use", "Database connections checked out", checked_out())
        size = getattr(pool, "size", None)
        if callable(size):
            yield GaugeMetricFamily("ercp_db_pool_size", "Database pool size (without overflow)", size())
        try:
            with self.engine.connect() as conn:
                backlog = conn.execute(select(func.count()).where(OutboxEvent.seq.is_(None))).scalar_one()
        except SQLAlchemyError as exc:
            # The scrape still answers (process and request series matter most when the database is away).
            logger.warning("metrics: outbox backlog unreadable: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily("ercp_outbox_backlog", "Committed events the relay has not published yet", backlog)


def route_template(scope: Scope) -> str:
    """The matched route's template with its routers' prefixes (`/api/v1/incidents/{incident_id}`).

    The router leaves the matched route in the scope, but with included routers it is the route as its own
    router declared it (`/incidents/{incident_id}`); the prefix is the part of the path before the suffix that
    route matches (prefixes here are literal).
    """
    route = scope.get("route")
    # path_format drops the converters (`{incident_id:int}` -> `{incident_id}`): labels name the parameter only.
    template, regex = getattr(route, "path_format", None), getattr(route, "path_regex", None)
    if not isinstance(template, str) or regex is None:
        return UNMATCHED
    path: str = scope["path"]
    for i, char in enumerate(path):
        if char == "/" and regex.fullmatch(path[i:]):
            return path[:i] + template
    return template


class MetricsMiddleware:
    """Times every HTTP request and labels it with its route template (`/api/v1/incidents/{incident_id}`)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees when the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = route_template(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)
