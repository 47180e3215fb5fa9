"""What the runner knows of its drill: incident refs, the drill's busy and broken teams, lost stock, the log."""

import json
import random
from dataclasses import dataclass, field
from typing import Any, TextIO

from drills.scenario import Scenario


@dataclass
class World:
    scenario: Scenario
    drill_id: int
    rng: random.Random
    operators: str  # simulated | human
    incidents: dict[str, int] = field(default_factory=dict)  # ref → incident id
    duplicates: dict[int, int] = field(default_factory=dict)  # duplicate incident id → original's
    open_incidents: set[int] = field(default_factory=set)
    busy_teams: dict[int, int] = field(default_factory=dict)  # team id → dispatch id (in this drill)
    broken_teams: set[int] = field(default_factory=set)  # out of service for the rest of the drill
    dispatches: dict[int, dict[str, Any]] = field(default_factory=dict)  # dispatch id → incident, team, eta
    lost_stock: set[tuple[str, str]] = field(default_factory=set)  # (depot name, category)
    aid_answers: dict[tuple[int, str], tuple[str, float]] = field(default_factory=dict)  # → (answer, delay)
    supplies: dict[int, dict[str, int]] = field(default_factory=dict)  # incident id → extra supplies asked
    answered_aid: set[int] = field(default_factory=set)  # mutual-aid request ids seen
    injects_done: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    log_file: TextIO | None = None

    def note(self, at: float, actor: str, action: str, **detail: Any) -> None:
        """One line of the runner's action log, at its planned scenario time (the same for the same seed)."""
        line = {"at": round(at, 3), "actor": actor, "action": action, **detail}
        self.log.append(line)
        if self.log_file is not None:
            self.log_file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.log_file.flush()

    def ref_of(self, incident_id: int) -> str:
        """The scenario's name for an incident (stable across runs, unlike ids)."""
        for ref, known in self.incidents.items():
            if known == incident_id:
                return ref
        original = self.duplicates.get(incident_id)
        return f"duplicate of {self.ref_of(original)}" if original is not None else f"#{incident_id}"

    def uniform(self, bounds: tuple[float, float]) -> float:
        low, high = bounds
        return self.rng.uniform(min(low, high), max(low, high))
