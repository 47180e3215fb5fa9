"""Redis pub/sub bus for several API processes. Redis keeps nothing here; the database log does."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from redis.exceptions import RedisError

from realtime.bus import BusUnavailable

# Short timeouts: a paused or dead Redis must not stall the relay or the hub (R9).
SOCKET_TIMEOUT_S = 1.0


class RedisBus:
    def __init__(self, url: str) -> None:
        self._url = url
        self._client: redis.Redis | None = None

    async def connect(self) -> None:
        self._client = redis.Redis.from_url(
            self._url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S
        )

    async def disconnect(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _redis(self) -> redis.Redis:
        if self._client is None:
            raise BusUnavailable("bus not connected")
        return self._client

    async def publish(self, channel: str, message: str) -> None:
        try:
            await self._redis().publish(channel, message)
        except (RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[str]]:
        # A dedicated connection without a read timeout: an idle channel is not an error.
        client = redis.Redis.from_url(self._url, socket_connect_timeout=SOCKET_TIMEOUT_S, health_check_interval=5)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
        except (RedisError, OSError) as exc:
            await client.aclose()
            raise BusUnavailable(str(exc)) from exc

        async def messages() -> AsyncIterator[str]:
            try:
                async for item in pubsub.listen():
                    if item.get("type") == "message":
                        data = item["data"]
                        yield data.decode() if isinstance(data, bytes) else str(data)
            except (RedisError, OSError) as exc:
                raise BusUnavailable(str(exc)) from exc
            raise BusUnavailable("subscription ended")

        try:
            yield messages()
        finally:
            try:
                await pubsub.aclose()
            finally:
                await client.aclose()
