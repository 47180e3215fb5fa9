"""The state machines of DESIGN §5 as data: every allowed move, forbidden samples, team status mapping."""

import itertools

import pytest

from api.rules.transitions import (
    ACTIVE_DISPATCH_STATUSES,
    DISPATCH_TIMESTAMP_FIELD,
    DISPATCH_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    TEAM_STATUS_FOR_DISPATCH,
    allowed_dispatch,
    allowed_incident,
    can_dispatch,
    can_incident,
    casualties_editable,
)
from resources_db.enums import DispatchStatus, IncidentStatus, TeamStatus

IS, DS = IncidentStatus, DispatchStatus

INCIDENT_ALLOWED = {
    (IS.reported, IS.verified),
    (IS.reported, IS.dismissed),
    (IS.verified, IS.responding),
    (IS.responding, IS.contained),
    (IS.contained, IS.closed),
}
DISPATCH_ALLOWED = {
    (DS.dispatched, DS.acknowledged),
    (DS.dispatched, DS.cancelled),
    (DS.acknowledged, DS.en_route),
    (DS.acknowledged, DS.cancelled),
    (DS.en_route, DS.on_scene),
    (DS.on_scene, DS.released),
}


@pytest.mark.parametrize(("a", "b"), list(itertools.product(IncidentStatus, repeat=2)))
def test_incident_moves_are_exactly_the_chain(a, b):
    assert can_incident(a, b) is ((a, b) in INCIDENT_ALLOWED)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(DispatchStatus, repeat=2)))
def test_dispatch_moves_are_exactly_the_chain(a, b):
    assert can_dispatch(a, b) is ((a, b) in DISPATCH_ALLOWED)


@pytest.mark.parametrize(
    ("a", "b"),
    [(IS.reported, IS.closed), (IS.verified, IS.dismissed), (IS.closed, IS.reported), (IS.contained, IS.responding)],
)
def test_sample_forbidden_incident_moves(a, b):
    assert not can_incident(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (DS.dispatched, DS.en_route),
        (DS.en_route, DS.cancelled),
        (DS.on_scene, DS.cancelled),
        (DS.released, DS.dispatched),
    ],
)
def test_sample_forbidden_dispatch_moves(a, b):
    assert not can_dispatch(a, b)


def test_allowed_lists_are_sorted_wire_values():
    assert allowed_incident(IS.reported) == ["dismissed", "verified"]
    assert allowed_incident(IS.contained) == ["closed"]
    assert allowed_dispatch(DS.dispatched) == ["acknowledged", "cancelled"]
    assert allowed_dispatch(DS.acknowledged) == ["cancelled", "en_route"]


def test_final_states_allow_nothing():
    assert allowed_incident(IS.closed) == allowed_incident(IS.dismissed) == []
    assert allowed_dispatch(DS.released) == allowed_dispatch(DS.cancelled) == []


def test_every_status_has_an_entry():
    assert set(INCIDENT_TRANSITIONS) == set(IncidentStatus)
    assert set(DISPATCH_TRANSITIONS) == set(DispatchStatus)


def test_team_status_covers_every_dispatch_status():
    assert set(TEAM_STATUS_FOR_DISPATCH) == set(DispatchStatus)
    assert TEAM_STATUS_FOR_DISPATCH[DS.acknowledged] is TeamStatus.dispatched
    assert TEAM_STATUS_FOR_DISPATCH[DS.released] is TEAM_STATUS_FOR_DISPATCH[DS.cancelled] is TeamStatus.available
    assert TEAM_STATUS_FOR_DISPATCH[DS.on_scene] is TeamStatus.on_scene


def test_timestamp_fields_name_the_dispatch_columns():
    assert DISPATCH_TIMESTAMP_FIELD[DS.acknowledged] == "acknowledged_at"
    assert DISPATCH_TIMESTAMP_FIELD[DS.en_route] == "en_route_at"
    assert set(DISPATCH_TIMESTAMP_FIELD) == set(DispatchStatus)


def test_active_dispatches_are_the_non_final_ones():
    assert frozenset({DS.dispatched, DS.acknowledged, DS.en_route, DS.on_scene}) == ACTIVE_DISPATCH_STATUSES


@pytest.mark.parametrize("status", list(IncidentStatus))
def test_casualties_editable_until_closed_or_dismissed(status):
    assert casualties_editable(status) is (status not in {IS.closed, IS.dismissed})
