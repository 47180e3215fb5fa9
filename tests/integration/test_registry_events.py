"""Every registry change a board shows is an event (issue 17 §5): teams, depots, supply items, hazard sources and
plans publish on create and edit, in the same transaction; a CSV import publishes one "reload" event, not one per row.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from realtime.envelope import topics_for
from resources_db.models import OutboxEvent
from tests.factories import make_team, ok, unique
from tests.registry_factories import if_match, make_hazard, make_jurisdiction, make_plan
from tests.supply_factories import make_depot, make_item


def events(app, type_: str) -> list[dict[str, Any]]:
    with app.state.session_factory() as s:
        return [
            e.data for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
        ]


def of(rows: list[dict[str, Any]], id_: int) -> list[dict[str, Any]]:
    """The events about one entity (supply events name it `supply_item_id`, like `supply.changed`)."""
    return [r for r in rows if r.get("id", r.get("supply_item_id")) == id_]


Maker = Callable[[TestClient, dict[str, str]], dict[str, Any]]
CASES: list[tuple[str, str, str, Maker, dict[str, Any]]] = [
    ("team", "/api/v1/teams", "teams", lambda c, t: make_team(c, t["operator"]), {"personnel": 31}),
    ("depot", "/api/v1/depots", "supplies", lambda c, t: make_depot(c, t["operator"]), {"name": unique("depot")}),
    ("supply", "/api/v1/supply-items", "supplies", lambda c, t: make_item(c, t["operator"]), {"min_reserve": 7}),
    (
        "hazard_source",
        "/api/v1/hazard-sources",
        "hazards",
        lambda c, t: make_hazard(c, t["admin"]),
        {"risk_level": "red"},
    ),
    ("plan", "/api/v1/plans", "hazards", lambda c, t: make_plan(c, t["admin"]), {"title": unique("plan")}),
]


@pytest.mark.parametrize(("prefix", "url", "topic", "make", "patch"), CASES, ids=[c[0] for c in CASES])
def test_create_and_edit_publish_an_event_boards_can_follow(
    app, client: TestClient, headers, tokens, prefix, url, topic, make, patch
) -> None:
    created = make(client, tokens)
    [born] = of(events(app, f"{prefix}.created"), created["id"])
    assert born["version"] == created["version"]
    assert topic in topics_for(f"{prefix}.created", born)

    writer = headers["admin"]
    updated = ok(client.patch(f"{url}/{created['id']}", json=patch, headers=if_match(writer, created["version"])))
    [changed] = of(events(app, f"{prefix}.updated"), created["id"])
    assert changed["version"] == updated["version"] > created["version"]

    # A PATCH that changes nothing writes nothing, so it announces nothing either.
    ok(client.patch(f"{url}/{created['id']}", json=patch, headers=if_match(writer, updated["version"])))
    assert len(of(events(app, f"{prefix}.updated"), created["id"])) == 1


def test_a_refused_edit_publishes_nothing(app, client: TestClient, headers, tokens) -> None:
    team = make_team(client, tokens["operator"])
    r = client.patch(f"/api/v1/teams/{team['id']}", json={"personnel": 3}, headers=if_match(headers["admin"], 999))
    assert r.status_code == 412
    assert of(events(app, "team.updated"), team["id"]) == []


def test_team_csv_import_publishes_one_reload_event(app, client: TestClient, headers, tokens) -> None:
    town = make_jurisdiction(client, tokens["admin"])["code"]
    names = [unique("csv-team") for _ in range(3)]
    header = "id,name,kind,capabilities,personnel,home_jurisdiction,base_lat,base_lon,status,contact_phone"
    lines = [header, *(f",{n},social,,6,{town},20.8,110.1,," for n in names)]
    reloads_before = len(events(app, "team.reload"))
    files = {"file": ("teams.csv", "\n".join(lines).encode(), "text/csv")}
    assert ok(client.post("/api/v1/teams/import", files=files, headers=headers["admin"]))["created"] == 3
    reloads = events(app, "team.reload")
    assert len(reloads) == reloads_before + 1
    assert reloads[-1] == {"section": "teams", "counts": {"created": 3, "updated": 0, "unchanged": 0}}
    assert "teams" in topics_for("team.reload", reloads[-1])
    # No per-row events: the reload stands for all of them.
    assert not [e for e in events(app, "team.created") if e["name"] in names]


def test_a_refused_csv_import_publishes_nothing(app, client: TestClient, headers) -> None:
    header = "id,name,kind,capabilities,personnel,home_jurisdiction,base_lat,base_lon,status,contact_phone"
    bad = f"{header}\n,{unique('x')},spaceship,,6,leicheng,20.8,110.1,,\n".encode()
    before = len(events(app, "team.reload"))
    r = client.post("/api/v1/teams/import", files={"file": ("t.csv", bad, "text/csv")}, headers=headers["admin"])
    assert r.status_code == 422
    assert len(events(app, "team.reload")) == before


def test_supply_csv_import_publishes_one_reload_event(app, client: TestClient, headers, tokens) -> None:
    depot = make_depot(client, tokens["operator"])
    make_item(client, tokens["operator"], depot["id"], name="sandbags", quantity_on_hand=100)
    text = client.get(
        "/api/v1/supply-items/export.csv", params={"depot_id": depot["id"]}, headers=headers["operator"]
    ).text
    edited = text.replace(",100,0,10,", ",120,0,10,")
    before_reload = len(events(app, "supply.reload"))
    files = {"file": ("stock.csv", edited.encode(), "text/csv")}
    assert ok(client.post("/api/v1/supply-items/import", files=files, headers=headers["operator"]))["updated"] == 1
    reloads = events(app, "supply.reload")
    assert len(reloads) == before_reload + 1
    assert reloads[-1]["counts"] == {"created": 0, "updated": 1, "unchanged": 0}
