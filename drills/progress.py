"""One status line: scenario time, injects played, open incidents (redrawn in place on a terminal)."""

from typing import TextIO

from drills.scenario import Scenario
from drills.timing import format_clock
from drills.world import World

WIDTH = 24


class Progress:
    def __init__(self, out: TextIO, scenario: Scenario, world: World) -> None:
        self.out, self.scenario, self.world = out, scenario, world
        self.planned = sum(1 for j in scenario.injects if j.if_missed is None)
        self.tty = out.isatty()
        self._last = ""

    def line(self, scenario_s: float) -> str:
        share = min(1.0, scenario_s / self.scenario.duration)
        bar = "#" * round(share * WIDTH)
        return (
            f"[{bar:<{WIDTH}}] {format_clock(scenario_s)} / {format_clock(self.scenario.duration)}"
            f"  injects {self.world.injects_done}/{self.planned}"
            f"  open incidents {len(self.world.open_incidents)}"
        )

    def show(self, scenario_s: float, *, final: bool = False) -> None:
        text = self.line(scenario_s)
        if self.tty:
            self.out.write("\r" + text + ("\n" if final else ""))
        elif final or text.split("]")[0] != self._last.split("]")[0]:
            self.out.write(text + "\n")  # not a terminal: one line per bar step
        self._last = text
        self.out.flush()
