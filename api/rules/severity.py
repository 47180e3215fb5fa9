"""Accident grading of 生产安全事故报告和调查处理条例 art. 3 (DESIGN §7).

An accident takes the highest tier that ANY of its three figures reaches: one
death with 60 million CNY of direct loss is a serious (重大) accident. The
regulation's ranges ("10 to 29 deaths", "50 to 100 million") share their end
points; art. 3 reads "以上" as inclusive and "以下" as exclusive, so each tier
starts exactly at its lower figure: 10,000,000 CNY is major, 50,000,000 serious
and 100,000,000 especially serious.
"""

from collections.abc import Mapping
from types import MappingProxyType

from resources_db.enums import Severity

# Lowest figure of each tier, highest tier first: (severity, deaths, serious injuries, direct loss CNY).
_THRESHOLDS: tuple[tuple[Severity, int, int, int], ...] = (
    (Severity.especially_serious, 30, 100, 100_000_000),
    (Severity.serious, 10, 50, 50_000_000),
    (Severity.major, 3, 10, 10_000_000),
)

SEVERITY_RANK: Mapping[Severity, int] = MappingProxyType({s: i for i, s in enumerate(Severity)})
"""0 for ordinary up to 3 for especially_serious (Severity is declared lowest first)."""


def grade(deaths: int, serious_injuries: int, direct_loss_cny: int) -> Severity:
    """The highest tier any figure reaches; negative figures are a caller bug, not an ordinary accident."""
    for name, value in (
        ("deaths", deaths),
        ("serious_injuries", serious_injuries),
        ("direct_loss_cny", direct_loss_cny),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    for severity, min_deaths, min_injuries, min_loss in _THRESHOLDS:
        if deaths >= min_deaths or serious_injuries >= min_injuries or direct_loss_cny >= min_loss:
            return severity
    return Severity.ordinary


def is_higher(a: Severity, b: Severity) -> bool:
    """True when `a` is a strictly higher grade than `b` (a re-grade upward)."""
    return SEVERITY_RANK[a] > SEVERITY_RANK[b]


def highest(*grades: Severity) -> Severity:
    """The highest of the given grades (ordinary when none are given)."""
    return max(grades, key=SEVERITY_RANK.__getitem__, default=Severity.ordinary)
