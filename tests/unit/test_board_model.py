"""The board's rules without a browser: ordering, overdue alarms, tiles, countdowns, labels, request bodies."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard import model
from dashboard.i18n import LANGUAGES, messages, translate
from dashboard.intake_form import incident_body, key_for
from dashboard.map import build_deck, fit_view, incident_points
from dashboard.render import escalation_rows as render_escalations
from dashboard.render import incident_rows

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def test_incidents_sort_by_grade_then_longest_running():
    rows = [
        {"id": 1, "severity": "ordinary", "reported_at": iso(NOW - timedelta(hours=3))},
        {"id": 2, "severity": "serious", "reported_at": iso(NOW - timedelta(minutes=5))},
        {"id": 3, "severity": "serious", "reported_at": iso(NOW - timedelta(minutes=50))},
        {"id": 4, "severity": "especially_serious", "reported_at": iso(NOW)},
    ]
    assert [r["id"] for r in model.sort_incidents(rows)] == [4, 3, 2, 1]


@pytest.mark.parametrize(
    ("dispatch", "expected"),
    [
        ({"status": "dispatched", "dispatched_at": iso(NOW - timedelta(minutes=1))}, None),
        (
            {"status": "dispatched", "dispatched_at": iso(NOW - timedelta(minutes=3))},
            ("acknowledge", model.Alarm.amber),
        ),
        ({"status": "acknowledged", "dispatched_at": iso(NOW - timedelta(minutes=11))}, ("turnout", model.Alarm.red)),
        ({"status": "en_route", "en_route_at": iso(NOW - timedelta(minutes=31))}, ("travel", model.Alarm.amber)),
        ({"status": "on_scene", "dispatched_at": iso(NOW - timedelta(hours=5))}, None),
        # An unusable timestamp raises no alarm: the board would be inventing information.
        ({"status": "dispatched", "dispatched_at": "not a time"}, None),
        ({"status": "en_route", "en_route_at": None}, None),
    ],
)
def test_dispatch_alarm(dispatch, expected):
    found = model.dispatch_alarm({"team_id": 1, "incident_id": 1, **dispatch}, NOW)
    assert (None if found is None else (found.stage, found.alarm)) == expected


def test_overdue_red_before_amber_then_longest():
    rows = [
        {
            "id": 1,
            "team_id": 1,
            "incident_id": 1,
            "status": "dispatched",
            "dispatched_at": iso(NOW - timedelta(minutes=3)),
        },
        {
            "id": 2,
            "team_id": 2,
            "incident_id": 1,
            "status": "en_route",
            "en_route_at": iso(NOW - timedelta(minutes=70)),
        },
        {
            "id": 3,
            "team_id": 3,
            "incident_id": 1,
            "status": "dispatched",
            "dispatched_at": iso(NOW - timedelta(minutes=3.5)),
        },
    ]
    assert [o.dispatch["id"] for o in model.overdue_dispatches(rows, NOW)] == [2, 3, 1]


def test_team_tiles_group_statuses():
    counts = {"available": 5, "dispatched": 1, "en_route": 2, "on_scene": 3, "returning": 1, "out_of_service": 4}
    assert model.team_tiles(counts) == {"available": 5, "committed": 7, "out_of_service": 4}


def test_escalations_late_first_reported_dropped_and_deduplicated():
    late = {"id": 1, "incident_id": 1, "level": "county", "due_at": iso(NOW - timedelta(minutes=5)), "late": True}
    soon = {"id": 2, "incident_id": 2, "level": "city", "due_at": iso(NOW + timedelta(minutes=5)), "late": False}
    later = {"id": 3, "incident_id": 2, "level": "county", "due_at": iso(NOW + timedelta(minutes=50)), "late": False}
    done = {**soon, "id": 4, "reported_at": iso(NOW)}
    rows = model.escalation_rows({"late": [late], "due": [later, late, soon, done]}, NOW)
    assert [(r["id"], r["late"], r["seconds_left"]) for r in rows] == [
        (1, True, -300),
        (2, False, 300),
        (3, False, 3000),
    ]


def test_countdown_keeps_its_sign():
    assert model.format_countdown(3909) == "1:05:09"
    assert model.format_countdown(-190) == "-0:03:10"


def test_incident_set_key_changes_only_with_the_set():
    a = [{"id": 2, "title": "x"}, {"id": 1, "title": "y"}]
    assert model.incident_set_key(a) == model.incident_set_key([{"id": 1, "title": "z"}, {"id": 2}])
    assert model.incident_set_key(a) != model.incident_set_key([{"id": 1}])


def test_every_label_exists_in_both_languages():
    keys = {lang: set(messages(lang)) for lang in LANGUAGES}
    assert keys["zh"] == keys["en"], keys["zh"] ^ keys["en"]
    assert all(messages(lang)[k].strip() for lang in LANGUAGES for k in keys[lang])


def test_every_key_the_code_asks_for_exists():
    used: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 50
    missing = sorted(k for k in used if k not in messages("en"))
    assert not missing


def test_enum_label_groups_cover_every_value():
    from resources_db.enums import IncidentType, RiskLevel, Severity, TeamStatus

    for lang in LANGUAGES:
        for group, enum in (
            ("severity", Severity),
            ("incident_type", IncidentType),
            ("risk", RiskLevel),
            ("team_status", TeamStatus),
        ):
            assert {f"{group}.{v.value}" for v in enum} <= set(messages(lang)), (lang, group)


def test_translate_formats_values():
    assert translate("en", "incident.dispatched_set", n=3) == "3 team(s) dispatched."
    assert translate("zh", "no.such.key") == "no.such.key"


def test_intake_body_from_hazard_takes_its_place_and_id():
    hazard = {"id": 7, "lat": 20.9, "lon": 110.1}
    body = incident_body(
        title=" 泄漏 ",
        type_="ammonia_leak",
        lat=None,
        lon=None,
        hazard=hazard,
        address="",
        deaths=0,
        serious_injuries=2,
    )
    assert body == {
        "title": "泄漏",
        "type": "ammonia_leak",
        "lat": 20.9,
        "lon": 110.1,
        "deaths": 0,
        "serious_injuries": 2,
        "hazard_source_id": 7,
    }


def test_intake_body_needs_a_place():
    with pytest.raises(ValueError, match="place"):
        incident_body(
            title="x", type_="fire", lat=None, lon=None, hazard=None, address="", deaths=0, serious_injuries=0
        )


def test_map_uses_the_local_blank_style_and_labels_grades_in_text():
    points = incident_points(
        [{"id": 1, "title": "火灾", "severity": "serious", "lat": 20.9, "lon": 110.1}], {"serious": "重大"}
    )
    assert points[0]["label"] == "Ⅱ 火灾"
    assert "重大" in points[0]["tip"]
    deck = build_deck(incidents=points, teams=[], hazards=[], depots=[], places=[], view=fit_view(points))
    spec = deck.to_json()
    assert "/app/static/blank-style.json" in spec
    assert not re.search(r"https?://", spec), "the map spec names an external host"


def test_fit_view_centres_on_the_points():
    view = fit_view([{"lat": 20.0, "lon": 110.0}, {"lat": 20.2, "lon": 110.2}])
    assert view["latitude"] == pytest.approx(20.1)
    assert view["longitude"] == pytest.approx(110.1)
    assert fit_view([])["zoom"] < view["zoom"]


def test_rendered_rows_escape_titles_and_mark_drills():
    labels = {"severity": {"major": "较大"}, "incident_type": {}, "incident_status": {}}
    rows = incident_rows(
        [
            {
                "id": 5,
                "title": "<b>x</b>",
                "severity": "major",
                "type": "fire",
                "status": "reported",
                "reported_at": iso(NOW - timedelta(minutes=7)),
                "jurisdiction": "leicheng",
                "is_drill": True,
            }
        ],
        {5: ["队 (en_route)"]},
        NOW,
        labels,
        "演练",
    )
    html = "".join(rows[0])
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "较大" in html
    assert "演练" in html
    assert "7m" in html


def test_late_escalation_says_late_in_words():
    rows = render_escalations(
        [{"id": 1, "incident_id": 3, "level": "county", "due_at": iso(NOW), "seconds_left": -60, "late": True}],
        {"county": "县级"},
        "已超时",
    )
    assert "已超时" in rows[0][2]
    assert "-0:01:00" in rows[0][2]


def test_intake_key_follows_the_body():
    from itertools import count

    keys: dict[str, str] = {}
    n = count()
    new = lambda: f"k{next(n)}"  # noqa: E731
    a = key_for(keys, {"title": "a", "lat": 1.0}, new)
    assert key_for(keys, {"lat": 1.0, "title": "a"}, new) == a
    assert key_for(keys, {"title": "b", "lat": 1.0}, new) != a
    for i in range(30):
        key_for(keys, {"title": str(i)}, new)
    assert len(keys) == 20


def test_assigned_teams_name_active_dispatches_only():
    rows = [
        {"incident_id": 1, "team_id": 7, "status": "en_route"},
        {"incident_id": 1, "team_id": 8, "status": "released"},
        {"incident_id": 2, "team_id": 9, "status": "dispatched"},
    ]
    assert model.assigned_teams(rows, {7: "雷城消防站"}, {"en_route": "途中"}) == {
        1: ["雷城消防站 (途中)"],
        2: ["#9 (dispatched)"],
    }
