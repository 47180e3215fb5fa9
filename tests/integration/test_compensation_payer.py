"""Compensation statements name who pays for each dispatch (Decree 708 art. 19), with a CSV per enterprise and month."""

import csv
import io
from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from resources_db.models import Dispatch
from tests.cooperation_factories import dispatch, make_agreement, real_incident, walk_dispatch
from tests.enterprise_factories import make_enterprise
from tests.factories import make_team, ok
from tests.registry_factories import make_hazard

URL = "/api/v1/compensation"
MONTH = "2022-05"


def _released_in_may_2022(client: TestClient, app: FastAPI, token: str, incident_id: int, team_id: int) -> int:
    d = dispatch(client, token, incident_id, team_id)
    walk_dispatch(client, token, d["id"])
    with app.state.session_factory() as s:
        row = s.get(Dispatch, d["id"])
        assert row is not None
        row.dispatched_at, row.on_scene_at, row.released_at = (
            datetime.fromisoformat(t) for t in ("2022-05-03T01:00Z", "2022-05-03T01:20Z", "2022-05-03T03:20Z")
        )
        s.commit()
    return int(d["id"])


def test_statement_names_the_enterprise_that_pays_and_filters_by_it(client: TestClient, app: FastAPI, headers, tokens):
    op = tokens["operator"]
    e = make_enterprise(client, tokens["admin"])
    source = make_hazard(client, tokens["admin"], enterprise_id=e["id"])
    team = make_team(client, op, kind="social", personnel=4)
    make_agreement(client, tokens["admin"], team["id"], enterprise_ids=[e["id"]])
    at_plant = _released_in_may_2022(
        client, app, op, real_incident(client, op, hazard_source_id=source["id"])["id"], team["id"]
    )
    elsewhere = _released_in_may_2022(client, app, op, real_incident(client, op)["id"], team["id"])

    [statement] = ok(client.get(URL, params={"month": MONTH, "team_id": team["id"]}, headers=headers["observer"]))[
        "statements"
    ]
    payers = {line["dispatch_id"]: (line["payer_enterprise_id"], line["payer"]) for line in statement["lines"]}
    assert payers == {
        at_plant: (e["id"], e["name"]),
        elsewhere: (None, "public budget (no responsible enterprise on record)"),
    }

    params = {"month": MONTH, "enterprise_id": e["id"]}
    [theirs] = ok(client.get(URL, params=params, headers=headers["observer"]))["statements"]
    assert [line["dispatch_id"] for line in theirs["lines"]] == [at_plant]
    assert theirs["total_cny"] == next(x for x in statement["lines"] if x["dispatch_id"] == at_plant)["amount_cny"]

    r = client.get(f"{URL}/export.csv", params=params, headers=headers["operator"])
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(row["row"], row["payer"]) for row in rows] == [("line", e["name"]), ("team_total", "")]
    assert rows[0]["payer_enterprise_id"] == str(e["id"])


def test_an_unknown_payer_is_422(client: TestClient, headers) -> None:
    r = client.get(URL, params={"month": MONTH, "enterprise_id": 2_000_000_000}, headers=headers["admin"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "query.enterprise_id"
