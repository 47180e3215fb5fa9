"""R10: every client operation of a fault run, logged, and a checker over that log and what the database holds.

A fault test records each request it sends (what, to whom, the answer, when) in a `History`; after the run
it reads the database into an `Observed` and `check` returns a `Verdict` counting each kind of violation:

- lost: an acknowledged (2xx) write the database does not hold;
- duplicates: an Idempotency-Key that created more than once (two ids answered, or two stored rows of its body);
- overlaps: two dispatches of one team active at the same time;
- negative: stock below zero or below what is reserved, in the database or in any answer, or a ledger whose
  movements do not add up to the stock it holds;
- missing events: a committed change (stored incident, dispatch, dispatch status, stock movement) with no
  event in the outbox log;
- and the protocol of a fault: no 5xx but 503, every 503 with Retry-After, every request answered.

The checker only reads the two inputs, so a unit test feeds it hand-made bad histories.
"""

import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from resources_db.enums import DispatchStatus
from resources_db.models import Dispatch, Incident, OutboxEvent, StockMovement, SupplyItem

INCIDENT_CREATE = "incident.create"
DISPATCH_CREATE = "dispatch.create"
DISPATCH_STATUS = "dispatch.status"
STOCK_MOVE = "stock.move"
READ = "read"  # a GET or a sign-in: nothing to find in the database, only the answer's protocol is checked
ENDS = (DispatchStatus.released, DispatchStatus.cancelled)


@dataclass(frozen=True)
class Op:
    kind: str
    client: str  # the base URL it went to
    request: dict[str, Any]  # the body, plus "path" for status changes and movements
    key: str | None  # Idempotency-Key
    status: int  # 0 when no answer came (transport error or timeout)
    sent: float  # time.monotonic()
    returned: float
    answer: dict[str, Any] | None = None
    retry_after: str | None = None

    @property
    def acked(self) -> bool:
        return 200 <= self.status < 300


class History:
    """A thread-safe log of operations, in the order they returned."""

    def __init__(self) -> None:
        self.ops: list[Op] = []
        self._lock = threading.Lock()

    def record(self, op: Op) -> Op:
        with self._lock:
            self.ops.append(op)
        return op

    def send(
        self,
        client: httpx.Client,
        kind: str,
        path: str,
        body: dict[str, Any],
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
        form: bool = False,
    ) -> Op:
        """Send `body` (JSON, or a form) to `path` and log what came back; a transport error is status 0.

        A GET sends `body` as its query string.
        """
        sent_headers = dict(headers or {})
        if key is not None:
            sent_headers["Idempotency-Key"] = key
        if method == "GET":
            args: dict[str, Any] = {"params": body}
        else:
            args = {"data": body} if form else {"json": body}
        sent = time.monotonic()
        try:
            r = client.request(method, path, headers=sent_headers, **args)
        except httpx.TransportError:
            return self.record(Op(kind, str(client.base_url), {**body, "path": path}, key, 0, sent, time.monotonic()))
        answer = r.json() if r.headers.get("content-type", "").endswith("json") else None
        op = Op(
            kind,
            str(client.base_url),
            {**body, "path": path},
            key,
            r.status_code,
            sent,
            time.monotonic(),
            answer if isinstance(answer, dict) else None,
            r.headers.get("retry-after"),
        )
        return self.record(op)


@dataclass(frozen=True)
class DispatchRow:
    id: int
    team_id: int
    started: datetime
    ended: datetime | None
    reached: frozenset[str]  # every status it went through


@dataclass
class Observed:
    """What the database holds after the run (and the stock it held before)."""

    incidents: dict[int, str] = field(default_factory=dict)  # id -> title
    dispatches: list[DispatchRow] = field(default_factory=list)
    stock: dict[int, tuple[int, int]] = field(default_factory=dict)  # item id -> (on hand, reserved)
    stock_before: dict[int, int] = field(default_factory=dict)  # item id -> on hand when the run began
    movements: dict[int, tuple[int, int]] = field(default_factory=dict)  # movement id -> (item id, delta), new ones
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # (id, type, data), in log order
    events_before: int = 0  # the log's last id when the run began


@dataclass(frozen=True)
class Baseline:
    stock: dict[int, int]
    last_movement: int
    last_event: int


