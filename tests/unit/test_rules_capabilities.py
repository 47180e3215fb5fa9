"""The incident-type → capability table is data, complete and validated on load."""

import json
from importlib.resources import files

import pytest

from api.rules.capability_table import (
    DATA_FILE,
    HAZARD_CAPABILITIES,
    REQUIRED_CAPABILITIES,
    NearbyHazard,
    from_hazards,
    from_nearby_hazards,
    incident_requirements,
    merge_requirements,
    parse_table,
    required_for,
)
from resources_db.enums import Capability, HazardKind, IncidentType, RiskLevel

RAW = files("api.rules").joinpath(DATA_FILE).read_text(encoding="utf-8")


def test_every_incident_type_and_hazard_kind_has_an_entry():
    assert set(REQUIRED_CAPABILITIES) == set(IncidentType)
    assert set(HAZARD_CAPABILITIES) == set(HazardKind)
    assert all(REQUIRED_CAPABILITIES.values())


def test_every_code_is_a_capability():
    for caps in [*REQUIRED_CAPABILITIES.values(), *HAZARD_CAPABILITIES.values()]:
        assert all(isinstance(c, Capability) for c in caps)


def test_the_json_file_is_what_is_loaded():
    raw = json.loads(RAW)
    for name, codes in raw["incident_types"].items():
        assert required_for(IncidentType(name)) == frozenset(codes)


@pytest.mark.parametrize(
    ("incident_type", "expected"),
    [
        (IncidentType.hazchem_leak, {"hazmat", "fire_suppression", "decontamination", "medical"}),
        (IncidentType.water_rescue, {"water_rescue", "boat", "diving", "medical"}),
        (IncidentType.construction_collapse, {"structural_collapse", "heavy_equipment", "medical"}),
    ],
)
def test_design_examples(incident_type, expected):
    assert required_for(incident_type) == expected


def test_unknown_capability_code_is_refused():
    raw = json.loads(RAW)
    raw["incident_types"]["fire"] = ["fire_suppresion"]
    with pytest.raises(ValueError, match="fire_suppresion"):
        parse_table(json.dumps(raw))


def test_missing_incident_type_is_refused():
    raw = json.loads(RAW)
    del raw["incident_types"]["landslide"]
    with pytest.raises(ValueError, match="landslide"):
        parse_table(json.dumps(raw))


def test_unknown_hazard_kind_is_refused():
    raw = json.loads(RAW)
    raw["hazard_kinds"]["volcano"] = ["hazmat"]
    with pytest.raises(ValueError, match="volcano"):
        parse_table(json.dumps(raw))


def test_only_red_and_orange_hazards_add_capabilities():
    needs = from_hazards(
        [
            (HazardKind.ammonia_refrigeration, RiskLevel.red),
            (HazardKind.fireworks_store, RiskLevel.orange),
            (HazardKind.mine, RiskLevel.yellow),
            (HazardKind.crowded_place, RiskLevel.blue),
        ]
    )
    assert set(needs) == {"hazmat", "decontamination", "explosive_handling", "fire_suppression"}
    assert "ammonia_refrigeration" in needs["hazmat"]


def test_nearby_hazards_respect_the_radius_and_name_the_distance():
    needs = from_nearby_hazards(
        [
            NearbyHazard(HazardKind.ammonia_refrigeration, RiskLevel.red, 0.42, "冷库"),
            NearbyHazard(HazardKind.mine, RiskLevel.red, 1.5),
        ]
    )
    assert set(needs) == {"hazmat", "decontamination"}
    assert needs["hazmat"] == "needed for red ammonia_refrigeration source 0.4 km away (冷库)"


def test_merge_keeps_every_reason_once():
    merged = merge_requirements(
        incident_requirements(IncidentType.fire),
        from_hazards([(HazardKind.gas_station, RiskLevel.red)]),
        incident_requirements(IncidentType.fire),
    )
    assert merged["fire_suppression"] == "required for fire; needed for red gas_station source nearby"
    assert merged["hazmat"] == "needed for red gas_station source nearby"
    assert merged["medical"] == "required for fire"
