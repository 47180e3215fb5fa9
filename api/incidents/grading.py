"""An incident's grade from its figures: art. 3's tiers, the missing counted as dead once the 30/7-day
window has passed (when the rule is on), and whether it is a major near-miss (api.rules.casualties)."""

from dataclasses import dataclass
from datetime import datetime

from api.rules import casualties
from api.rules import severity as severity_rules
from resources_db.enums import IncidentType, Severity
from resources_db.models import Incident


@dataclass(frozen=True, slots=True)
class Grade:
    severity: Severity
    near_miss: bool


def grade_of(
    *,
    type_: IncidentType,
    occurred_at: datetime,
    deaths: int,
    serious_injuries: int,
    direct_loss_cny: int,
    missing: int,
    trapped: int,
    at_risk: int,
    evacuated: int,
    now: datetime,
    missing_rule: bool,
) -> Grade:
    """Art. 3's grade, counting the long-missing as dead when the rule is on, and whether it is a near-miss."""
    counted = casualties.grading_deaths(
        deaths=deaths, missing=missing, incident_type=type_, occurred_at=occurred_at, now=now, enabled=missing_rule
    )
    return Grade(
        severity=severity_rules.grade(counted, serious_injuries, direct_loss_cny),
        near_miss=casualties.is_near_miss(trapped=trapped, missing=missing, at_risk=at_risk, evacuated=evacuated),
    )


def regrade(incident: Incident, *, now: datetime, missing_rule: bool) -> None:
    """Set the incident's severity and near-miss flag from its figures as they stand."""
    g = grade_of(
        type_=incident.type,
        occurred_at=incident.occurred_at,
        deaths=incident.deaths,
        serious_injuries=incident.serious_injuries,
        direct_loss_cny=incident.direct_loss_cny,
        missing=incident.missing,
        trapped=incident.trapped,
        at_risk=incident.at_risk,
        evacuated=incident.evacuated,
        now=now,
        missing_rule=missing_rule,
    )
    incident.severity = g.severity
    incident.near_miss = g.near_miss
