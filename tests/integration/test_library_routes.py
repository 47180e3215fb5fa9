"""The library's item routes (api.common.library_views), the same for each of the seven domains that declare them:
create answers 201 with `ETag` and a `Location` that reads the item back, PATCH needs a current `If-Match`, and an
unknown key is a 404 naming what was looked for."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.enterprise_factories import enterprise_body
from tests.factories import ok, team_body, unique
from tests.registry_factories import hazard_body, if_match, jurisdiction_body, plan_body
from tests.supply_factories import depot_body, item_body, make_depot

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Domain:
    url: str
    writer: str
    body: Callable[[TestClient, dict[str, str]], dict[str, Any]]
    change: dict[str, Any]
    missing: str  # the 404 detail for the key `unknown`
    key: str = "id"
    unknown: str = "2147483647"


DOMAINS = {
    "teams": Domain(
        "/api/v1/teams", "operator", lambda c, t: team_body(), {"personnel": 31}, "no rescue team 2147483647"
    ),
    "depots": Domain(
        "/api/v1/depots", "operator", lambda c, t: depot_body(), {"operator": "enterprise"}, "no depot 2147483647"
    ),
    "supply items": Domain(
        "/api/v1/supply-items",
        "operator",
        lambda c, t: item_body(make_depot(c, t["operator"])["id"]),
        {"unit": "box"},
        "no supply item 2147483647",
    ),
    "hazard sources": Domain(
        "/api/v1/hazard-sources",
        "admin",
        lambda c, t: hazard_body(),
        {"risk_level": "red"},
        "no hazard source 2147483647",
    ),
    "plans": Domain(
        "/api/v1/plans", "admin", lambda c, t: plan_body(), {"title": unique("plan")}, "no emergency plan 2147483647"
    ),
    "jurisdictions": Domain(
        "/api/v1/jurisdictions",
        "admin",
        lambda c, t: jurisdiction_body(),
        {"name_en": "Renamed Town (synthetic)"},
        "no jurisdiction 'nowhere_at_all'",
        key="code",
        unknown="nowhere_at_all",
    ),
    "enterprises": Domain(
        "/api/v1/enterprises",
        "operator",
        lambda c, t: enterprise_body(),
        {"category": "other"},
        "no enterprise 2147483647",
    ),
}


@pytest.fixture(params=list(DOMAINS.values()), ids=list(DOMAINS))
def domain(request: pytest.FixtureRequest) -> Domain:
    return request.param  # type: ignore[no-any-return]


def test_create_answers_etag_and_a_location_that_reads_the_item_back(
    client: TestClient, headers, tokens, domain: Domain
) -> None:
    r = client.post(domain.url, json=domain.body(client, tokens), headers=headers[domain.writer])
    created = ok(r, 201)
    assert r.headers["Location"] == f"{domain.url}/{created[domain.key]}"
    assert r.headers["ETag"] == f'"{created["version"]}"'
    again = client.get(r.headers["Location"], headers=headers["observer"])
    assert ok(again) == created
    assert again.headers["ETag"] == r.headers["ETag"]


def test_patch_needs_the_current_etag_and_answers_the_next(client: TestClient, headers, tokens, domain: Domain) -> None:
    created = ok(client.post(domain.url, json=domain.body(client, tokens), headers=headers[domain.writer]), 201)
    url = f"{domain.url}/{created[domain.key]}"
    missing = client.patch(url, json=domain.change, headers=headers[domain.writer])
    assert (missing.status_code, missing.headers["content-type"]) == (428, PROBLEM)
    stale = client.patch(url, json=domain.change, headers=if_match(headers[domain.writer], created["version"] + 1))
    assert (stale.status_code, stale.headers["content-type"]) == (412, PROBLEM)
    assert ok(client.get(url, headers=headers["observer"])) == created  # refusals changed nothing
    r = client.patch(url, json=domain.change, headers=if_match(headers[domain.writer], created["version"]))
    changed = ok(r)
    assert changed["version"] == created["version"] + 1
    assert r.headers["ETag"] == f'"{changed["version"]}"'
    assert {k: changed[k] for k in domain.change} == domain.change
    assert client.get(url, headers=headers["observer"]).headers["ETag"] == r.headers["ETag"]


def test_an_unknown_key_is_a_404_naming_what_was_looked_for(client: TestClient, headers, domain: Domain) -> None:
    url = f"{domain.url}/{domain.unknown}"
    for r in (
        client.get(url, headers=headers["observer"]),
        client.patch(url, json=domain.change, headers=if_match(headers["admin"], "*")),
    ):
        assert (r.status_code, r.headers["content-type"]) == (404, PROBLEM)
        assert r.json()["detail"] == domain.missing


# What clients were generated from (the hand-written views' names): the kit must keep every one of them.
OPERATION_IDS = [
    "create_team_api_v1_teams_post",
    "get_team_api_v1_teams__team_id__get",
    "update_team_api_v1_teams__team_id__patch",
    "change_team_status_api_v1_teams__team_id__status_post",
    "create_jurisdiction_api_v1_jurisdictions_post",
    "get_jurisdiction_api_v1_jurisdictions__code__get",
    "update_jurisdiction_api_v1_jurisdictions__code__patch",
    "create_hazard_source_api_v1_hazard_sources_post",
    "get_hazard_source_api_v1_hazard_sources__hazard_source_id__get",
    "update_hazard_source_api_v1_hazard_sources__hazard_source_id__patch",
    "create_plan_api_v1_plans_post",
    "get_plan_api_v1_plans__plan_id__get",
    "update_plan_api_v1_plans__plan_id__patch",
    "create_depot_api_v1_depots_post",
    "get_depot_api_v1_depots__depot_id__get",
    "update_depot_api_v1_depots__depot_id__patch",
    "create_item_api_v1_supply_items_post",
    "get_item_api_v1_supply_items__item_id__get",
    "update_item_api_v1_supply_items__item_id__patch",
    "create_enterprise_api_v1_enterprises_post",
    "get_enterprise_api_v1_enterprises__enterprise_id__get",
    "update_enterprise_api_v1_enterprises__enterprise_id__patch",
]


def test_the_item_routes_keep_their_operation_ids_and_parameters(app: FastAPI) -> None:
    operations = [op for item in app.openapi()["paths"].values() for op in item.values() if "operationId" in op]
    found = {op["operationId"]: op for op in operations if op["operationId"] in OPERATION_IDS}
    assert sorted(found) == sorted(OPERATION_IDS)
    for op in found.values():
        params = {p["name"]: p for p in op.get("parameters", [])}
        if op["operationId"].startswith("get_") and "code" not in params:
            [key] = params.values()
            assert (key["schema"]["minimum"], key["schema"]["maximum"]) == (1, 2**31 - 1), op["operationId"]
        if op["operationId"].startswith(("update_", "change_")):
            assert "if-match" in params, op["operationId"]
