"""The event envelope (DESIGN §9): topic mapping and the render/parse round trip."""

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from realtime.envelope import TOPICS, Event, iso, render, topics_for


@pytest.mark.parametrize(
    ("type_", "data", "expected"),
    [
        ("incident.created", {"id": 7}, {"incidents", "incident:7"}),
        ("incident.status_changed", {"id": 7, "team_id": None}, {"incidents", "incident:7"}),
        ("dispatch.created", {"id": 3, "incident_id": 7, "team_id": 2}, {"dispatches", "incident:7", "team:2"}),
        ("team.status_changed", {"id": 2, "status": "dispatched"}, {"teams", "team:2"}),
        ("agreement.created", {"id": 9, "team_id": 2}, {"teams", "team:2"}),
        ("mutual_aid.requested", {"id": 4, "incident_id": 7}, {"incidents", "incident:7"}),
        ("escalation.due", {"id": 5, "incident_id": 7}, {"escalations", "incident:7"}),
        ("supply.changed", {"id": 1, "depot_id": 3}, {"supplies"}),
        ("drill.started", {"id": 11, "name": "typhoon"}, {"drills"}),
    ],
)
def test_topics_for_maps_the_type_prefix_and_the_ids_it_concerns(type_, data, expected) -> None:
    assert topics_for(type_, data) == frozenset(expected)


def test_an_incident_event_is_not_filed_under_another_incident_or_team() -> None:
    # An incident's own `id` names the incident; a dispatch's `id` is the dispatch, not an incident.
    assert "incident:3" not in topics_for("dispatch.created", {"id": 3, "incident_id": 7})
    assert "team:7" not in topics_for("incident.created", {"id": 7})
    assert topics_for("incident.updated", {"id": 7}) <= TOPICS | {"incident:7"}


def test_every_board_topic_is_reachable_from_some_prefix() -> None:
    assert frozenset({"incidents", "dispatches", "teams", "supplies", "escalations", "drills"}) <= TOPICS


def test_render_parse_round_trip_keeps_the_text_and_the_routing_fields() -> None:
    at = datetime(2024, 8, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    data = {"id": 42, "title": "雷州 港口 火灾", "team_id": 5}
    text = render(seq=1234, epoch="e1", type_="incident.created", at=at, drill_id=None, data=data)

    event = Event.parse(text)

    assert (event.seq, event.epoch, event.type, event.drill_id) == (1234, "e1", "incident.created", None)
    assert event.text == text
    assert event.topics == frozenset({"incidents", "incident:42", "team:5"})
    raw = orjson.loads(text)
    assert raw == {
        "seq": 1234,
        "epoch": "e1",
        "type": "incident.created",
        "at": "2024-08-01T01:30:15.123456Z",
        "drill_id": None,
        "data": data,
    }
    assert list(raw) == ["seq", "epoch", "type", "at", "drill_id", "data"]


def test_render_keeps_the_drill_id_and_parse_reads_it() -> None:
    text = render(seq=1, epoch="e", type_="incident.created", at=datetime.now(UTC), drill_id=9, data={"id": 1})
    assert Event.parse(text).drill_id == 9


def test_iso_is_utc_with_a_z_suffix() -> None:
    assert iso(datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))) == "2024-01-01T00:00:00Z"
