"""C0 control characters (other than tab, LF, CR) are refused with 422 in every text field and CSV cell:
stored, they broke CAP's XML and reached CSV readers and terminals."""

import json
import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import World
from tests.factories import ok, unique
from tests.workflow_factories import assert_problem, error_fields, incident_body, make_incident, row_counts

BAD = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ud800", "\uffff"]
IDS = ["nul", "soh", "bs", "vt", "ff", "esc", "us", "lone-surrogate", "non-character"]
TEAM_HEADER = "id,name,kind,capabilities,personnel,home_jurisdiction,base_lat,base_lon,status,contact_phone"
SUPPLY_HEADER = "depot_id,category,name,unit,quantity_on_hand"


@pytest.mark.parametrize("char", BAD, ids=IDS)
def test_a_control_character_in_a_json_text_field_is_a_422_and_nothing_is_stored(
    app: FastAPI, client: TestClient, headers, char: str
) -> None:
    before = row_counts(app)
    # json.dumps escapes every such character (\u0000, \ud800), as a client's JSON encoder may.
    h = {**headers["operator"], "Content-Type": "application/json"}
    r = client.post("/api/v1/incidents", content=json.dumps(incident_body(title=f"fire{char}at the port")), headers=h)
    assert error_fields(assert_problem(r, 422)) == ["body.title"]
    r = client.post("/api/v1/incidents", content=json.dumps(incident_body(address=f"No. 1{char} Road")), headers=h)
    assert error_fields(assert_problem(r, 422)) == ["body.address"]
    assert row_counts(app) == before


def test_a_control_character_in_a_patch_is_refused_and_the_incident_is_unchanged(
    client: TestClient, tokens, headers
) -> None:
    incident = make_incident(client, tokens["operator"])
    url = f"/api/v1/incidents/{incident['id']}"
    r = client.patch(
        url, json={"title": "x\x07y"}, headers={**headers["operator"], "If-Match": f'"{incident["version"]}"'}
    )
    assert error_fields(assert_problem(r, 422)) == ["body.title"]
    assert ok(client.get(url, headers=headers["operator"]))["version"] == incident["version"]


@pytest.mark.parametrize("char", ["\x00", "\x1b"], ids=["nul", "esc"])
def test_a_control_character_in_a_team_csv_cell_is_a_422(
    app: FastAPI, client: TestClient, headers, world: World, char: str
) -> None:
    before = row_counts(app)
    line = f",{unique('csv-team')}{char},social,,6,leicheng,20.8,110.1,,"
    files = {"file": ("teams.csv", f"{TEAM_HEADER}\n{line}\n".encode(), "text/csv")}
    r = client.post("/api/v1/teams/import", files=files, headers=headers["operator"])
    body = assert_problem(r, 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "name")]
    assert row_counts(app) == before


def test_a_control_character_in_a_supply_csv_cell_is_a_422(app: FastAPI, client: TestClient, headers, tokens) -> None:
    depot = ok(
        client.post(
            "/api/v1/depots",
            json={"name": unique("depot"), "jurisdiction": "leicheng", "lat": 20.9, "lon": 110.1, "operator": "gov"},
            headers=headers["operator"],
        ),
        201,
    )
    before = row_counts(app)
    line = f"{depot['id']},sandbags,bags\x00,bag,10"
    files = {"file": ("stock.csv", f"{SUPPLY_HEADER}\n{line}\n".encode(), "text/csv")}
    r = client.post("/api/v1/supply-items/import", files=files, headers=headers["operator"])
    body = assert_problem(r, 422)
    assert "name" in {e["field"] for e in body["errors"]}
    assert row_counts(app) == before


def test_tab_and_newlines_are_text_and_cap_stays_well_formed(client: TestClient, tokens, headers) -> None:
    incident = make_incident(client, tokens["operator"], title="fire\tnear the port", address="No. 1 Road\r\nLeicheng")
    r = client.get(f"/api/v1/incidents/{incident['id']}/cap", headers=headers["observer"])
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)  # noqa: S314 (our own output, parsed to prove it is well-formed)
    assert root.tag.endswith("alert")
    assert "fire\tnear the port" in r.text
