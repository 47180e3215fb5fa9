from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from resources_db.models import SupplyItem
from tests.factories import ok
from tests.supply_factories import audit_rows, item_body, ledger, make_depot, make_item, move

PROBLEM = "application/problem+json"
ITEMS = "/api/v1/supply-items"


def _state(client: TestClient, headers, tokens, item_id: int) -> tuple[Any, list[Any], list[Any]]:
    """The item, its ledger and its audit rows: what a refused write must leave untouched."""
    item = ok(client.get(f"{ITEMS}/{item_id}", headers=headers["admin"]))
    return item, ledger(client, tokens["admin"], item_id), audit_rows(client, tokens["admin"], "supply_item", item_id)


def test_initial_stock_is_the_first_receive_in_the_ledger(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=40)
    assert (item["quantity_on_hand"], item["quantity_reserved"]) == (40, 0)
    [movement] = ledger(client, tokens["observer"], item["id"])
    assert (movement["delta"], movement["reason"], movement["actor"]) == (40, "receive", "operator")
    [row] = audit_rows(client, tokens["admin"], "supply_item", item["id"])
    assert row["action"] == "supply.create"
    assert row["after"]["quantity_on_hand"] == 40
    assert row["after"]["movement_id"] == movement["id"]


def test_item_without_stock_has_an_empty_ledger(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=0)
    assert item["quantity_on_hand"] == 0
    assert ledger(client, tokens["observer"], item["id"]) == []


