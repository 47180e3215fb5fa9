"""Deadlines of the escalation chain (逐级上报), DESIGN §7 and 生产安全事故报告和调查处理条例.

- art. 9: the unit reports to the county-level department within 1 hour of the accident;
- art. 11: each department reports one level up within 2 hours **of receiving the
  report**, as far as art. 10 takes the grade (ordinary → city, major → province,
  serious and especially serious → national). So a step's deadline chains from
  the moment the step below it was reported, and, while that one is still
  open, from its own deadline (the latest it may arrive): reporting early pulls
  the next deadline in, reporting late pushes it out;
- art. 13: casualty changes within 30 days (7 for road traffic and fire) need a supplementary report;
- art. 29: the investigation report is due within 60 days.

Every datetime here must be timezone-aware: deadlines are compared across
services and the board, and a naive value would silently mean "server local time".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    """One report the platform expects, with its deadline.

    `owed_from` is when the step became owed: None for a step of the chain
    scheduled at grading (owed from the accident), the re-grade's moment for a
    level a re-grade added (nobody can forward a grade before it is known).
    """

    level: EscalationLevel
    kind: EscalationKind
    due_at: datetime
    owed_from: datetime | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class Link:
    """A report step as stored, in chain order, for re-computing deadlines."""

    level: EscalationLevel
    due_at: datetime
    reported_at: datetime | None
    owed_from: datetime | None = None


def received_at(link: Link) -> datetime:
    """When the next level up has (or at the latest will have) this step's report (art. 11)."""
    return link.reported_at if link.reported_at is not None else link.due_at


def chained_due(previous: Link, owed_from: datetime | None) -> datetime:
    """Art. 11: 2 h after the level below's report arrives, never before the step was owed."""
    basis = received_at(previous)
    if owed_from is not None and owed_from > basis:
        basis = owed_from
    return basis + NEXT_LEVEL_DEADLINE


def rechain(links: list[Link], occurred_at: datetime) -> list[datetime]:
    """Every report step's deadline, in chain order (lowest level first), from the stored reports.

    The first step is the unit's own (art. 9): 1 h after the accident, or after
    the step became owed when a later fact made it so. Each further step
    follows `chained_due`, itself computed from the re-computed deadline of an
    open step below, so one report moves every open step above it.
    """
    _aware("occurred_at", occurred_at)
    out: list[datetime] = []
    previous: Link | None = None
    for link in links:
        if previous is None:
            start = link.owed_from if link.owed_from is not None and link.owed_from > occurred_at else occurred_at
            due = start + COUNTY_DEADLINE
        else:
            due = chained_due(previous, link.owed_from)
        out.append(due)
        previous = Link(link.level, due, link.reported_at, link.owed_from)
    return out


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _steps_from(levels: tuple[EscalationLevel, ...] | list[EscalationLevel], first_due: datetime) -> list[Step]:
    return [
        Step(level=level, kind=EscalationKind.report, due_at=first_due + i * NEXT_LEVEL_DEADLINE)
        for i, level in enumerate(levels)
    ]


def levels_for(severity: Severity, near_miss: bool = False) -> tuple[EscalationLevel, ...]:
    """The levels a report goes up to: art. 10 by grade; a major near-miss (较大涉险事故) at least to the province.

    The province for a near-miss is the work-safety regulator's rule for
    较大涉险事故 (生产安全事故信息报告和处置办法, SAWS order 21 of 2009, art. 6:
    reported level by level up to the provincial department), the same reach as a major accident.
    """
    levels = LEVELS_FOR[severity]
    if near_miss and len(levels) < len(LEVELS_FOR[Severity.major]):
        return LEVELS_FOR[Severity.major]
    return levels


def chain_for(severity: Severity, occurred_at: datetime, *, near_miss: bool = False) -> list[Step]:
    """The report steps of a freshly graded incident: county at +1 h, then +2 h per level up.

    Nothing is reported yet, so each deadline chains from the projected one
    below it (`rechain`); reports later move the open steps above them.
    """
    _aware("occurred_at", occurred_at)
    return _steps_from(list(levels_for(severity, near_miss)), occurred_at + COUNTY_DEADLINE)


def extend_chain(
    existing: list[Link],
    target: tuple[EscalationLevel, ...],
    *,
    occurred_at: datetime,
    now: datetime,
) -> list[Step]:
    """Steps to add when a re-grade (or a near-miss) takes the chain higher; nothing when no level is missing.

    `existing` are the incident's report steps in chain order, `target` the
    levels the new grade needs (`levels_for`). The added levels are those
    missing, lowest first, each owed from `now` (the moment the new grade is
    known) and chained the art. 11 way: 2 h after the level below has, or by its
    deadline will have, the report — and never less than 2 h after `now`. So a
    province step always comes after the city's. Steps already created are
    never withdrawn on a downgrade: a report once owed stays owed.
    """
    _aware("now", now)
    present = {link.level for link in existing}
    missing = [level for level in target if level not in present]
    if not missing:
        return []
    links = list(existing)
    steps: list[Step] = []
    for level in missing:
        if links:
            due = rechain([*links, Link(level, now, None, now)], occurred_at)[-1]
        else:
            due = max(now, occurred_at) + COUNTY_DEADLINE
        steps.append(Step(level=level, kind=EscalationKind.report, due_at=due, owed_from=now))
        links.append(Link(level, due, None, now))
    return steps


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


# Follow-up reports (续报) while the rescue goes on: twice a day for serious and especially serious
# accidents, once a day for major ones and major near-misses (the work-safety regulator's rules on
# accident information, SAWS order 21 of 2009 as amended in 2015); ordinary accidents have none.
FOLLOW_UP_INTERVAL: dict[Severity, timedelta] = {
    Severity.major: timedelta(days=1),
    Severity.serious: timedelta(hours=12),
    Severity.especially_serious: timedelta(hours=12),
}


def follow_up_interval(severity: Severity, near_miss: bool) -> timedelta | None:
    """How often a follow-up report is due while responding; None when the grade needs none."""
    interval = FOLLOW_UP_INTERVAL.get(severity)
    if interval is None and near_miss:
        return FOLLOW_UP_INTERVAL[Severity.major]
    return interval


def follow_up_step(sequence: int, due_at: datetime) -> Step:
    """Follow-up report number `sequence`, entering the chain at the county like every unit report."""
    _aware("due_at", due_at)
    return Step(level=EscalationLevel.county, kind=EscalationKind.follow_up, due_at=due_at, sequence=sequence)


def next_follow_up_due(previous_due: datetime, interval: timedelta) -> datetime:
    """The cadence runs on the clock of the first follow-up, not on when each one was filed."""
    _aware("previous_due", previous_due)
    return previous_due + interval


def final_step(now: datetime, interval: timedelta) -> Step:
    """The final report once the incident is contained, due when the next follow-up would have been.

    The regulation says to report until the rescue ends, without a figure for
    the last report; one cadence interval after containment keeps it no later
    than the follow-up it replaces.
    """
    _aware("now", now)
    return Step(level=EscalationLevel.county, kind=EscalationKind.final, due_at=now + interval)


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
