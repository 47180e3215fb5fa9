"""The CAP 1.2 mapping tables and the pure renderer (no database)."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.cap import mapping
from api.cap.render import CAP_NS, AlertInput, cap_datetime, circle, render
from resources_db.enums import IncidentStatus, IncidentType, Severity

# CAP 1.2 §3.2.2 value lists.
CATEGORIES = {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE"}
CATEGORIES |= {"Other"}
URGENCIES = {"Immediate", "Expected", "Future", "Past", "Unknown"}
SEVERITIES = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
CERTAINTIES = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
NS = {"cap": CAP_NS}

ALERT = AlertInput(
    incident_id=7,
    version=3,
    title="客路镇仓库火灾 (synthetic)",
    type=IncidentType.fire,
    status=IncidentStatus.responding,
    severity=Severity.major,
    lat=20.912345678,
    lon=110.08,
    address=None,
    jurisdiction_zh="客路镇",
    jurisdiction_en="Kelu Town",
    deaths=3,
    serious_injuries=1,
    direct_loss_cny=2_500_000,
    drill_id=None,
    sent=datetime(2026, 11, 30, 2, 0, 0, 123456, tzinfo=UTC),
    sender="ercp@leizhou.example",
    sender_name="雷州市应急管理局",
    radius_km=1.0,
)


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 (our own renderer's output, not untrusted input)


def test_every_incident_type_has_a_cap_category_and_a_bilingual_event() -> None:
    for t in IncidentType:
        assert mapping.category(t) in CATEGORIES
        zh, en = mapping.EVENT[t]
        assert zh
        assert en
        assert mapping.event(t) == f"{zh} {en}"


@pytest.mark.parametrize(
    ("incident_type", "cap_category"),
    [
        ("fire", "Fire"),
        ("hazchem_leak", "CBRNE"),
        ("ammonia_leak", "CBRNE"),
        ("fireworks_explosion", "CBRNE"),
        ("road_traffic", "Transport"),
        ("typhoon_flood", "Met"),
        ("landslide", "Geo"),
        ("water_rescue", "Rescue"),
        ("mine", "Safety"),
        ("construction_collapse", "Safety"),
        ("special_equipment", "Safety"),
        ("crowd_crush", "Safety"),
        ("gas_pipeline", "Infra"),
        ("other", "Other"),
    ],
)
def test_incident_type_maps_to_cap_category(incident_type: str, cap_category: str) -> None:
    assert mapping.category(IncidentType(incident_type)) == cap_category


@pytest.mark.parametrize(
    ("status", "urgency", "certainty"),
    [
        ("reported", "Immediate", "Likely"),
        ("verified", "Immediate", "Observed"),
        ("responding", "Immediate", "Observed"),
        ("contained", "Expected", "Observed"),
        ("closed", "Past", "Observed"),
        ("dismissed", "Past", "Unlikely"),
    ],
)
def test_status_maps_to_urgency_and_certainty(status: str, urgency: str, certainty: str) -> None:
    assert mapping.urgency(IncidentStatus(status)) == urgency
    assert mapping.certainty(IncidentStatus(status)) == certainty


@pytest.mark.parametrize(
    ("grade", "cap_severity"),
    [("especially_serious", "Extreme"), ("serious", "Extreme"), ("major", "Severe"), ("ordinary", "Moderate")],
)
def test_grade_maps_to_cap_severity_unless_dismissed(grade: str, cap_severity: str) -> None:
    assert mapping.severity(Severity(grade), IncidentStatus.responding) == cap_severity
    assert mapping.severity(Severity(grade), IncidentStatus.dismissed) == "Unknown"


def test_tables_use_cap_vocabularies_only_and_cover_every_value() -> None:
    assert set(mapping.URGENCY) == set(IncidentStatus)
    assert set(mapping.CERTAINTY) == set(IncidentStatus)
    assert set(mapping.SEVERITY) == set(Severity)
    assert set(mapping.URGENCY.values()) <= URGENCIES
    assert set(mapping.SEVERITY.values()) <= SEVERITIES
    assert set(mapping.CERTAINTY.values()) <= CERTAINTIES


def test_drill_incidents_are_exercises() -> None:
    assert mapping.alert_status(None) == "Actual"
    assert mapping.alert_status(4) == "Exercise"


def test_cap_time_has_seconds_and_an_offset_never_z() -> None:
    assert cap_datetime(datetime(2026, 11, 30, 2, 0, 0, 999999, tzinfo=UTC)) == "2026-11-30T10:00:00+08:00"
    assert cap_datetime(datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5)))) == "2026-01-01T13:00:00+08:00"
    with pytest.raises(ValueError, match="naive"):
        cap_datetime(datetime(2026, 1, 1))


def test_circle_is_lat_comma_lon_space_radius() -> None:
    assert circle(20.5, 109.75, 1.0) == "20.5,109.75 1.0"
    assert circle(20.912345678, 110.08, 2) == "20.912346,110.08 2.0"


def test_render_puts_the_mapped_values_in_schema_order() -> None:
    root = parse(render(ALERT))
    assert root.tag == f"{{{CAP_NS}}}alert"
    assert [child.tag.split("}")[1] for child in root] == [
        "identifier",
        "sender",
        "sent",
        "status",
        "msgType",
        "scope",
        "incidents",
        "info",
    ]
    assert root.findtext("cap:identifier", namespaces=NS) == "ercp-leizhou-incident-7-v3"
    assert root.findtext("cap:sent", namespaces=NS) == "2026-11-30T10:00:00+08:00"
    assert root.findtext("cap:info/cap:severity", namespaces=NS) == "Severe"
    assert root.findtext("cap:info/cap:area/cap:areaDesc", namespaces=NS) == "客路镇 Kelu Town"
    assert root.findtext("cap:info/cap:area/cap:circle", namespaces=NS) == "20.912346,110.08 1.0"


def test_render_marks_a_drill_as_exercise_with_a_note() -> None:
    root = parse(render(replace(ALERT, drill_id=9, address="北和镇 (synthetic)")))
    assert root.findtext("cap:status", namespaces=NS) == "Exercise"
    assert root.findtext("cap:note", namespaces=NS) == "演练 Exercise: drill 9"
    assert root.findtext("cap:info/cap:area/cap:areaDesc", namespaces=NS) == "客路镇 Kelu Town, 北和镇 (synthetic)"