def test_item_reads_back_with_etag_and_patch_needs_a_fresh_if_match(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"])
    url = f"{ITEMS}/{item['id']}"
    r = client.get(url, headers=headers["observer"])
    assert r.headers["ETag"] == f'"{item["version"]}"'
    assert client.patch(url, json={"min_reserve": 5}, headers=headers["operator"]).status_code == 428
    etag = {"If-Match": f'"{item["version"]}"'}
    changed = ok(client.patch(url, json={"min_reserve": 5, "unit": "sack"}, headers={**headers["operator"], **etag}))
    assert (changed["min_reserve"], changed["unit"], changed["quantity_on_hand"]) == (5, "sack", 100)
    stale = client.patch(url, json={"unit": "box"}, headers={**headers["operator"], **etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert ok(client.get(url, headers=headers["observer"])) == changed
    update_row = audit_rows(client, tokens["admin"], "supply_item", item["id"])[-1]
    assert update_row["action"] == "supply.update"
    assert update_row["before"] == {"unit": "bag", "min_reserve": 10}
    assert update_row["after"] == {"unit": "sack", "min_reserve": 5}


def test_a_movement_moves_the_etag(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"])
    r = move(client, tokens["operator"], item["id"], -1, "consume")
    assert r.headers["ETag"] == f'"{item["version"] + 1}"'
    url = f"{ITEMS}/{item['id']}"
    stale = client.patch(url, json={"unit": "box"}, headers={**headers["operator"], "If-Match": f'"{item["version"]}"'})
    assert stale.status_code == 412


def test_item_in_unknown_depot_is_refused_on_the_field(client: TestClient, headers) -> None:
    r = client.post(ITEMS, json=item_body(987654), headers=headers["operator"])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["body.depot_id"]


def test_same_name_twice_in_one_depot_is_a_conflict(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"])
    r = client.post(ITEMS, json=item_body(item["depot_id"], name=item["name"]), headers=headers["operator"])
    assert r.status_code == 409
    listed = ok(client.get(ITEMS, params={"depot_id": item["depot_id"]}, headers=headers["operator"]))
    assert [i["id"] for i in listed["items"]] == [item["id"]]


def test_list_filters_by_depot_category_jurisdiction_reserve_and_expiry(client: TestClient, headers, tokens) -> None:
    op = tokens["operator"]
    depot = make_depot(client, op, jurisdiction="suixi")
    today = datetime.now(UTC).date()
    low = make_item(client, op, depot["id"], category="pumps", quantity_on_hand=2, min_reserve=5)
    soon = make_item(client, op, depot["id"], category="medical_kits", expires_on=str(today + timedelta(days=3)))
    later = make_item(client, op, depot["id"], category="medical_kits", expires_on=str(today + timedelta(days=60)))
    gone = make_item(client, op, depot["id"], category="medical_kits", expires_on=str(today - timedelta(days=1)))

    def ids(**params) -> list[int]:
        body = ok(client.get(ITEMS, params={"limit": 500, **params}, headers=headers["observer"]))
        return [i["id"] for i in body["items"]]

    everything = [low["id"], soon["id"], later["id"], gone["id"]]
    assert ids(depot_id=depot["id"]) == everything
    assert ids(depot_id=depot["id"], category="pumps") == [low["id"]]
    assert ids(depot_id=depot["id"], below_min_reserve="true") == [low["id"]]
    assert ids(depot_id=depot["id"], below_min_reserve="false") == everything[1:]
    assert ids(depot_id=depot["id"], expiring_within_days=7) == [soon["id"], gone["id"]]
    assert set(everything) <= set(ids(jurisdiction="suixi"))
    assert not set(everything) & set(ids(jurisdiction="baisha"))


def test_list_paginates_with_cursor_without_repeats(client: TestClient, headers, tokens) -> None:
    depot = make_depot(client, tokens["operator"])
    made = [make_item(client, tokens["operator"], depot["id"])["id"] for _ in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"depot_id": depot["id"], "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = ok(client.get(ITEMS, params=params, headers=headers["observer"]))
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == made


def test_movements_change_stock_and_are_listed_oldest_first(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=10)
    steps = [(5, "receive"), (-3, "consume"), (2, "return"), (-4, "expire"), (-1, "adjust"), (6, "adjust")]
    for delta, reason in steps:
        body = ok(move(client, tokens["operator"], item["id"], delta, reason, note="shift B", incident_id=7), 201)
        assert body["movement"]["delta"] == delta
    assert body["item"]["quantity_on_hand"] == 15
    moves = ledger(client, tokens["observer"], item["id"])
    assert [(m["delta"], m["reason"]) for m in moves] == [(10, "receive"), *steps]
    assert [m["id"] for m in moves] == sorted(m["id"] for m in moves)
    assert sum(m["delta"] for m in moves) == 15
    page = ok(client.get(f"{ITEMS}/{item['id']}/movements", params={"limit": 3}, headers=headers["observer"]))
    assert [m["delta"] for m in page["items"]] == [10, 5, -3]
    assert page["next_cursor"]


def test_every_movement_has_one_audit_row_with_delta_reason_and_new_quantity(client: TestClient, tokens) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=10)
    ok(move(client, tokens["admin"], item["id"], -4, "consume", incident_id=12), 201)
    rows = audit_rows(client, tokens["admin"], "supply_item", item["id"])
    assert [r["action"] for r in rows] == ["supply.create", "supply.movement"]
    assert rows[1]["actor"] == "admin"
    assert rows[1]["role"] == "admin"
    assert rows[1]["before"] == {"quantity_on_hand": 10}
    assert rows[1]["after"]["delta"] == -4
    assert rows[1]["after"]["reason"] == "consume"
    assert rows[1]["after"]["quantity_on_hand"] == 6
    assert rows[1]["after"]["incident_id"] == 12


def test_insufficient_stock_is_409_and_leaves_quantities_ledger_and_audit_unchanged(
    client: TestClient, headers, tokens
) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=5)
    before = _state(client, headers, tokens, item["id"])
    r = move(client, tokens["operator"], item["id"], -6, "consume")
    assert r.status_code == 409
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["type"].endswith("/insufficient-stock")
    assert (problem["on_hand"], problem["reserved"], problem["asked"]) == (5, 0, 6)
    assert "5 on hand" in problem["detail"]
    assert "0 reserved" in problem["detail"]
    assert "remove 6" in problem["detail"]
    assert _state(client, headers, tokens, item["id"]) == before


def test_reserved_stock_cannot_be_consumed(app: FastAPI, client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"], quantity_on_hand=10)
    # Allocations (a later workflow) will set reservations; here the test sets one directly.
    with app.state.session_factory() as s:
        s.execute(update(SupplyItem).where(SupplyItem.id == item["id"]).values(quantity_reserved=7))
        s.commit()
    refused = move(client, tokens["operator"], item["id"], -4, "consume")
    assert refused.status_code == 409
    assert (refused.json()["on_hand"], refused.json()["reserved"]) == (10, 7)
    body = ok(move(client, tokens["operator"], item["id"], -3, "consume"), 201)
    assert (body["item"]["quantity_on_hand"], body["item"]["quantity_reserved"]) == (7, 7)


BAD_MOVEMENTS = [
    ({"delta": 5, "reason": "allocate"}, "body.reason", "'receive'"),
    ({"delta": 5, "reason": "steal"}, "body.reason", "'expire'"),
    ({"delta": -5, "reason": "receive"}, "body.delta", "positive"),
    ({"delta": -5, "reason": "return"}, "body.delta", "positive"),
    ({"delta": 5, "reason": "consume"}, "body.delta", "negative"),
    ({"delta": 5, "reason": "expire"}, "body.delta", "negative"),
    ({"delta": 0, "reason": "adjust"}, "body.delta", "zero"),
    ({"delta": 1_000_001, "reason": "receive"}, "body.delta", ""),
    ({"delta": -1_000_001, "reason": "adjust"}, "body.delta", ""),
    ({"delta": "5", "reason": "receive"}, "body.delta", ""),
    ({"delta": 2.5, "reason": "receive"}, "body.delta", ""),
    ({"delta": True, "reason": "receive"}, "body.delta", ""),
    ({"reason": "receive"}, "body.delta", ""),
    ({"delta": 5, "reason": "receive", "note": "n" * 501}, "body.note", ""),
    ({"delta": 5, "reason": "receive", "incident_id": 0}, "body.incident_id", ""),
    ({"delta": 5, "reason": "receive", "actor": "someone-else"}, "body.actor", ""),
    ({"delta": 5, "reason": "receive", "quantity_on_hand": 1}, "body.quantity_on_hand", ""),
]


@pytest.mark.parametrize(("body", "field", "says"), BAD_MOVEMENTS)
def test_bad_movement_is_refused_naming_the_field_and_writes_nothing(
    client: TestClient, headers, tokens, body, field: str, says: str
) -> None:
    item = make_item(client, tokens["operator"])
    before = _state(client, headers, tokens, item["id"])
    r = client.post(f"{ITEMS}/{item['id']}/movements", json=body, headers=headers["operator"])
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert field in errors
    assert says in errors[field]
    assert _state(client, headers, tokens, item["id"]) == before


def test_allocate_is_refused_naming_every_allowed_reason(client: TestClient, headers, tokens) -> None:
    item = make_item(client, tokens["operator"])
    r = move(client, tokens["operator"], item["id"], -5, "allocate")
    [err] = r.json()["errors"]
    for reason in ("receive", "return", "consume", "adjust", "expire"):
        assert f"'{reason}'" in err["message"]
    assert "allocate" not in err["message"]


BAD_CREATES = [
    ({"quantity_on_hand": -1}, "body.quantity_on_hand"),
    ({"quantity_on_hand": "lots"}, "body.quantity_on_hand"),
    ({"quantity_on_hand": 1_000_000_001}, "body.quantity_on_hand"),
    ({"min_reserve": -1}, "body.min_reserve"),
    ({"category": "Sand Bags!"}, "body.category"),
    ({"unit": "u" * 17}, "body.unit"),
    ({"name": " "}, "body.name"),
    ({"expires_on": "2025-02-30"}, "body.expires_on"),
    ({"depot_id": "first"}, "body.depot_id"),
    ({"quantity_reserved": 3}, "body.quantity_reserved"),
    ({"version": 3}, "body.version"),
    ({"status": "ready"}, "body.status"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATES)
def test_bad_item_create_is_refused_and_writes_nothing(client: TestClient, headers, tokens, change, field) -> None:
    depot = make_depot(client, tokens["operator"])
    r = client.post(ITEMS, json={**item_body(depot["id"]), **change}, headers=headers["operator"])
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in r.json()["errors"]}
    assert ok(client.get(ITEMS, params={"depot_id": depot["id"]}, headers=headers["operator"]))["items"] == []


BAD_PATCHES = [
    ({"quantity_on_hand": 500}, "body.quantity_on_hand"),
    ({"quantity_reserved": 0}, "body.quantity_reserved"),
    ({"depot_id": 1}, "body.depot_id"),
    ({"version": 1}, "body.version"),
    ({"status": "retired"}, "body.status"),
    ({"min_reserve": -3}, "body.min_reserve"),
    ({"min_reserve": "ten"}, "body.min_reserve"),
    ({"name": None}, "body.name"),
    ({"unit": ""}, "body.unit"),
    ({"expires_on": "soon"}, "body.expires_on"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PATCHES)
def test_bad_item_patch_is_refused_and_changes_nothing(client: TestClient, headers, tokens, change, field) -> None:
    item = make_item(client, tokens["operator"])
    before = _state(client, headers, tokens, item["id"])
    url = f"{ITEMS}/{item['id']}"
    r = client.patch(url, json=change, headers={**headers["operator"], "If-Match": f'"{item["version"]}"'})
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in r.json()["errors"]}
    assert _state(client, headers, tokens, item["id"]) == before


@pytest.mark.parametrize("user", ["observer", "leader", "controller"])
def test_roles_outside_the_library_cannot_write_supplies(client: TestClient, headers, tokens, user: str) -> None:
    item = make_item(client, tokens["operator"])
    before = _state(client, headers, tokens, item["id"])
    url = f"{ITEMS}/{item['id']}"
    attempts = [
        client.post(ITEMS, json=item_body(item["depot_id"]), headers=headers[user]),
        client.patch(url, json={"unit": "box"}, headers={**headers[user], "If-Match": "*"}),
        client.post(f"{url}/movements", json={"delta": -1, "reason": "consume"}, headers=headers[user]),
        client.post(
            f"{ITEMS}/import",
            files={"file": ("s.csv", b"depot_id,category,name,unit,quantity_on_hand\n", "text/csv")},
            headers=headers[user],
        ),
    ]
    assert [a.status_code for a in attempts] == [403] * 4
    assert all(a.headers["content-type"] == PROBLEM for a in attempts)
    assert _state(client, headers, tokens, item["id"]) == before
    listed = ok(client.get(ITEMS, params={"depot_id": item["depot_id"]}, headers=headers["admin"]))
    assert [i["id"] for i in listed["items"]] == [item["id"]]


# --- CSV: operators keep stock in spreadsheets ---


def _export(client: TestClient, headers, depot_id: int) -> str:
    r = client.get(f"{ITEMS}/export.csv", params={"depot_id": depot_id}, headers=headers["observer"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    return str(r.text)


def _import(client: TestClient, headers, text: str, user: str = "operator"):
    files = {"file": ("stock.csv", text.encode(), "text/csv")}
    return client.post(f"{ITEMS}/import", files=files, headers=headers[user])


def _depot_with_items(client: TestClient, tokens) -> tuple[int, list[Any]]:
    depot = make_depot(client, tokens["operator"])
    items = [
        make_item(client, tokens["operator"], depot["id"], name="sandbags", quantity_on_hand=100),
        make_item(client, tokens["operator"], depot["id"], name="pump", category="pumps", unit="set", expires_on=None),
        make_item(
            client, tokens["operator"], depot["id"], name="kits", category="medical_kits", expires_on="2031-05-01"
        ),
    ]
    return depot["id"], items


def test_export_lists_the_columns_an_operator_edits(client: TestClient, headers, tokens) -> None:
    depot_id, items = _depot_with_items(client, tokens)
    lines = _export(client, headers, depot_id).splitlines()
    assert lines[0] == "id,depot_id,category,name,unit,quantity_on_hand,quantity_reserved,min_reserve,expires_on"
    assert lines[1:] == [
        f"{items[0]['id']},{depot_id},sandbags,sandbags,bag,100,0,10,",
        f"{items[1]['id']},{depot_id},pumps,pump,set,100,0,10,",
        f"{items[2]['id']},{depot_id},medical_kits,kits,bag,100,0,10,2031-05-01",
    ]


def test_importing_an_unedited_export_changes_nothing(client: TestClient, headers, tokens) -> None:
    depot_id, items = _depot_with_items(client, tokens)
    before = [_state(client, headers, tokens, i["id"]) for i in items]
    text = _export(client, headers, depot_id)
    assert ok(_import(client, headers, text)) == {"created": 0, "updated": 0, "unchanged": 3}
    assert [_state(client, headers, tokens, i["id"]) for i in items] == before
    assert _export(client, headers, depot_id) == text


def test_an_edited_quantity_becomes_one_adjust_movement(client: TestClient, headers, tokens) -> None:
    depot_id, items = _depot_with_items(client, tokens)
    text = _export(client, headers, depot_id)
    edited = text.replace(
        f"{items[0]['id']},{depot_id},sandbags,sandbags,bag,100,",
        f"{items[0]['id']},{depot_id},sandbags,sandbags,bag,87,",
    )
    assert edited != text
    assert ok(_import(client, headers, edited)) == {"created": 0, "updated": 1, "unchanged": 2}
    moves = ledger(client, tokens["observer"], items[0]["id"])
    assert [(m["delta"], m["reason"]) for m in moves] == [(100, "receive"), (-13, "adjust")]
    assert ok(client.get(f"{ITEMS}/{items[0]['id']}", headers=headers["observer"]))["quantity_on_hand"] == 87
    row = audit_rows(client, tokens["admin"], "supply_item", items[0]["id"])[-1]
    assert row["action"] == "supply.update"
    assert row["before"] == {"quantity_on_hand": 100}
    assert row["after"]["quantity_on_hand"] == 87
    assert row["after"]["movement_id"] == moves[-1]["id"]
    assert len(ledger(client, tokens["observer"], items[1]["id"])) == 1


def test_new_rows_are_created_with_their_stock_received(client: TestClient, headers, tokens) -> None:
    depot_id, _ = _depot_with_items(client, tokens)
    text = _export(client, headers, depot_id) + f",{depot_id},tents,tent 4p,piece,12,,2,\n"
    assert ok(_import(client, headers, text)) == {"created": 1, "updated": 0, "unchanged": 3}
    [tent] = ok(client.get(ITEMS, params={"depot_id": depot_id, "category": "tents"}, headers=headers["observer"]))[
        "items"
    ]
    assert (tent["name"], tent["quantity_on_hand"], tent["min_reserve"]) == ("tent 4p", 12, 2)
    assert [(m["delta"], m["reason"]) for m in ledger(client, tokens["observer"], tent["id"])] == [(12, "receive")]
    [row] = audit_rows(client, tokens["admin"], "supply_item", tent["id"])
    assert row["action"] == "supply.create"


def test_bad_rows_are_all_reported_by_line_and_field_and_nothing_is_written(
    client: TestClient, headers, tokens
) -> None:
    depot_id, items = _depot_with_items(client, tokens)
    before = [_state(client, headers, tokens, i["id"]) for i in items]
    header = "id,depot_id,category,name,unit,quantity_on_hand,quantity_reserved,min_reserve,expires_on"
    text = "\n".join(
        [
            header,
            f",{depot_id},sandbags,sandbags,bag,50,,10,",  # line 2: fine on its own (an adjust)
            f",{depot_id},pumps,pump,set,many,,10,",  # line 3: bad quantity
            f",{depot_id},tents,new tent,piece,4,,0,",  # line 4: fine (a create)
            ",99999999,tents,lost tent,piece,4,,0,",  # line 5: unknown depot
        ]
    )
    r = _import(client, headers, text)
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    errors = r.json()["errors"]
    assert {(e["line"], e["field"]) for e in errors} == {(3, "quantity_on_hand"), (5, "depot_id")}
    assert "3" in r.json()["detail"]
    assert "5" in r.json()["detail"]
    assert [_state(client, headers, tokens, i["id"]) for i in items] == before
    listed = ok(client.get(ITEMS, params={"depot_id": depot_id}, headers=headers["observer"]))
    assert [i["id"] for i in listed["items"]] == [i["id"] for i in items]


def test_import_refuses_a_count_below_what_is_reserved(app: FastAPI, client: TestClient, headers, tokens) -> None:
    depot_id, items = _depot_with_items(client, tokens)
    with app.state.session_factory() as s:
        s.execute(update(SupplyItem).where(SupplyItem.id == items[0]["id"]).values(quantity_reserved=30))
        s.commit()
    before = _state(client, headers, tokens, items[0]["id"])
    text = f"depot_id,category,name,unit,quantity_on_hand\n{depot_id},sandbags,sandbags,bag,20\n"
    r = _import(client, headers, text)
    assert r.status_code == 422
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(2, "quantity_on_hand")]
    assert _state(client, headers, tokens, items[0]["id"]) == before


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("depot_id,category,name,unit\n1,pumps,p,set\n", 1, "quantity_on_hand"),
        ("depot_id,category,name,unit,quantity_on_hand,colour\n", 1, "colour"),
        ("depot_id,category,name,unit,quantity_on_hand\n{d},pumps,p,set,1\n{d},pumps,p,set,2\n", 3, "name"),
        ("id,depot_id,category,name,unit,quantity_on_hand\n1,{d},pumps,fresh,set,1\n", 2, "id"),
        ("depot_id,category,name,unit,quantity_on_hand,expires_on\n{d},pumps,p,set,1,31/12/2030\n", 2, "expires_on"),
        (
            "depot_id,category,name,unit,quantity_on_hand,quantity_reserved\n{d},pumps,p,set,1,5\n",
            2,
            "quantity_reserved",
        ),
    ],
)
def test_malformed_sheets_are_refused_naming_line_and_field(
    client: TestClient, headers, tokens, text, line, field
) -> None:
    depot = make_depot(client, tokens["operator"])
    r = _import(client, headers, text.format(d=depot["id"]))
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert (line, field) in {(e["line"], e["field"]) for e in r.json()["errors"]}
    assert ok(client.get(ITEMS, params={"depot_id": depot["id"]}, headers=headers["observer"]))["items"] == []


def test_import_without_a_file_is_refused(client: TestClient, headers) -> None:
    r = client.post(f"{ITEMS}/import", headers=headers["operator"])
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM


def test_ledger_movements_are_published_to_boards(app, client, tokens) -> None:
    from sqlalchemy import select

    from resources_db.models import OutboxEvent
    from tests.supply_factories import make_item, move

    item = make_item(client, tokens["operator"], quantity_on_hand=10)
    assert move(client, tokens["operator"], item["id"], -4, "consume").status_code == 201
    with app.state.session_factory() as s:
        events = [e.data for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "supply.changed"))]
    mine = [e for e in events if e["supply_item_id"] == item["id"]]
    assert [e["quantity_on_hand"] for e in mine] == [6]
