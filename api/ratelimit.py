"""Rate limits: per client address on the token endpoint (password guessing), per principal everywhere else.

Counted in Redis when REDIS_URL is set, so every API process draws on one allowance; in this process's memory
otherwise. When the store cannot be reached the request goes through (fail open): refusing incident reports
because a counter is unavailable would be worse than a burst. Each such pass is logged and counted.

After one failure the store is left alone (every request passes at once) until a ping from a background
thread finds it again: a paused Redis (R9) then costs one request a timeout, not every request.
"""

import asyncio
import hashlib
import logging
import math
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import VerifiedTokens
from api.metrics import Metrics
from api.middleware import send_problem

logger = logging.getLogger(__name__)

# A paused Redis must not hold a request up longer than this; a healthy one answers in about a millisecond.
STORE_TIMEOUT_S = 0.1
PROBE_EVERY_S = 1.0  # while the store is down, how often a background ping looks for it


def make_storage(redis_url: str | None, database_url: str) -> Storage:
    """Counters in Redis when there is one; keys carry the deployment (its database) so two deployments
    sharing one Redis never spend each other's allowance."""
    if not redis_url:
        return MemoryStorage()
    return RedisStorage(
        redis_url,
        key_prefix="ercp-rate:" + hashlib.sha256(database_url.encode()).hexdigest()[:12],
        socket_timeout=STORE_TIMEOUT_S,
        socket_connect_timeout=STORE_TIMEOUT_S,
    )


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        storage: Storage,
        metrics: Metrics,
        verified_tokens: VerifiedTokens,
        token_path: str,
        per_address: str | None,
        per_principal: str | None,
    ) -> None:
        self.app, self.metrics, self.verified_tokens, self.token_path = app, metrics, verified_tokens, token_path
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        # The synchronous client works from any event loop (tests run several); a network store is asked from
        # a worker thread so a slow Redis never stalls the loop, memory is asked in place.
        self.remote = not isinstance(storage, MemoryStorage)
        self.per_address: RateLimitItem | None = parse(per_address) if per_address else None
        self.per_principal: RateLimitItem | None = parse(per_principal) if per_principal else None
        self._down_logged_at = -math.inf
        self.store_down = False  # set by a failed check, cleared by a ping that answers
        self._probe_lock = threading.Lock()
        self._probed_at = -math.inf
        self._probing = False

    def _key(self, scope: Scope) -> tuple[str, RateLimitItem, str] | None:
        """(limit name, limit, key) for this request, or None when no limit applies."""
        if scope["method"] == "POST" and scope["path"] == self.token_path:
            if self.per_address is None:
                return None
            client = scope.get("client")
            return "token-per-address", self.per_address, f"addr:{client[0] if client else 'unknown'}"
        if self.per_principal is None:
            return None
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        claims = self.verified_tokens.decode(token.strip())
        if claims is None:
            return None  # 401 follows; a forged token spends nobody's allowance
        return "per-principal", self.per_principal, f"user:{claims.user_id}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chosen = self._key(scope)
        if chosen is None:
            await self.app(scope, receive, send)
            return
        name, item, key = chosen
        if self.store_down:
            self.metrics.rate_limit_errors.inc()
            self._probe_soon()
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(STORE_TIMEOUT_S * 3):
                if self.remote:
                    allowed, retry_after = await asyncio.to_thread(self._check, item, name, key)
                else:
                    allowed, retry_after = self._check(item, name, key)
        except Exception as exc:
            self.metrics.rate_limit_errors.inc()
            self.store_down = self.remote
            now = time.monotonic()
            if now - self._down_logged_at > 10:  # once per ten seconds of an outage, not per request
                self._down_logged_at = now
                logger.warning("rate limits unavailable, letting requests through: %s", type(exc).__name__)
            await self.app(scope, receive, send)
            return
        if allowed:
            await self.app(scope, receive, send)
            return
        self.metrics.rate_limited.labels(name).inc()
        detail = f"more than {item.amount} requests per {item.get_expiry()} s; retry after {retry_after} s"
        await send_problem(
            send, 429, "too-many-requests", "Too many requests", detail, headers={"retry-after": str(retry_after)}
        )

    def _probe_soon(self) -> None:
        """Start one background ping of the store unless one runs or ran less than PROBE_EVERY_S ago."""
        with self._probe_lock:
            now = time.monotonic()
            if self._probing or now - self._probed_at < PROBE_EVERY_S:
                return
            self._probing, self._probed_at = True, now
        # A thread, not a task: the synchronous client blocks, and no event loop has to outlive the ping.
        threading.Thread(target=self._probe, name="rate-limit-probe", daemon=True).start()

    def _probe(self) -> None:
        try:
            if self.storage.check():
                self.store_down = False
                logger.info("rate limits: store reachable again")
        finally:
            with self._probe_lock:
                self._probing = False

    def _check(self, item: RateLimitItem, name: str, key: str) -> tuple[bool, int]:
        """Whether the request may pass (and spends one), and else how many seconds until it could."""
        if self.limiter.hit(item, name, key):
            return True, 0
        stats = self.limiter.get_window_stats(item, name, key)
        return False, max(1, math.ceil(stats.reset_time - time.time()))
