"""The scenario clock and the agenda of things to do at scenario times.

Everything the runner does is an entry on one agenda ordered by (scenario
time, insertion number). Random draws happen when entries run, in that
order, so one seed always gives the same sequence of actions whatever the
API's response times: the wall clock decides only *when* an entry runs.
"""

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class ScenarioClock:
    """Scenario seconds since the start, at `speed` scenario seconds per wall second."""

    def __init__(self, speed: float, now: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._now = now
        self._start = now()

    def scenario_s(self) -> float:
        return (self._now() - self._start) * self.speed

    def wall_until(self, scenario_s: float) -> float:
        """Wall seconds from now until that scenario time (≤ 0 when it has passed)."""
        return (scenario_s - self.scenario_s()) / self.speed


@dataclass(order=True)
class Entry:
    at: float
    order: int
    label: str = field(compare=False)
    run: Callable[[float], None] = field(compare=False)


class Agenda:
    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._order = itertools.count()

    def add(self, at: float, label: str, run: Callable[[float], None]) -> None:
        """Do `run(at)` at scenario time `at`."""
        heapq.heappush(self._heap, Entry(at, next(self._order), label, run))

    def next_at(self) -> float | None:
        return self._heap[0].at if self._heap else None

    def pop(self) -> Entry:
        return heapq.heappop(self._heap)

    def __len__(self) -> int:
        return len(self._heap)
