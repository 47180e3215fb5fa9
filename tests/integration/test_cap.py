"""GET /incidents/{id}/cap: a CAP 1.2 alert that the OASIS schema accepts, for real and drill incidents."""

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]  # no stubs; a test-only dependency

from resources_db.models import Drill
from tests.factories import auth, ok
from tests.workflow_factories import make_incident

XSD = Path(__file__).resolve().parents[1] / "schemas" / "cap-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")

Headers = dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def fetch_cap(client: TestClient, headers: dict[str, str], incident_id: int) -> Any:
    r = client.get(f"/api/v1/incidents/{incident_id}/cap", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/cap+xml"
    return etree.fromstring(r.content)


def text(doc: Any, path: str) -> str:
    found = doc.findtext(path, namespaces=NS)
    assert found is not None, f"no {path}"
    return str(found)


def test_real_incident_is_a_valid_actual_alert(
    client: TestClient, tokens: dict[str, str], headers: Headers, schema: etree.XMLSchema
) -> None:
    incident = make_incident(
        client,
        tokens["operator"],
        type="ammonia_leak",
        lat=20.61,
        lon=109.83,
        jurisdiction="leicheng",
        address="雷州市某冷库 (synthetic)",
        deaths=4,
    )

    doc = fetch_cap(client, headers["observer"], incident["id"])

    schema.assertValid(doc)
    assert text(doc, "cap:identifier") == f"ercp-leizhou-incident-{incident['id']}-v1"
    assert text(doc, "cap:sender") == "ercp@leizhou.example"
    assert CAP_TIME.match(text(doc, "cap:sent"))
    assert text(doc, "cap:status") == "Actual"
    assert text(doc, "cap:msgType") == "Alert"
    assert text(doc, "cap:scope") == "Public"
    assert text(doc, "cap:info/cap:category") == "CBRNE"
    assert text(doc, "cap:info/cap:event") == "液氨泄漏 Ammonia leak"
    assert text(doc, "cap:info/cap:urgency") == "Immediate"
    assert text(doc, "cap:info/cap:severity") == "Severe", "4 deaths is a major (较大) accident"
    assert text(doc, "cap:info/cap:certainty") == "Likely", "reported, not yet verified"
    assert text(doc, "cap:info/cap:headline") == incident["title"]
    assert "4 dead" in text(doc, "cap:info/cap:description")
    assert text(doc, "cap:info/cap:area/cap:circle") == "20.61,109.83 1.0"
    area = text(doc, "cap:info/cap:area/cap:areaDesc")
    assert "雷城街道" in area
    assert "Leicheng Street" in area
    assert "雷州市某冷库 (synthetic)" in area


def test_drill_incident_is_an_exercise(
    client: TestClient, tokens: dict[str, str], headers: Headers, schema: etree.XMLSchema, app: FastAPI
) -> None:
    with app.state.session_factory() as s:
        drill = Drill(name="CAP export drill (synthetic)", started_by="controller")
        s.add(drill)
        s.commit()
        drill_id = drill.id
    incident = make_incident(client, tokens["controller"], type="fire", lat=20.62, lon=109.84, drill_id=drill_id)

    doc = fetch_cap(client, headers["leader"], incident["id"])

    schema.assertValid(doc)
    assert text(doc, "cap:status") == "Exercise"
    assert text(doc, "cap:info/cap:category") == "Fire"
    assert text(doc, "cap:info/cap:severity") == "Moderate"


def test_status_changes_move_urgency_certainty_and_the_identifier(
    client: TestClient, tokens: dict[str, str], headers: Headers, schema: etree.XMLSchema
) -> None:
    incident = make_incident(client, tokens["operator"], type="landslide", lat=20.63, lon=109.85, serious_injuries=60)
    first = fetch_cap(client, headers["observer"], incident["id"])
    steps = {"verified": ("Immediate", "Observed"), "responding": ("Immediate", "Observed")}
    steps |= {"contained": ("Expected", "Observed"), "closed": ("Past", "Observed")}

    for status, (urgency, certainty) in steps.items():
        r = client.post(
            f"/api/v1/incidents/{incident['id']}/transitions", json={"status": status}, headers=headers["operator"]
        )
        version = ok(r)["version"]
        doc = fetch_cap(client, headers["observer"], incident["id"])
        schema.assertValid(doc)
        assert text(doc, "cap:identifier") == f"ercp-leizhou-incident-{incident['id']}-v{version}"
        assert (text(doc, "cap:info/cap:urgency"), text(doc, "cap:info/cap:certainty")) == (urgency, certainty)
        assert text(doc, "cap:info/cap:severity") == "Extreme", "60 serious injuries is a serious (重大) accident"
        assert text(doc, "cap:info/cap:category") == "Geo"
    assert text(first, "cap:identifier") != text(doc, "cap:identifier")
    assert text(first, "cap:sent") <= text(doc, "cap:sent")


def test_dismissed_report_has_unknown_severity_and_is_unlikely(
    client: TestClient, tokens: dict[str, str], headers: Headers, schema: etree.XMLSchema
) -> None:
    incident = make_incident(client, tokens["operator"], type="crowd_crush", lat=20.64, lon=109.86, deaths=12)
    url = f"/api/v1/incidents/{incident['id']}/transitions"
    ok(client.post(url, json={"status": "dismissed"}, headers=headers["operator"]))

    doc = fetch_cap(client, headers["observer"], incident["id"])

    schema.assertValid(doc)
    assert text(doc, "cap:info/cap:severity") == "Unknown"
    assert text(doc, "cap:info/cap:certainty") == "Unlikely"
    assert text(doc, "cap:info/cap:urgency") == "Past"


def test_unknown_incident_is_a_404_problem(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/api/v1/incidents/987654321/cap", headers=auth(tokens["observer"]))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/not-found")
