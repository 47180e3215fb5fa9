"""The mutual-aid request state machine (seed §12), as data: requested → approved | declined; approved → fulfilled."""

from collections.abc import Mapping
from types import MappingProxyType

from resources_db.enums import MutualAidStatus

_M = MutualAidStatus

TRANSITIONS: Mapping[MutualAidStatus, frozenset[MutualAidStatus]] = MappingProxyType(
    {
        _M.requested: frozenset({_M.approved, _M.declined}),
        _M.approved: frozenset({_M.fulfilled}),
        _M.declined: frozenset(),
        _M.fulfilled: frozenset(),
    }
)


def can(current: MutualAidStatus, wanted: MutualAidStatus) -> bool:
    return wanted in TRANSITIONS[current]


def allowed(current: MutualAidStatus) -> list[str]:
    """The states reachable from `current`, sorted, for the 409 answer."""
    return sorted(s.value for s in TRANSITIONS[current])
