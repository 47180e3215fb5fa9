"""Issue 10: If-Match sent on an action is checked, as on PATCH.

Before: `POST /dispatches/{id}/status` and `POST /incidents/{id}/transitions` (and the other actions) answered
200 with a stale or garbage If-Match; only PATCH looked at it. Now a stale one is 412 and a malformed one 400,
and nothing changes; without the header an action still runs (it is optional there, required on PATCH).
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import make_team, ok
from tests.supply_factories import make_item
from tests.workflow_factories import assert_problem, make_dispatch, make_incident

Action = tuple[str, dict[str, Any]]  # (url, body) of an action on a fresh entity, whose GET url is the first item


def _incident(client: TestClient, tokens: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    incident = make_incident(client, tokens["operator"])
    url = f"/api/v1/incidents/{incident['id']}"
    return url, url + "/transitions", {"status": "verified"}


def _dispatch(client: TestClient, tokens: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    incident = make_incident(client, tokens["operator"])
    team = make_team(client, tokens["operator"])
    dispatch = make_dispatch(client, tokens["operator"], incident["id"], team["id"])
    url = f"/api/v1/dispatches/{dispatch['id']}"
    return url, url + "/status", {"status": "acknowledged"}


def _team(client: TestClient, tokens: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    url = f"/api/v1/teams/{make_team(client, tokens['operator'])['id']}"
    return url, url + "/status", {"status": "out_of_service"}


def _movement(client: TestClient, tokens: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    url = f"/api/v1/supply-items/{make_item(client, tokens['operator'])['id']}"
    return url, url + "/movements", {"reason": "receive", "delta": 5}


def _allocation(client: TestClient, tokens: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
    incident = make_incident(client, tokens["operator"])
    item = make_item(client, tokens["operator"])
    body = {"incident_id": incident["id"], "supply_item_id": item["id"], "quantity": 1}
    allocation = ok(
        client.post("/api/v1/allocations", json=body, headers={"Authorization": f"Bearer {tokens['operator']}"}), 201
    )
    url = f"/api/v1/allocations/{allocation['id']}"
    return url, url + "/cancel", {}


ACTIONS: dict[str, Callable[[TestClient, dict[str, str]], tuple[str, str, dict[str, Any]]]] = {
    "incident transition": _incident,
    "dispatch status": _dispatch,
    "team status": _team,
    "supply movement": _movement,
    "allocation cancel": _allocation,
}


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize(
    ("if_match", "status"),
    [('"999"', 412), ('W/"999"', 412), ("garbage", 400), ('"1", 2', 400), ("", 400)],
    ids=["stale", "stale weak", "garbage", "half-quoted list", "empty"],
)
def test_a_stale_or_malformed_if_match_on_an_action_changes_nothing(
    client: TestClient,
    tokens: dict[str, str],
    headers: dict[str, dict[str, str]],
    name: str,
    if_match: str,
    status: int,
) -> None:
    get_url, action_url, body = ACTIONS[name](client, tokens)
    before = client.get(get_url, headers=headers["operator"])
    r = client.post(action_url, json=body, headers={**headers["operator"], "If-Match": if_match})
    problem = assert_problem(r, status)
    assert problem["type"].endswith("/stale-version" if status == 412 else "/bad-if-match")
    after = client.get(get_url, headers=headers["operator"])
    assert (after.json(), after.headers["etag"]) == (before.json(), before.headers["etag"])


@pytest.mark.parametrize("name", ACTIONS)
def test_an_action_runs_with_the_current_etag_or_without_one(
    client: TestClient, tokens: dict[str, str], headers: dict[str, dict[str, str]], name: str
) -> None:
    get_url, action_url, body = ACTIONS[name](client, tokens)
    current = client.get(get_url, headers=headers["operator"]).headers["etag"]
    r = client.post(action_url, json=body, headers={**headers["operator"], "If-Match": current})
    assert r.status_code in (200, 201), r.text
    assert client.get(get_url, headers=headers["operator"]).headers["etag"] != current

    get_url, action_url, body = ACTIONS[name](client, tokens)
    r = client.post(action_url, json=body, headers=headers["operator"])
    assert r.status_code in (200, 201), r.text


def test_a_malformed_if_match_on_patch_is_400_not_412(
    client: TestClient, tokens: dict[str, str], headers: dict[str, dict[str, str]]
) -> None:
    team = make_team(client, tokens["operator"])
    r = client.patch(
        f"/api/v1/teams/{team['id']}", json={"personnel": 7}, headers={**headers["operator"], "If-Match": "v1"}
    )
    assert assert_problem(r, 400)["type"].endswith("/bad-if-match")
