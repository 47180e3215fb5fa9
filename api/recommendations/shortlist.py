"""Cut thousands of candidate teams down to those `rank_teams` can return, before it runs. Pure.

With 10,000 teams most of the county is inside the search radius, and
`rank_teams` builds reasons and sorts every candidate it is given. But with
`limit=L` it returns only the first L teams of its order plus the fastest
holder of each required capability (api.rules.recommend). Its order starts
with (mutual aid?, 5-minute ETA band), so keeping whole (mutual aid, band)
groups, in that order, until at least L teams are kept, plus each
capability's fastest holders, as many as it needs (same tie-break as
`_fastest_holders`: ETA, own before mutual aid, id), hands `rank_teams` a list
on which it gives exactly the answer it would give on all candidates. A test in
tests/integration/test_recommendations.py checks that on random libraries;
change this with the ranking rule.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from api.rules.recommend import ETA_BAND_MINUTES, needed_teams


class Scored(NamedTuple):
    """One candidate as the shortlist sees it (a tuple: built thousands of times per request)."""

    eta_minutes: float
    mutual_aid: bool
    team_id: int
    capabilities: frozenset[str]


def shortlist(
    teams: Sequence[Scored], required: Iterable[str], limit: int | None, teams_needed: Mapping[str, int] | None = None
) -> list[int]:
    """Indexes (ascending) of the teams to hand to `rank_teams(..., limit=limit, teams_needed=teams_needed)`."""
    if limit is None or len(teams) <= limit:
        return list(range(len(teams)))
    groups = Counter((t.mutual_aid, int(t.eta_minutes // ETA_BAND_MINUTES)) for t in teams)
    kept_groups, kept = set(), 0
    for group in sorted(groups):
        if kept >= limit:
            break
        kept_groups.add(group)
        kept += groups[group]
    holders: dict[str, list[tuple[float, bool, int, int]]] = {cap: [] for cap in required}
    for i, t in enumerate(teams):
        key = (t.eta_minutes, t.mutual_aid, t.team_id, i)
        for cap in t.capabilities & holders.keys():
            holders[cap].append(key)
    keep = {i for i, t in enumerate(teams) if (t.mutual_aid, int(t.eta_minutes // ETA_BAND_MINUTES)) in kept_groups}
    for cap, keys in holders.items():
        keep.update(key[3] for key in heapq.nsmallest(needed_teams(teams_needed, cap), keys))
    return sorted(keep)
