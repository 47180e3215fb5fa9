import csv
import io

import pytest
from fastapi.testclient import TestClient

from tests.factories import make_team, ok, unique
from tests.registry_factories import all_items, audit_rows, make_jurisdiction

EXPORT = "/api/v1/teams/export.csv"
IMPORT = "/api/v1/teams/import"
HEADER = "id,name,kind,capabilities,personnel,home_jurisdiction,base_lat,base_lon,status,contact_phone"


def upload(client: TestClient, headers: dict[str, str], data: bytes):
    return client.post(IMPORT, files={"file": ("teams.csv", data, "text/csv")}, headers=headers)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def team_count(client: TestClient, headers: dict[str, str]) -> int:
    return len(all_items(client, "/api/v1/teams", headers))


@pytest.fixture
def town(client: TestClient, tokens) -> str:
    """A jurisdiction of its own, so the teams a test makes are exactly those exported for it."""
    return str(make_jurisdiction(client, tokens["admin"])["code"])


def test_export_lists_the_filtered_teams_as_csv(client: TestClient, headers, tokens, town: str) -> None:
    a = make_team(
        client, tokens["operator"], home_jurisdiction=town, capabilities=["hazmat", "boat"], name="雷州危化队"
    )
    make_team(client, tokens["operator"], home_jurisdiction=town, kind="medical", capabilities=["medical"])
    r = client.get(EXPORT, params={"jurisdiction": town, "kind": "fire_rescue"}, headers=headers["observer"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.removeprefix("\ufeff").splitlines()[0] == HEADER
    [row] = rows_of(r.text)
    assert row == {
        "id": str(a["id"]),
        "name": "雷州危化队",
        "kind": "fire_rescue",
        "capabilities": "boat;hazmat",
        "personnel": "12",
        "home_jurisdiction": town,
        "base_lat": "20.91",
        "base_lon": "110.09",
        "status": "available",
        "contact_phone": "0759-8800000",
    }


def test_export_filters_by_status_and_capability(client: TestClient, headers, tokens, town: str) -> None:
    a = make_team(client, tokens["operator"], home_jurisdiction=town, capabilities=["diving"])
    b = make_team(client, tokens["operator"], home_jurisdiction=town, capabilities=["diving", "boat"])
    ok(client.post(f"/api/v1/teams/{b['id']}/status", json={"status": "out_of_service"}, headers=headers["operator"]))

    def names(**params: object) -> list[str]:
        r = client.get(EXPORT, params={"jurisdiction": town, **params}, headers=headers["leader"])
        return [row["name"] for row in rows_of(r.text)]

    assert names() == [a["name"], b["name"]]
    assert names(status="out_of_service") == [b["name"]]
    assert names(capability=["diving", "boat"]) == [b["name"]]


def test_round_trip_leaves_teams_unchanged_and_one_edited_cell_updates_one_team(
    client: TestClient, headers, tokens, town: str
) -> None:
    teams = [make_team(client, tokens["operator"], home_jurisdiction=town, personnel=10 + i) for i in range(3)]
    exported = client.get(EXPORT, params={"jurisdiction": town}, headers=headers["operator"]).content
    assert ok(upload(client, headers["operator"], exported)) == {"created": 0, "updated": 0, "unchanged": 3}
    for t in teams:
        assert ok(client.get(f"/api/v1/teams/{t['id']}", headers=headers["operator"]))["version"] == t["version"]

    rows = rows_of(exported.decode("utf-8"))
    rows[1]["personnel"] = "42"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER.split(","))
    writer.writeheader()
    writer.writerows(rows)
    assert ok(upload(client, headers["operator"], out.getvalue().encode())) == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }
    after = {t["id"]: ok(client.get(f"/api/v1/teams/{t['id']}", headers=headers["operator"])) for t in teams}
    assert after[teams[1]["id"]]["personnel"] == 42
    assert after[teams[1]["id"]]["version"] == teams[1]["version"] + 1
    assert [after[t["id"]]["version"] for t in (teams[0], teams[2])] == [teams[0]["version"], teams[2]["version"]]
    [update] = [
        a for a in audit_rows(client, headers["admin"], "rescue_team", teams[1]["id"]) if a["action"] == "team.update"
    ]
    assert (update["actor"], update["before"], update["after"]) == ("operator", {"personnel": 11}, {"personnel": 42})


def test_import_creates_unknown_names_as_available_and_ignores_the_status_column(
    client: TestClient, headers, town: str
) -> None:
    name = unique("imported")
    data = f"{HEADER}\n,{name},water_rescue,boat;diving,8,{town},20.7,110.2,on_scene,\n".encode()
    assert ok(upload(client, headers["admin"], data)) == {"created": 1, "updated": 0, "unchanged": 0}
    [team] = [t for t in all_items(client, "/api/v1/teams", headers["admin"], jurisdiction=town) if t["name"] == name]
    assert (team["status"], team["capabilities"], team["contact_phone"]) == ("available", ["boat", "diving"], None)
    [row] = audit_rows(client, headers["admin"], "rescue_team", team["id"])
    assert row["action"] == "team.create"


