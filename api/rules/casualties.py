"""Missing persons and major near-misses: figures beyond art. 3's three that change how an incident is reported.

- Missing persons (下落不明) do not grade an accident directly (生产安全事故报告和调查处理条例 art. 3
  counts deaths, serious injuries and direct loss), but the work-safety regulator's 2013 rules count
  persons still missing 30 days after the accident (7 days for road traffic and fire, the same windows
  as art. 13) as dead, and the accident is re-graded on that count.
- A major near-miss (较大涉险事故): 3 or more people trapped or missing, 10 or more whose safety is at
  risk, or 500 or more evacuated; it is reported although nobody died (the same regulator's rules).
"""

from datetime import datetime, timedelta

from api.rules.reporting import supplementary_window
from resources_db.enums import IncidentType

NEAR_MISS_TRAPPED_OR_MISSING = 3
NEAR_MISS_AT_RISK = 10
NEAR_MISS_EVACUATED = 500


def is_near_miss(*, trapped: int, missing: int, at_risk: int, evacuated: int) -> bool:
    """Whether the figures reach a major near-miss; each threshold counts from its own figure up ("以上")."""
    return (
        trapped + missing >= NEAR_MISS_TRAPPED_OR_MISSING
        or at_risk >= NEAR_MISS_AT_RISK
        or evacuated >= NEAR_MISS_EVACUATED
    )


def missing_window(incident_type: IncidentType) -> timedelta:
    """How long a person may stay missing before counting as dead: art. 13's 30 days, 7 for road traffic and fire."""
    return supplementary_window(incident_type)


def counts_as_dead_from(incident_type: IncidentType, occurred_at: datetime) -> datetime:
    """The first instant at which persons still missing count as dead ("after" 30 days: strictly past the window)."""
    if occurred_at.tzinfo is None:
        raise ValueError(f"occurred_at must be timezone-aware, got naive {occurred_at.isoformat()}")
    return occurred_at + missing_window(incident_type) + timedelta(microseconds=1)


def grading_deaths(
    *, deaths: int, missing: int, incident_type: IncidentType, occurred_at: datetime, now: datetime, enabled: bool
) -> int:
    """Deaths as the grade counts them: the dead, plus the missing once the window has passed (when enabled)."""
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    if enabled and missing > 0 and now >= counts_as_dead_from(incident_type, occurred_at):
        return deaths + missing
    return deaths