def baseline(engine: Engine) -> Baseline:
    """The stock, the ledger's end and the log's end before the run: movements after it are the run's."""
    with engine.connect() as conn:
        stock = {int(i): int(q) for i, q in conn.execute(select(SupplyItem.id, SupplyItem.quantity_on_hand))}
        last = conn.execute(select(func.coalesce(func.max(StockMovement.id), 0))).scalar_one()
        last_event = conn.execute(select(func.coalesce(func.max(OutboxEvent.id), 0))).scalar_one()
    return Baseline(stock, int(last), int(last_event))


def observe(engine: Engine, before: Baseline) -> Observed:
    ends = [getattr(Dispatch, f"{s.value}_at") for s in DispatchStatus]
    with engine.connect() as conn:
        incidents = {int(i): str(t) for i, t in conn.execute(select(Incident.id, Incident.title))}
        dispatches = []
        for row in conn.execute(select(Dispatch.id, Dispatch.team_id, *ends)):
            stamps = dict(zip(DispatchStatus, row[2:], strict=True))
            ended = next((stamps[s] for s in ENDS if stamps[s] is not None), None)
            reached = frozenset(s.value for s, at in stamps.items() if at is not None)
            dispatches.append(
                DispatchRow(int(row.id), int(row.team_id), stamps[DispatchStatus.dispatched], ended, reached)
            )
        stock = {
            int(i): (int(q), int(r))
            for i, q, r in conn.execute(
                select(SupplyItem.id, SupplyItem.quantity_on_hand, SupplyItem.quantity_reserved)
            )
        }
        moves = conn.execute(
            select(StockMovement.id, StockMovement.supply_item_id, StockMovement.delta).where(
                StockMovement.id > before.last_movement
            )
        )
        movements = {int(m): (int(i), int(d)) for m, i, d in moves}
        rows = conn.execute(select(OutboxEvent.id, OutboxEvent.type, OutboxEvent.data).order_by(OutboxEvent.id))
        events = [(int(i), str(t), dict(d)) for i, t, d in rows]
    return Observed(incidents, dispatches, stock, dict(before.stock), movements, events, before.last_event)


@dataclass
class Verdict:
    ops: int
    acked: int
    violations: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return not any(self.violations.values())

    def count(self, kind: str) -> int:
        return len(self.violations.get(kind, []))

    def summary(self) -> str:
        counts = " ".join(f"{k}={len(v)}" for k, v in self.violations.items())
        return f"history ops={self.ops} acked={self.acked} {counts} verdict={'ok' if self.ok else 'VIOLATED'}"

    def details(self, per_kind: int = 5) -> str:
        return "; ".join(f"{k}: {v[:per_kind]}" for k, v in self.violations.items() if v)


KINDS = (
    "lost",
    "duplicates",
    "overlaps",
    "negative",
    "missing_events",
    "server_errors",
    "no_retry_after",
    "unanswered",
)


def check(ops: list[Op], db: Observed) -> Verdict:
    found: dict[str, list[str]] = {k: [] for k in KINDS}
    _protocol(ops, found)
    _lost(ops, db, found)
    _duplicates(ops, db, found)
    _overlaps(db, found)
    _negative(ops, db, found)
    _missing_events(db, found)
    return Verdict(len(ops), sum(1 for op in ops if op.acked), found)


def _protocol(ops: list[Op], found: dict[str, list[str]]) -> None:
    for op in ops:
        if op.status >= 500 and op.status != 503:
            found["server_errors"].append(f"{op.kind} -> {op.status}")
        if op.status == 503 and not op.retry_after:
            found["no_retry_after"].append(f"{op.kind} -> 503 without Retry-After")
        if op.status == 0:
            found["unanswered"].append(f"{op.kind} at {op.client}")


def _answer_id(op: Op) -> int | None:
    if op.answer is None:
        return None
    if op.kind == STOCK_MOVE:
        return int(op.answer["movement"]["id"])
    return int(op.answer["id"])


