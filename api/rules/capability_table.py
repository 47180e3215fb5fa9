"""Which capabilities an incident needs, read from `required_capabilities.json` (DESIGN §6).

The mapping is data, not code branches: adding a type or changing what it needs
is an edit to the JSON file. The file is read once at import and validated
strictly (every IncidentType and HazardKind present, every code a Capability,
nothing unknown), so a typo stops the application at start-up instead of
silently recommending no team.

Hazard sources feed the recommendation too (DESIGN §7): a red or orange source
within 1 km of the incident adds its capabilities, e.g. a fire beside an
ammonia cold store needs hazmat. Yellow and blue sources are shown but add nothing.

Requirements travel as `dict[capability code, reason text]`; the reason reads
after "has hazmat (...)" in the recommendation, e.g. "required for hazchem_leak".
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from types import MappingProxyType
from typing import TypeVar

from resources_db.enums import Capability, HazardKind, IncidentType, RiskLevel

DATA_FILE = "required_capabilities.json"
FEEDING_RISK_LEVELS: frozenset[RiskLevel] = frozenset({RiskLevel.red, RiskLevel.orange})
HAZARD_RADIUS_KM = 1.0

K = TypeVar("K", bound=StrEnum)


def _section(raw: object, key: str, keys: type[K]) -> Mapping[K, frozenset[Capability]]:
    section = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(section, dict):
        raise ValueError(f"{DATA_FILE}: '{key}' must be an object")
    known = {k.value for k in keys}
    unknown_keys, missing_keys = sorted(set(section) - known), sorted(known - set(section))
    if unknown_keys or missing_keys:
        raise ValueError(f"{DATA_FILE}: '{key}' has unknown entries {unknown_keys}, lacks {missing_keys}")
    out: dict[K, frozenset[Capability]] = {}
    for name, codes in section.items():
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            raise ValueError(f"{DATA_FILE}: '{key}.{name}' must be a non-empty list of capability codes")
        bad = sorted(set(codes) - {c.value for c in Capability})
        if bad:
            raise ValueError(f"{DATA_FILE}: '{key}.{name}' has unknown capability codes {bad}")
        out[keys(name)] = frozenset(Capability(c) for c in codes)
    return MappingProxyType(out)


def parse_table(
    text: str,
) -> tuple[Mapping[IncidentType, frozenset[Capability]], Mapping[HazardKind, frozenset[Capability]]]:
    """Parse and validate the JSON text; raises ValueError on any unknown or missing entry."""
    raw: object = json.loads(text)
    return _section(raw, "incident_types", IncidentType), _section(raw, "hazard_kinds", HazardKind)


def _load() -> tuple[Mapping[IncidentType, frozenset[Capability]], Mapping[HazardKind, frozenset[Capability]]]:
    return parse_table(files(__package__ or "api.rules").joinpath(DATA_FILE).read_text(encoding="utf-8"))


REQUIRED_CAPABILITIES, HAZARD_CAPABILITIES = _load()


def required_for(incident_type: IncidentType) -> frozenset[str]:
    """The capability codes an incident of this type needs."""
    return frozenset(c.value for c in REQUIRED_CAPABILITIES[incident_type])


def incident_requirements(incident_type: IncidentType) -> dict[str, str]:
    """`required_for` with its reason text, ready to merge with hazard needs."""
    return dict.fromkeys(sorted(required_for(incident_type)), f"required for {incident_type.value}")


@dataclass(frozen=True)
class NearbyHazard:
    """A hazard source as the recommender sees it: kind, grade and distance to the incident."""

    kind: HazardKind
    risk_level: RiskLevel
    distance_km: float
    name: str = ""


def from_hazards(kinds_and_levels: Iterable[tuple[HazardKind, RiskLevel]]) -> dict[str, str]:
    """Capabilities red/orange sources add (the caller has already kept those within 1 km)."""
    out: dict[str, str] = {}
    for kind, level in kinds_and_levels:
        if level in FEEDING_RISK_LEVELS:
            for cap in sorted(HAZARD_CAPABILITIES[kind]):
                out.setdefault(cap.value, f"needed for {level.value} {kind.value} source nearby")
    return out


def from_nearby_hazards(hazards: Iterable[NearbyHazard], *, radius_km: float = HAZARD_RADIUS_KM) -> dict[str, str]:
    """Like `from_hazards`, filtering by distance itself and naming it: the nearest source gives the reason."""
    out: dict[str, str] = {}
    for h in sorted(hazards, key=lambda h: h.distance_km):
        if h.risk_level in FEEDING_RISK_LEVELS and h.distance_km <= radius_km:
            label = f"{h.risk_level.value} {h.kind.value} source {h.distance_km:.1f} km away"
            if h.name:
                label += f" ({h.name})"
            for cap in sorted(HAZARD_CAPABILITIES[h.kind]):
                out.setdefault(cap.value, f"needed for {label}")
    return out


def merge_requirements(*parts: Mapping[str, str]) -> dict[str, str]:
    """Union of requirement maps; a capability needed for several reasons keeps them all, joined by "; "."""
    out: dict[str, str] = {}
    for part in parts:
        for cap, reason in part.items():
            out[cap] = f"{out[cap]}; {reason}" if cap in out and reason not in out[cap] else out.get(cap, reason)
    return out
