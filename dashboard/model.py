"""What the board shows, computed from plain API data: ordering, overdue rules, KPI counts, countdowns.

No Streamlit here, so unit tests reach every rule without a browser.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

Json = Mapping[str, Any]

# Highest first. The grade text is always printed beside its colour (never colour alone).
SEVERITY_ORDER = ("especially_serious", "serious", "major", "ordinary")
SEVERITY_RGB = {
    "especially_serious": (220, 38, 38),
    "serious": (234, 88, 12),
    "major": (234, 179, 8),
    "ordinary": (37, 99, 235),
}
SEVERITY_MARK = {"especially_serious": "Ⅰ", "serious": "Ⅱ", "major": "Ⅲ", "ordinary": "Ⅳ"}
RISK_ORDER = ("red", "orange", "yellow", "blue")
RISK_RGB = {"red": (220, 38, 38), "orange": (234, 88, 12), "yellow": (234, 179, 8), "blue": (37, 99, 235)}
TEAM_STATUS_RGB = {
    "available": (22, 163, 74),
    "dispatched": (234, 179, 8),
    "en_route": (234, 88, 12),
    "on_scene": (220, 38, 38),
    "returning": (14, 165, 233),
    "out_of_service": (107, 114, 128),
}
COMMITTED = ("dispatched", "en_route", "on_scene", "returning")
ACTIVE_DISPATCH = ("dispatched", "acknowledged", "en_route", "on_scene")


class Alarm(IntEnum):
    """How loudly a row asks for attention; higher sorts first."""

    none = 0
    amber = 1
    red = 2


@dataclass(frozen=True)
class Targets:
    """Time limits after which a dispatch is overdue in its status (amber, then red at twice the limit)."""

    acknowledge: timedelta = timedelta(minutes=2)  # dispatched → acknowledged
    turnout: timedelta = timedelta(minutes=5)  # dispatched → en route
    travel: timedelta = timedelta(minutes=30)  # en route → on scene


def parse_time(value: object) -> datetime | None:
    """An API timestamp as an aware datetime; None when it is missing or unusable (never invent one)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def sort_incidents(incidents: Iterable[Json]) -> list[Json]:
    """Highest grade first, then the longest-running first (earliest report)."""
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(
        incidents,
        key=lambda i: (severity_rank(str(i.get("severity"))), parse_time(i.get("reported_at")) or far_future, i["id"]),
    )


@dataclass(frozen=True)
class OverdueDispatch:
    dispatch: Json
    stage: str  # "acknowledge" | "turnout" | "travel"
    elapsed: timedelta
    alarm: Alarm


def dispatch_alarm(dispatch: Json, now: datetime, targets: Targets = Targets()) -> OverdueDispatch | None:
    """Whether an active dispatch has stayed too long in its status; None when on time or its times are unusable."""
    status = dispatch.get("status")
    if status == "dispatched":
        stage, since, limit = "acknowledge", dispatch.get("dispatched_at"), targets.acknowledge
    elif status == "acknowledged":
        stage, since, limit = "turnout", dispatch.get("dispatched_at"), targets.turnout
    elif status == "en_route":
        stage, since, limit = "travel", dispatch.get("en_route_at"), targets.travel
    else:
        return None
    start = parse_time(since)
    if start is None:
        return None
    elapsed = now - start
    if elapsed < limit:
        return None
    return OverdueDispatch(dispatch, stage, elapsed, Alarm.red if elapsed >= 2 * limit else Alarm.amber)


def overdue_dispatches(
    dispatches: Iterable[Json], now: datetime, targets: Targets = Targets()
) -> list[OverdueDispatch]:
    """Overdue active dispatches, red before amber, longest overdue first."""
    found = [a for d in dispatches if (a := dispatch_alarm(d, now, targets)) is not None]
    return sorted(found, key=lambda a: (-a.alarm, -a.elapsed))


def team_tiles(counts: Mapping[str, int]) -> dict[str, int]:
    """Available / committed / out of service, from the snapshot's per-status counts."""
    return {
        "available": int(counts.get("available", 0)),
        "committed": sum(int(counts.get(s, 0)) for s in COMMITTED),
        "out_of_service": int(counts.get("out_of_service", 0)),
    }


def incidents_by_severity(incidents: Iterable[Json]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for i in incidents:
        sev = str(i.get("severity"))
        if sev in counts:
            counts[sev] += 1
    return counts


def seconds_left(due_at: object, now: datetime) -> int | None:
    due = parse_time(due_at)
    return None if due is None else int((due - now).total_seconds())


def format_countdown(seconds: int) -> str:
    """`1:05:09` ahead, `-0:03:10` when late: the sign stays visible whatever the colour."""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_elapsed(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def escalation_rows(escalations: Mapping[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Open reporting steps (due and late, no duplicates), late first, then the soonest deadline."""
    seen: dict[int, dict[str, Any]] = {}
    for step in [*escalations.get("late", []), *escalations.get("due", [])]:
        if step.get("reported_at") or step["id"] in seen:
            continue
        left = seconds_left(step.get("due_at"), now)
        late = bool(step.get("late")) or (left is not None and left < 0)
        seen[step["id"]] = {**step, "seconds_left": left, "late": late}
    return sorted(seen.values(), key=lambda s: (not s["late"], s["seconds_left"] or 0))


def assigned_teams(
    dispatches: Iterable[Json], team_names: Mapping[int, str], status_label: Mapping[str, str]
) -> dict[int, list[str]]:
    """incident id → the names of its actively dispatched teams, with their dispatch status in words."""
    out: dict[int, list[str]] = {}
    for d in dispatches:
        if d.get("status") in ACTIVE_DISPATCH:
            name = team_names.get(int(d["team_id"]), f"#{d['team_id']}")
            status = str(d["status"])
            out.setdefault(int(d["incident_id"]), []).append(f"{name} ({status_label.get(status, status)})")
    return out


def incident_set_key(incidents: Iterable[Json]) -> str:
    """Changes only when the set of incidents changes: the map re-fits then, and not on every update."""
    return ",".join(str(i) for i in sorted(int(x["id"]) for x in incidents))


def next_dispatch_statuses(status: str) -> list[str]:
    """The statuses a team leader may move their dispatch to next (DESIGN §5), in the order they happen."""
    return {
        "dispatched": ["acknowledged"],
        "acknowledged": ["en_route"],
        "en_route": ["on_scene"],
        "on_scene": ["released"],
    }.get(status, [])