def _lost(ops: list[Op], db: Observed, found: dict[str, list[str]]) -> None:
    dispatches = {d.id: d for d in db.dispatches}
    for op in ops:
        if not op.acked or op.kind == READ:
            continue
        i = _answer_id(op)
        if op.kind == INCIDENT_CREATE and i not in db.incidents:
            found["lost"].append(f"incident {i}")
        elif op.kind == DISPATCH_CREATE and i not in dispatches:
            found["lost"].append(f"dispatch {i}")
        elif op.kind == DISPATCH_STATUS and (i not in dispatches or op.request["status"] not in dispatches[i].reached):
            found["lost"].append(f"dispatch {i} -> {op.request['status']}")
        elif op.kind == STOCK_MOVE and i not in db.movements:
            found["lost"].append(f"movement {i}")


def _duplicates(ops: list[Op], db: Observed, found: dict[str, list[str]]) -> None:
    answered: dict[tuple[str, str], set[int]] = defaultdict(set)
    titles: dict[str, str] = {}
    for op in ops:
        if op.key is None or op.kind not in (INCIDENT_CREATE, DISPATCH_CREATE):
            continue
        if op.kind == INCIDENT_CREATE:
            titles[op.key] = str(op.request["title"])
        i = _answer_id(op) if op.acked else None
        if i is not None:
            answered[(op.kind, op.key)].add(i)
    for (kind, key), ids in answered.items():
        if len(ids) > 1:
            found["duplicates"].append(f"{kind} {key}: answered ids {sorted(ids)}")
    # Each keyed create in these runs has a body (title) of its own: two rows of it mean it ran twice.
    stored = Counter(db.incidents.values())
    for key, title in titles.items():
        if stored[title] > 1:
            found["duplicates"].append(f"{INCIDENT_CREATE} {key}: {stored[title]} incidents titled {title!r}")


def _overlaps(db: Observed, found: dict[str, list[str]]) -> None:
    per_team: dict[int, list[DispatchRow]] = defaultdict(list)
    for d in db.dispatches:
        per_team[d.team_id].append(d)
    for team, rows in per_team.items():
        rows.sort(key=lambda d: (d.started, d.id))
        holder = rows[0]  # of the dispatches begun so far, the one that ends last (None: never)
        for later in rows[1:]:
            if holder.ended is None or later.started < holder.ended:
                found["overlaps"].append(f"team {team}: dispatches {holder.id} and {later.id}")
            if holder.ended is not None and (later.ended is None or later.ended > holder.ended):
                holder = later


def _negative(ops: list[Op], db: Observed, found: dict[str, list[str]]) -> None:
    for item, (on_hand, reserved) in db.stock.items():
        if on_hand < 0 or on_hand < reserved:
            found["negative"].append(f"item {item}: on hand {on_hand}, reserved {reserved}")
    for op in ops:
        if op.kind == STOCK_MOVE and op.acked and op.answer is not None:
            on_hand = int(op.answer["item"]["quantity_on_hand"])
            if on_hand < 0:
                found["negative"].append(f"item {op.answer['item']['id']}: answered on hand {on_hand}")
    moved: Counter[int] = Counter()
    for item, delta in db.movements.values():
        moved[item] += delta
    for item, before in db.stock_before.items():
        if item in db.stock and before + moved[item] != db.stock[item][0]:
            found["negative"].append(f"item {item}: {before} + ledger {moved[item]} != on hand {db.stock[item][0]}")


def _missing_events(db: Observed, found: dict[str, list[str]]) -> None:
    created = {int(d["id"]) for _, t, d in db.events if t == "incident.created"}
    dispatched = {int(d["id"]) for _, t, d in db.events if t == "dispatch.created"}
    moved = {(int(d["id"]), str(d["status"])) for _, t, d in db.events if t == "dispatch.status_changed"}
    # Movements are the run's only: so are the supply events they are counted against.
    supply_events = Counter(
        int(d["supply_item_id"]) for i, t, d in db.events if t == "supply.changed" and i > db.events_before
    )
    for i in db.incidents:
        if i not in created:
            found["missing_events"].append(f"incident.created {i}")
    for d in db.dispatches:
        if d.id not in dispatched:
            found["missing_events"].append(f"dispatch.created {d.id}")
        for status in d.reached - {DispatchStatus.dispatched.value}:
            if (d.id, status) not in moved:
                found["missing_events"].append(f"dispatch.status_changed {d.id} {status}")
    movements = Counter(item for item, _ in db.movements.values())
    for item, n in movements.items():
        if supply_events[item] < n:
            found["missing_events"].append(f"supply.changed item {item}: {supply_events[item]} events, {n} movements")
