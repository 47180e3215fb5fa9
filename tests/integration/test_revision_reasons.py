"""A plan revision comes up for consideration (Decree 708 art. 6) when the enterprise's resources change."""

from typing import Any

from fastapi.testclient import TestClient

from tests.cooperation_factories import make_agreement
from tests.enterprise_factories import make_enterprise
from tests.factories import make_team, ok
from tests.supply_factories import make_depot, make_item, move


def _reasons(client: TestClient, headers, enterprise_id: int) -> list[dict[str, Any]]:
    url = f"/api/v1/enterprises/{enterprise_id}/revision-reasons"
    return ok(client.get(url, headers=headers["observer"]))  # type: ignore[no-any-return]


def test_the_agreement_team_going_out_of_service_raises_a_revision_reason(client: TestClient, headers, tokens):
    e = make_enterprise(client, tokens["admin"])
    team = make_team(client, tokens["admin"], kind="social")
    make_agreement(client, tokens["admin"], team["id"], enterprise_ids=[e["id"]])
    assert _reasons(client, headers, e["id"]) == []
    r = client.post(f"/api/v1/teams/{team['id']}/status", json={"status": "out_of_service"}, headers=headers["admin"])
    assert ok(r)["status"] == "out_of_service"
    [reason] = _reasons(client, headers, e["id"])
    assert (reason["trigger"], reason["team_id"]) == ("resources_changed", team["id"])
    assert team["name"] in reason["reason"]
    assert "out of service" in reason["reason"]
    ok(client.post(f"/api/v1/teams/{team['id']}/status", json={"status": "available"}, headers=headers["admin"]))
    assert _reasons(client, headers, e["id"]) == []


def test_stock_below_reserve_in_the_enterprise_depot_raises_a_revision_reason(client: TestClient, headers, tokens):
    e = make_enterprise(client, tokens["admin"])
    depot = make_depot(client, tokens["operator"], operator="enterprise", enterprise_id=e["id"])
    item = make_item(client, tokens["operator"], depot["id"], quantity_on_hand=12, min_reserve=10)
    make_item(
        client, tokens["operator"], make_depot(client, tokens["operator"])["id"], quantity_on_hand=1
    )  # not theirs
    assert _reasons(client, headers, e["id"]) == []
    assert move(client, tokens["operator"], item["id"], -3, "consume").status_code == 201
    [reason] = _reasons(client, headers, e["id"])
    assert (reason["trigger"], reason["supply_item_id"]) == ("resources_changed", item["id"])
    assert "(9 < 10)" in reason["reason"]
