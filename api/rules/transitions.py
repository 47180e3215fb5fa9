"""The incident and dispatch state machines of DESIGN §5, as data.

Services check a move with `can_incident` / `can_dispatch` and, when refused,
answer 409 with `allowed_incident` / `allowed_dispatch` so the client can show
what would have been accepted. The dispatch chain is strict as DESIGN writes
it: a team must acknowledge before it is en route, because the turnout time
(dispatched → en_route) is only trustworthy when each step was recorded.
"""

from collections.abc import Mapping
from types import MappingProxyType

from resources_db.enums import DispatchStatus, IncidentStatus, TeamStatus

_I = IncidentStatus
_D = DispatchStatus

INCIDENT_TRANSITIONS: Mapping[IncidentStatus, frozenset[IncidentStatus]] = MappingProxyType(
    {
        _I.reported: frozenset({_I.verified, _I.dismissed}),
        _I.verified: frozenset({_I.responding}),
        _I.responding: frozenset({_I.contained}),
        _I.contained: frozenset({_I.closed}),
        _I.closed: frozenset(),
        _I.dismissed: frozenset(),
    }
)
INCIDENT_FINAL: frozenset[IncidentStatus] = frozenset(s for s, nxt in INCIDENT_TRANSITIONS.items() if not nxt)

DISPATCH_TRANSITIONS: Mapping[DispatchStatus, frozenset[DispatchStatus]] = MappingProxyType(
    {
        _D.dispatched: frozenset({_D.acknowledged, _D.cancelled}),
        _D.acknowledged: frozenset({_D.en_route, _D.cancelled}),
        _D.en_route: frozenset({_D.on_scene}),
        _D.on_scene: frozenset({_D.released}),
        _D.released: frozenset(),
        _D.cancelled: frozenset(),
    }
)
DISPATCH_FINAL: frozenset[DispatchStatus] = frozenset(s for s, nxt in DISPATCH_TRANSITIONS.items() if not nxt)

ACTIVE_DISPATCH_STATUSES: frozenset[DispatchStatus] = frozenset(DispatchStatus) - DISPATCH_FINAL
"""A dispatch in one of these holds its team: the team cannot be sent elsewhere."""

# Dispatch status drives team status (§5). Acknowledging does not move the team:
# it is still at its base, committed but not yet rolling.
TEAM_STATUS_FOR_DISPATCH: Mapping[DispatchStatus, TeamStatus] = MappingProxyType(
    {
        _D.dispatched: TeamStatus.dispatched,
        _D.acknowledged: TeamStatus.dispatched,
        _D.en_route: TeamStatus.en_route,
        _D.on_scene: TeamStatus.on_scene,
        _D.released: TeamStatus.available,
        _D.cancelled: TeamStatus.available,
    }
)

# The Dispatch column stamped when a dispatch enters each status; turnout and
# travel times (board, drill report) are differences of these.
DISPATCH_TIMESTAMP_FIELD: Mapping[DispatchStatus, str] = MappingProxyType({s: f"{s.value}_at" for s in DispatchStatus})
# Who moved a dispatch into each later status; `dispatched` is the dispatch's own `actor`.
DISPATCH_ACTOR_FIELD: Mapping[DispatchStatus, str] = MappingProxyType(
    {s: f"{s.value}_by" for s in DispatchStatus if s is not DispatchStatus.dispatched}
)


def allowed_incident(current: IncidentStatus) -> list[str]:
    """The statuses an incident may move to next, sorted, as wire values."""
    return sorted(s.value for s in INCIDENT_TRANSITIONS[current])


def allowed_dispatch(current: DispatchStatus) -> list[str]:
    """The statuses a dispatch may move to next, sorted, as wire values."""
    return sorted(s.value for s in DISPATCH_TRANSITIONS[current])


def can_incident(current: IncidentStatus, target: IncidentStatus) -> bool:
    return target in INCIDENT_TRANSITIONS[current]


def can_dispatch(current: DispatchStatus, target: DispatchStatus) -> bool:
    return target in DISPATCH_TRANSITIONS[current]


def casualties_editable(status: IncidentStatus) -> bool:
    """Casualties (and so the grade) may change until the incident is closed; a dismissed false alarm has none."""
    return status not in INCIDENT_FINAL
