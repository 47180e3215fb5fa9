"""Enterprises as CSV: an export imports back unchanged; one bad row (a wrong check character) writes nothing."""

import csv
import io

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.enterprise_factories import credit_code, make_enterprise, row_counts, with_wrong_check_character
from tests.factories import ok, unique
from tests.registry_factories import make_jurisdiction

URL = "/api/v1/enterprises"


def _import(client: TestClient, headers: dict[str, str], text: str):
    data = text.encode("utf-8")
    return client.post(f"{URL}/import", files={"file": ("enterprises.csv", data, "text/csv")}, headers=headers)


def _export(client: TestClient, headers: dict[str, str], **params: str) -> str:
    r = client.get(f"{URL}/export.csv", params=params, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    return str(r.content.decode("utf-8")).removeprefix("\ufeff")


def test_export_reimports_unchanged_and_an_edit_updates_by_credit_code(client: TestClient, headers, tokens) -> None:
    town = make_jurisdiction(client, tokens["admin"])["code"]
    a = make_enterprise(client, tokens["admin"], jurisdiction=town)
    b = make_enterprise(client, tokens["admin"], jurisdiction=town, category="crowded_place", sector="商场")
    text = _export(client, headers["observer"], jurisdiction=town)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["credit_code"] for r in rows] == [a["credit_code"], b["credit_code"]]
    assert ok(_import(client, headers["operator"], text)) == {"created": 0, "updated": 0, "unchanged": 2}

    rows[1]["category"] = "other"
    new_code = credit_code()
    rows.append({**rows[0], "id": "", "name": unique("新企业"), "credit_code": new_code})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert ok(_import(client, headers["operator"], out.getvalue())) == {"created": 1, "updated": 1, "unchanged": 1}
    assert ok(client.get(f"{URL}/{b['id']}", headers=headers["admin"]))["category"] == "other"
    again = list(csv.DictReader(io.StringIO(_export(client, headers["observer"], jurisdiction=town))))
    assert [r["credit_code"] for r in again] == [a["credit_code"], b["credit_code"], new_code]


def test_one_bad_row_names_its_line_and_nothing_is_imported(app: FastAPI, client: TestClient, headers) -> None:
    header = "name,credit_code,jurisdiction,sector,category,contact_phone"
    good = f"{unique('甲公司')},{credit_code()},leicheng,危化,hazardous_goods,0759-1"
    bad = f"{unique('乙公司')},{with_wrong_check_character(credit_code())},leicheng,危化,hazardous_goods,0759-2"
    nowhere = f"{unique('丙公司')},{credit_code()},nosuchtown,危化,hazardous_goods,0759-3"
    before = row_counts(app)
    r = _import(client, headers["admin"], "\n".join([header, good, bad, nowhere]) + "\n")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    errors = {(e["line"], e["field"]) for e in r.json()["errors"]}
    assert errors == {(3, "credit_code"), (4, "jurisdiction")}
    assert row_counts(app) == before


def test_observer_may_export_but_not_import(client: TestClient, headers) -> None:
    assert client.get(f"{URL}/export.csv", headers=headers["observer"]).status_code == 200
    assert _import(client, headers["observer"], "name\n").status_code == 403
