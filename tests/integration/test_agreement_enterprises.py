"""Agreements name the enterprises they serve; at those enterprises' hazard sources the agreement team comes first."""

import itertools
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cooperation_factories import make_agreement
from tests.enterprise_factories import make_enterprise, row_counts
from tests.factories import make_team, ok
from tests.registry_factories import make_hazard, make_jurisdiction
from tests.workflow_factories import make_incident

_places = itertools.count()
KM = 1 / 111.32  # degrees of latitude per km


def _place() -> tuple[float, float]:
    """A spot of its own, far from every other test's teams (synthetic)."""
    i = next(_places)
    return -31.0 - 0.5 * i, 140.0


def _setup(client: TestClient, tokens: dict[str, str], *, agreement: dict[str, Any] | None) -> dict[str, Any]:
    lat, lon = _place()
    # A jurisdiction there: places outside the jurisdictions' extent (plus a margin) are refused.
    make_jurisdiction(client, tokens["admin"], center_lat=lat, center_lon=lon)
    e = make_enterprise(client, tokens["admin"])
    source = make_hazard(client, tokens["admin"], lat=lat, lon=lon, kind="hazchem_storage", enterprise_id=e["id"])
    # Same capabilities, so without an agreement only the distance tells them apart.
    near = make_team(client, tokens["admin"], base_lat=lat + 0.5 * KM, base_lon=lon, capabilities=["hazmat", "medical"])
    agreed = make_team(
        client, tokens["admin"], kind="social", base_lat=lat + 2 * KM, base_lon=lon, capabilities=["hazmat", "medical"]
    )
    if agreement is not None:
        make_agreement(client, tokens["admin"], agreed["id"], enterprise_ids=[e["id"]], **agreement)
    incident = make_incident(
        client, tokens["operator"], lat=lat, lon=lon, type="hazchem_leak", hazard_source_id=source["id"]
    )
    return {"enterprise": e, "near": near, "agreed": agreed, "incident": incident}


def _teams(client: TestClient, headers, incident_id: int, radius_km: float = 3) -> list[dict[str, Any]]:
    url = f"/api/v1/incidents/{incident_id}/recommendations"
    return ok(client.get(url, params={"radius_km": radius_km}, headers=headers["observer"]))["teams"]  # type: ignore[no-any-return]


def test_the_agreement_team_ranks_first_with_its_reason(client: TestClient, headers, tokens) -> None:
    s = _setup(client, tokens, agreement={})
    teams = _teams(client, headers, s["incident"]["id"])
    assert [t["team_id"] for t in teams[:2]] == [s["agreed"]["id"], s["near"]["id"]]
    assert teams[0]["reasons"][0] == f"service agreement with {s['enterprise']['name']} (Decree 708 art. 10)"
    assert teams[0]["covers"] == ["hazmat", "medical"]


def test_without_an_agreement_the_nearer_team_ranks_first(client: TestClient, headers, tokens) -> None:
    s = _setup(client, tokens, agreement=None)
    ids = [t["team_id"] for t in _teams(client, headers, s["incident"]["id"])]
    assert ids.index(s["near"]["id"]) < ids.index(s["agreed"]["id"])
    assert not any(
        r.startswith("service agreement") for t in _teams(client, headers, s["incident"]["id"]) for r in t["reasons"]
    )


def test_an_agreement_team_beyond_the_search_radius_still_comes_first(client: TestClient, headers, tokens) -> None:
    s = _setup(client, tokens, agreement={})
    teams = _teams(client, headers, s["incident"]["id"], radius_km=1)
    assert teams[0]["team_id"] == s["agreed"]["id"]
    assert 1.9 < teams[0]["distance_km"] < 2.1


def test_an_expired_agreement_brings_no_priority(client: TestClient, headers, tokens) -> None:
    s = _setup(client, tokens, agreement={"valid_from": "2020-01-01", "valid_to": "2021-12-31"})
    assert _teams(client, headers, s["incident"]["id"])[0]["team_id"] == s["near"]["id"]


def test_the_agreement_reads_back_with_its_enterprises(client: TestClient, headers, tokens) -> None:
    e1, e2 = make_enterprise(client, tokens["admin"]), make_enterprise(client, tokens["admin"])
    team = make_team(client, tokens["admin"], kind="social")
    a = make_agreement(client, tokens["admin"], team["id"], enterprise_ids=[e2["id"], e1["id"], e2["id"]])
    assert a["enterprise_ids"] == sorted([e1["id"], e2["id"]])
    assert (
        ok(client.get(f"/api/v1/agreements/{a['id']}", headers=headers["admin"]))["enterprise_ids"]
        == a["enterprise_ids"]
    )


@pytest.mark.parametrize("bad", [[2_000_000_000], [0]])
def test_an_agreement_for_an_unknown_enterprise_is_refused(app: FastAPI, client: TestClient, headers, tokens, bad):
    team = make_team(client, tokens["admin"], kind="social")
    before = row_counts(app)
    body = {
        "team_id": team["id"],
        "hourly_rate_per_person_cny": "80",
        "callout_fee_cny": "0",
        "valid_from": "2024-01-01",
    }
    r = client.post("/api/v1/agreements", json={**body, "enterprise_ids": bad}, headers=headers["admin"])
    assert r.status_code == 422
    assert any(e["field"].startswith("body.enterprise_ids") for e in r.json()["errors"])
    assert row_counts(app) == before


def test_an_agreement_team_out_of_service_is_not_recommended(client: TestClient, headers, tokens) -> None:
    s = _setup(client, tokens, agreement={})
    r = client.post(
        f"/api/v1/teams/{s['agreed']['id']}/status", json={"status": "out_of_service"}, headers=headers["admin"]
    )
    assert ok(r)["status"] == "out_of_service"
    ids = [t["team_id"] for t in _teams(client, headers, s["incident"]["id"])]
    assert ids[0] == s["near"]["id"]
    assert s["agreed"]["id"] not in ids
