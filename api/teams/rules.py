"""Which team statuses a person may set by hand; the rest follow dispatches (DESIGN §5)."""

from resources_db.enums import TeamStatus

MANUAL_TRANSITIONS: dict[TeamStatus, frozenset[TeamStatus]] = {
    TeamStatus.available: frozenset({TeamStatus.out_of_service}),
    TeamStatus.out_of_service: frozenset({TeamStatus.available}),
    TeamStatus.returning: frozenset({TeamStatus.available, TeamStatus.out_of_service}),
    TeamStatus.dispatched: frozenset(),
    TeamStatus.en_route: frozenset(),
    TeamStatus.on_scene: frozenset(),
}


def allowed_manual(current: TeamStatus) -> list[str]:
    return sorted(s.value for s in MANUAL_TRANSITIONS[current])
