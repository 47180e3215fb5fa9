"""How incident fields map onto CAP 1.2 vocabularies: tables as data, plus the few rules that combine them.

CAP 1.2 (OASIS, 2010) §3.2.1–3.2.2 fixes the value lists used here:
category (Geo Met Safety Security Rescue Fire Health Env Transport Infra CBRNE Other),
urgency (Immediate Expected Future Past Unknown), severity (Extreme Severe
Moderate Minor Unknown), certainty (Observed Likely Possible Unlikely Unknown).
"""

from types import MappingProxyType
from typing import Final

from resources_db.enums import IncidentStatus, IncidentType, Severity

CATEGORY: Final = MappingProxyType(
    {
        IncidentType.fire: "Fire",
        IncidentType.road_traffic: "Transport",
        IncidentType.construction_collapse: "Safety",
        IncidentType.hazchem_leak: "CBRNE",
        IncidentType.mine: "Safety",
        IncidentType.water_rescue: "Rescue",
        IncidentType.ammonia_leak: "CBRNE",
        IncidentType.fireworks_explosion: "CBRNE",
        IncidentType.gas_pipeline: "Infra",
        IncidentType.special_equipment: "Safety",
        IncidentType.crowd_crush: "Safety",
        IncidentType.typhoon_flood: "Met",
        IncidentType.landslide: "Geo",
        IncidentType.other: "Other",
    }
)

EVENT: Final = MappingProxyType(
    {
        IncidentType.fire: ("火灾", "Fire"),
        IncidentType.road_traffic: ("道路交通事故", "Road traffic accident"),
        IncidentType.construction_collapse: ("建筑施工坍塌", "Construction collapse"),
        IncidentType.hazchem_leak: ("危险化学品泄漏", "Hazardous chemical leak"),
        IncidentType.mine: ("矿山事故", "Mine accident"),
        IncidentType.water_rescue: ("水上救援", "Water rescue"),
        IncidentType.ammonia_leak: ("液氨泄漏", "Ammonia leak"),
        IncidentType.fireworks_explosion: ("烟花爆竹爆炸", "Fireworks explosion"),
        IncidentType.gas_pipeline: ("燃气管道事故", "Gas pipeline accident"),
        IncidentType.special_equipment: ("特种设备事故", "Special equipment accident"),
        IncidentType.crowd_crush: ("人群踩踏", "Crowd crush"),
        IncidentType.typhoon_flood: ("台风洪涝", "Typhoon and flood"),
        IncidentType.landslide: ("山体滑坡", "Landslide"),
        IncidentType.other: ("其他突发事件", "Other emergency"),
    }
)

URGENCY: Final = MappingProxyType(
    {
        IncidentStatus.reported: "Immediate",
        IncidentStatus.verified: "Immediate",
        IncidentStatus.responding: "Immediate",
        IncidentStatus.contained: "Expected",
        IncidentStatus.closed: "Past",
        IncidentStatus.dismissed: "Past",
    }
)

SEVERITY: Final = MappingProxyType(
    {
        Severity.especially_serious: "Extreme",
        Severity.serious: "Extreme",
        Severity.major: "Severe",
        Severity.ordinary: "Moderate",
    }
)

CERTAINTY: Final = MappingProxyType(
    {
        IncidentStatus.reported: "Likely",
        IncidentStatus.verified: "Observed",
        IncidentStatus.responding: "Observed",
        IncidentStatus.contained: "Observed",
        IncidentStatus.closed: "Observed",
        IncidentStatus.dismissed: "Unlikely",
    }
)


def category(incident_type: IncidentType) -> str:
    return CATEGORY[incident_type]


def event(incident_type: IncidentType) -> str:
    """Chinese and English name, e.g. "液氨泄漏 Ammonia leak"."""
    zh, en = EVENT[incident_type]
    return f"{zh} {en}"


def urgency(status: IncidentStatus) -> str:
    return URGENCY[status]


def severity(grade: Severity, status: IncidentStatus) -> str:
    """The grade's CAP severity; a dismissed report (false alarm) has none that means anything."""
    return "Unknown" if status is IncidentStatus.dismissed else SEVERITY[grade]


def certainty(status: IncidentStatus) -> str:
    return CERTAINTY[status]


def alert_status(drill_id: int | None) -> str:
    """Exercise data never passes for real (DESIGN §8): drill incidents go out as `Exercise`."""
    return "Actual" if drill_id is None else "Exercise"


def identifier(incident_id: int, version: int) -> str:
    """Stable per incident version, so a re-export of an unchanged incident is the same message."""
    return f"ercp-leizhou-incident-{incident_id}-v{version}"