def test_bad_rows_are_all_reported_by_line_and_nothing_is_written(
    client: TestClient, headers, tokens, town: str
) -> None:
    existing = make_team(client, tokens["operator"], home_jurisdiction=town, personnel=5)
    count = team_count(client, headers["operator"])
    new_name = unique("never-created")
    lines = [
        HEADER,
        f",{new_name},social,,6,{town},20.8,110.1,,",  # line 2: good, would be created
        f",{unique('bad-kind')},spaceship,,6,{town},20.8,110.1,,",  # line 3
        f",{unique('bad-lat')},social,,6,{town},123,110.1,,",  # line 4
        f",{existing['name']},fire_rescue,fire_suppression;medical,99,{town},20.91,110.09,,",  # line 5: good update
        f",{unique('bad-place')},social,,6,atlantis,20.8,110.1,,",  # line 6
    ]
    r = upload(client, headers["operator"], "\n".join(lines).encode())
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    errors = {(e["line"], e["field"]) for e in r.json()["errors"]}
    assert errors == {(3, "kind"), (4, "base_lat"), (6, "home_jurisdiction")}
    assert "'fire_rescue'" in next(e["message"] for e in r.json()["errors"] if e["line"] == 3)
    assert team_count(client, headers["operator"]) == count
    assert ok(client.get(f"/api/v1/teams/{existing['id']}", headers=headers["operator"])) == existing


def test_a_name_twice_in_one_file_is_refused_on_its_second_line(client: TestClient, headers, town: str) -> None:
    name = unique("twice")
    row = f",{name},social,,6,{town},20.8,110.1,,"
    count = team_count(client, headers["operator"])
    r = upload(client, headers["operator"], f"{HEADER}\n{row}\n{row}\n".encode())
    assert r.status_code == 422
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(3, "name")]
    assert team_count(client, headers["operator"]) == count


def test_non_utf8_file_is_refused(client: TestClient, headers, town: str) -> None:
    count = team_count(client, headers["operator"])
    data = f"{HEADER}\n,雷州消防队{unique('gbk')},fire_rescue,,6,{town},20.8,110.1,,\n".encode("gbk")
    r = upload(client, headers["operator"], data)
    assert r.status_code == 422
    assert "UTF-8" in r.json()["detail"]
    assert team_count(client, headers["operator"]) == count


def test_missing_required_column_is_refused(client: TestClient, headers, town: str) -> None:
    count = team_count(client, headers["operator"])
    data = f"name,kind,home_jurisdiction,base_lat,base_lon\n{unique('x')},social,{town},20.8,110.1\n".encode()
    r = upload(client, headers["operator"], data)
    assert r.status_code == 422
    assert {"line": 1, "field": "personnel", "message": "required column missing"} in r.json()["errors"]
    assert team_count(client, headers["operator"]) == count


def test_upload_without_a_file_field_is_refused(client: TestClient, headers) -> None:
    r = client.post(IMPORT, data={"other": "x"}, headers=headers["operator"])
    assert r.status_code == 422
    assert any(e["field"] == "body.file" for e in r.json()["errors"])


@pytest.mark.parametrize("role", ["observer", "leader", "controller"])
def test_only_library_writers_import(client: TestClient, headers, role: str, town: str) -> None:
    count = team_count(client, headers["operator"])
    data = f"{HEADER}\n,{unique('sneaky')},social,,6,{town},20.8,110.1,,\n".encode()
    assert upload(client, headers[role], data).status_code == 403
    assert team_count(client, headers["operator"]) == count


def test_optional_columns_left_out_keep_stored_values_and_empty_cells_clear_them(
    client: TestClient, headers, tokens, town: str
) -> None:
    team = make_team(client, tokens["operator"], home_jurisdiction=town, capabilities=["boat"])
    without = (
        f"name,kind,personnel,home_jurisdiction,base_lat,base_lon\n{team['name']},fire_rescue,30,{town},20.91,110.09\n"
    )
    assert ok(upload(client, headers["operator"], without.encode()))["updated"] == 1
    kept = ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["operator"]))
    assert (kept["personnel"], kept["capabilities"], kept["contact_phone"]) == (30, ["boat"], "0759-8800000")
    emptied = f"{HEADER}\n,{team['name']},fire_rescue,,30,{town},20.91,110.09,,\n"
    assert ok(upload(client, headers["operator"], emptied.encode()))["updated"] == 1
    cleared = ok(client.get(f"/api/v1/teams/{team['id']}", headers=headers["operator"]))
    assert (cleared["capabilities"], cleared["contact_phone"]) == ([], None)


def test_a_cell_beyond_the_csv_field_limit_is_a_422_not_a_server_error(client: TestClient, headers, town: str) -> None:
    count = team_count(client, headers["operator"])
    data = f'{HEADER}\n,"{"x" * 140_000}",social,,6,{town},20.8,110.1,,\n'.encode()
    r = upload(client, headers["operator"], data)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert team_count(client, headers["operator"]) == count
