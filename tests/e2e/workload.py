"""The rest of a fault run's writes beside incident reports (R10): dispatches racing for teams, stock drawn down.

`setup` makes, through the API, a few teams, an incident to send them to and one stock item. Then
`Dispatcher` threads send the same few teams over and over (create with an Idempotency-Key, then cancel), so
two of them race for a team, `Stocker` threads consume and receive one unit at a time from one item that
runs out, so the stock floor is tried, and a `Reader` lists, reads and signs in. Everything they send and
get back goes into a History.
"""

import itertools
import threading
import time
import uuid
from dataclasses import dataclass

import httpx

from tests.e2e.cluster import JURISDICTION, PASSWORD
from tests.e2e.history import DISPATCH_CREATE, DISPATCH_STATUS, READ, STOCK_MOVE, History

STOCK = 30  # units on hand at the start; consumers outrun receivers, so it reaches zero within seconds


@dataclass(frozen=True)
class World:
    teams: list[int]
    incident: int
    item: int


def _client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10.0, trust_env=False)


def _made(r: httpx.Response) -> int:
    assert r.status_code == 201, f"{r.request.method} {r.request.url} -> {r.status_code}: {r.text}"
    return int(r.json()["id"])


def setup(base: str, token: str, teams: int = 3) -> World:
    with _client(base, token) as c:
        team_ids = [
            _made(
                c.post(
                    "/api/v1/teams",
                    json={
                        "name": f"fault team {n} {uuid.uuid4().hex[:6]}",
                        "kind": "fire_rescue",
                        "capabilities": ["fire_suppression"],
                        "personnel": 8,
                        "home_jurisdiction": JURISDICTION["code"],
                        "base_lat": 20.91,
                        "base_lon": 110.09,
                    },
                )
            )
            for n in range(teams)
        ]
        incident = _made(
            c.post(
                "/api/v1/incidents",
                json={
                    "title": "fault run target",
                    "type": "fire",
                    "lat": 20.9,
                    "lon": 110.08,
                    "jurisdiction": "leicheng",
                },
            )
        )
        depot = _made(
            c.post(
                "/api/v1/depots",
                json={
                    "name": "fault depot",
                    "jurisdiction": "leicheng",
                    "lat": 20.91,
                    "lon": 110.09,
                    "operator": "gov",
                },
            )
        )
        item = _made(
            c.post(
                "/api/v1/supply-items",
                json={
                    "depot_id": depot,
                    "category": "sandbags",
                    "name": "fault sandbags",
                    "unit": "bag",
                    "quantity_on_hand": STOCK,
                },
            )
        )
    return World(team_ids, incident, item)


class Loop(threading.Thread):
    """Runs `step` every `interval` seconds, over `bases` in turn, until stopped (or `limit` steps)."""

    def __init__(self, name: str, bases: list[str], token: str, history: History, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self.bases, self.token, self.history, self.interval = bases, token, history, interval
        self.stopping = threading.Event()
        self.limit = 2_000  # a bound whatever happens to stop()

    def run(self) -> None:
        clients = [_client(b, self.token) for b in self.bases]
        try:
            for n in range(self.limit):
                started = time.monotonic()
                self.step(clients[n % len(clients)], n)
                if self.stopping.wait(max(0.0, self.interval - (time.monotonic() - started))):
                    return
        finally:
            for c in clients:
                c.close()

    def step(self, client: httpx.Client, n: int) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=15.0)


class Dispatcher(Loop):
    """Sends a team (Idempotency-Key, sent twice when the first try got no answer), then cancels the dispatch."""

    def __init__(self, name: str, bases: list[str], token: str, history: History, world: World) -> None:
        super().__init__(name, bases, token, history, interval=0.1)
        self.world = world
        self._teams = itertools.cycle(world.teams)

    def step(self, client: httpx.Client, n: int) -> None:
        body = {"incident_id": self.world.incident, "team_id": next(self._teams)}
        key = f"{self.name}-{n}-{uuid.uuid4().hex[:8]}"
        op = self.history.send(client, DISPATCH_CREATE, "/api/v1/dispatches", body, key=key)
        if op.status == 0:
            op = self.history.send(client, DISPATCH_CREATE, "/api/v1/dispatches", body, key=key)
        if op.acked and op.answer is not None:
            path = f"/api/v1/dispatches/{op.answer['id']}/status"
            self.history.send(client, DISPATCH_STATUS, path, {"status": "cancelled"})


class Stocker(Loop):
    """Consumes one unit three times out of four and receives one the fourth: the item runs dry and refills."""

    def __init__(self, name: str, bases: list[str], token: str, history: History, world: World) -> None:
        super().__init__(name, bases, token, history, interval=0.1)
        self.world = world

    def step(self, client: httpx.Client, n: int) -> None:
        body = {"reason": "receive", "delta": 1} if n % 4 == 3 else {"reason": "consume", "delta": -1}
        self.history.send(client, STOCK_MOVE, f"/api/v1/supply-items/{self.world.item}/movements", body)


class Reader(Loop):
    """What a board and a returning operator do besides writing: list incidents, read the stock, sign in."""

    def __init__(self, name: str, bases: list[str], token: str, history: History, world: World) -> None:
        super().__init__(name, bases, token, history, interval=0.2)
        self.world = world

    def step(self, client: httpx.Client, n: int) -> None:
        if n % 5 == 4:  # a sign-in costs a password hash: one a second is plenty
            form = {"username": "operator", "password": PASSWORD}
            self.history.send(client, READ, "/api/v1/auth/token", form, form=True)
        elif n % 2:
            self.history.send(client, READ, f"/api/v1/supply-items/{self.world.item}", {}, method="GET")
        else:
            self.history.send(client, READ, "/api/v1/incidents", {"limit": 20}, method="GET")


def start(bases: list[str], token: str, history: History, world: World) -> list[Loop]:
    """Two dispatchers racing for the same teams, two stockers on one item and a reader, started."""
    loops: list[Loop] = [
        Dispatcher("dispatcher-1", bases, token, history, world),
        Dispatcher("dispatcher-2", bases[::-1], token, history, world),
        Stocker("stocker-1", bases, token, history, world),
        Stocker("stocker-2", bases[::-1], token, history, world),
        Reader("reader", bases, token, history, world),
    ]
    for loop in loops:
        loop.start()
    return loops
