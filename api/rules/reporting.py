"""Deadlines of the escalation chain (逐级上报), DESIGN §7 and 生产安全事故报告和调查处理条例.

- art. 9: the unit reports to the county-level department within 1 hour of the accident;
- art. 11: each department reports one level up within 2 hours, as far as the
  grade requires (ordinary → city, major → province, serious and especially
  serious → national);
- art. 13: casualty changes within 30 days (7 for road traffic and fire) need a supplementary report;
- art. 29: the investigation report is due within 60 days.

Every datetime here must be timezone-aware: deadlines are compared across
services and the board, and a naive value would silently mean "server local time".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.rules.severity import is_higher
from resources_db.enums import EscalationKind, EscalationLevel, IncidentType, Severity

COUNTY_DEADLINE = timedelta(hours=1)
NEXT_LEVEL_DEADLINE = timedelta(hours=2)
SUPPLEMENTARY_DEADLINE = timedelta(hours=1)
SUPPLEMENTARY_WINDOW = timedelta(days=30)
SHORT_SUPPLEMENTARY_WINDOW = timedelta(days=7)
SHORT_WINDOW_TYPES = frozenset({IncidentType.road_traffic, IncidentType.fire})
INVESTIGATION_DEADLINE = timedelta(days=60)

# How far up the chain each grade goes (art. 11); always starts at the county.
LEVELS_FOR: dict[Severity, tuple[EscalationLevel, ...]] = {
    Severity.ordinary: (EscalationLevel.county, EscalationLevel.city),
    Severity.major: (EscalationLevel.county, EscalationLevel.city, EscalationLevel.province),
    Severity.serious: tuple(EscalationLevel),
    Severity.especially_serious: tuple(EscalationLevel),
}


@dataclass(frozen=True)
class Step:
    """One report the platform expects, with its deadline."""

    level: EscalationLevel
    kind: EscalationKind
    due_at: datetime


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _steps_from(levels: tuple[EscalationLevel, ...] | list[EscalationLevel], first_due: datetime) -> list[Step]:
    return [
        Step(level=level, kind=EscalationKind.report, due_at=first_due + i * NEXT_LEVEL_DEADLINE)
        for i, level in enumerate(levels)
    ]


def chain_for(severity: Severity, occurred_at: datetime) -> list[Step]:
    """The report steps of a freshly graded incident: county at +1 h, then +2 h per level up.

    Deadlines chain from the previous step's deadline, not from its actual
    report, so the board can show every countdown from the moment of grading.
    """
    _aware("occurred_at", occurred_at)
    return _steps_from(LEVELS_FOR[severity], occurred_at + COUNTY_DEADLINE)


def extend_chain(
    existing_levels: set[EscalationLevel] | frozenset[EscalationLevel],
    old: Severity,
    new: Severity,
    *,
    now: datetime,
) -> list[Step]:
    """Steps to add when casualties re-grade an incident upward; nothing on an equal grade or a downgrade.

    The added levels are those the new grade's chain has and `existing_levels`
    lacks, lowest first; the first is due 2 h after `now` (the moment the new
    grade is known, art. 11), each further one 2 h after the previous. Steps
    already created are never withdrawn on a downgrade: a report once owed stays owed.
    """
    _aware("now", now)
    if not is_higher(new, old):
        return []
    missing = [level for level in LEVELS_FOR[new] if level not in existing_levels]
    return _steps_from(missing, now + NEXT_LEVEL_DEADLINE)


def supplementary_window(incident_type: IncidentType) -> timedelta:
    """7 days for road traffic and fire accidents, 30 days otherwise (art. 13)."""
    return SHORT_SUPPLEMENTARY_WINDOW if incident_type in SHORT_WINDOW_TYPES else SUPPLEMENTARY_WINDOW


def supplementary_needed(incident_type: IncidentType, occurred_at: datetime, now: datetime) -> bool:
    """Whether a casualty change recorded at `now` needs a supplementary report (art. 13).

    "Within 30 days" includes the last instant: a change exactly 30 days after the
    accident still needs one. A `now` before `occurred_at` (clock skew between the
    reporter and the server) counts as inside the window: reporting too much is safe.
    """
    _aware("occurred_at", occurred_at)
    _aware("now", now)
    return now - occurred_at <= supplementary_window(incident_type)


def supplementary_step(now: datetime) -> Step:
    """The supplementary report a casualty change creates: county level, due 1 h after `now`.

    Art. 13 says "及时补报" without a figure. We reuse the art. 9 hour, counted from
    the moment the change is recorded, at the county level because that is where
    the unit's reports enter the chain; the county forwards it with its own duties.
    """
    _aware("now", now)
    return Step(level=EscalationLevel.county, kind=EscalationKind.supplementary, due_at=now + SUPPLEMENTARY_DEADLINE)


def investigation_due(occurred_at: datetime) -> datetime:
    """60 days after the accident (art. 29); the approved extension of up to 60 more is not modelled."""
    _aware("occurred_at", occurred_at)
    return occurred_at + INVESTIGATION_DEADLINE


def is_late(due_at: datetime, reported_at: datetime) -> bool:
    """A report is late (迟报) only when made strictly after its deadline; on the deadline is on time."""
    _aware("due_at", due_at)
    _aware("reported_at", reported_at)
    return reported_at > due_at


def is_overdue(due_at: datetime, *, reported_at: datetime | None, now: datetime) -> bool:
    """For the board: a reported step is overdue when it was late; an open one once `now` passes the deadline."""
    _aware("now", now)
    return is_late(due_at, reported_at if reported_at is not None else now)
