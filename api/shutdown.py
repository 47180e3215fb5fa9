"""Graceful shutdown on SIGTERM: drain first, then let uvicorn stop.

1. `/readyz` turns 503 at once, so the balancer sends new requests elsewhere;
2. the relay gives up leadership (another process takes over within its standby interval);
3. websocket clients are closed with 1012 (service restart): reconnect at once, to another process;
4. after `drain_seconds`, uvicorn's own handler runs: it stops accepting, lets in-flight requests finish,
   then runs the lifespan shutdown.

Installed only in the main thread of a served process (`ercp serve`); in-process test servers keep uvicorn's
handling as it is.
"""

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType

from starlette.types import ASGIApp, Receive, Scope, Send

from realtime.hub import Hub
from realtime.relay import Relay

logger = logging.getLogger(__name__)

SERVICE_RESTART = 1012  # RFC 6455 registry: "Service Restart", the client may reconnect immediately


class Drain:
    def __init__(self, hub: Hub, relay: Relay, *, drain_seconds: float) -> None:
        self.hub, self.relay, self.drain_seconds = hub, relay, drain_seconds
        self.draining = False
        self._task: asyncio.Task[None] | None = None

    def install(self) -> bool:
        """Take over SIGTERM in this process; False (nothing done) outside the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        loop = asyncio.get_running_loop()
        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(sig: int, frame: FrameType | None) -> None:
            if self.draining:  # a second SIGTERM: stop now
                self._hand_over(previous, sig, frame)
                return
            self.draining = True
            self._task = loop.create_task(self._drain(lambda: self._hand_over(previous, sig, frame)))

        signal.signal(signal.SIGTERM, on_sigterm)
        return True

    @staticmethod
    def _hand_over(previous: object, sig: int, frame: FrameType | None) -> None:
        if callable(previous):
            previous(sig, frame)
        else:
            raise SystemExit(0)

    async def _drain(self, then: Callable[[], None]) -> None:
        logger.warning("SIGTERM: draining for %.1f s (readiness 503, websockets closed with 1012)", self.drain_seconds)
        try:
            await self.relay.stop()
        except Exception:
            logger.exception("relay did not stop cleanly")
        await self.close_websockets()
        await asyncio.sleep(self.drain_seconds)  # the balancer's readiness probe needs this long to notice
        then()

    async def close_websockets(self) -> None:
        closing: list[Awaitable[None]] = []
        for sub in list(self.hub.subscribers):
            self.hub.detach(sub)
            closing.append(sub.close(SERVICE_RESTART, "service restart: reconnect"))
        for done in asyncio.as_completed([asyncio.ensure_future(c) for c in closing]):
            with contextlib.suppress(Exception):
                await done


class RefuseWebsocketsWhileDraining:
    """A websocket opened during the drain is refused at the handshake (HTTP 403): the client tries again and
    the balancer sends it to another process, instead of it being closed again moments later."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app, self.drain = app, drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.drain.draining:
            await send({"type": "websocket.close", "code": SERVICE_RESTART, "reason": "shutting down"})
            return
        await self.app(scope, receive, send)
