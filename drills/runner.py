"""Run a scenario against the API: start the drill, play the agenda on the scenario clock, end the drill.

Ctrl-C (SIGINT) only sets a flag: the step under way finishes (each is one
or a few atomic API calls), then the drill is ended through the API, so an
interrupted drill is always ended and nothing is left half-written.
"""

import random
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, TextIO

from drills.http import Api
from drills.operators import Operators
from drills.play import Player
from drills.progress import Progress
from drills.scenario import Scenario
from drills.scenario_file import planned_offset
from drills.schedule import Agenda, ScenarioClock
from drills.team_leaders import TeamLeaders
from drills.world import World

# Human operators: how often (scenario seconds, at least one wall second) the runner looks for their dispatches.
POLL_S = 10.0


@dataclass
class Outcome:
    drill_id: int
    interrupted: bool
    world: World


def script_of(scenario: Scenario) -> dict[str, Any]:
    """The evaluation plan sent with the drill (api.drills.schemas.DrillScript)."""
    return {
        "drill_type": f"{scenario.drill_type.form}, {scenario.drill_type.scope}",
        "plan": scenario.plan,
        "duration_s": scenario.duration,
        "objectives": [
            {
                "id": o.id,
                "title": o.title,
                "standard": o.standard,
                "measure": {
                    "interval": o.measure.interval,
                    "within_s": o.measure.within,
                    "actions_met": o.measure.actions_met,
                    "share": o.measure.share,
                },
            }
            for o in scenario.objectives
        ],
        "roles": {
            "controller": [scenario.roles.controller],
            "evaluators": scenario.roles.evaluators,
            "players": scenario.roles.players,
            "simulated": scenario.roles.simulated,
        },
        "targets": {k: {"within_s": t.within, "share": t.share} for k, t in scenario.targets.items()},
        "injects": [
            {
                "id": j.id,
                "kind": j.kind,
                "planned_s": planned_offset(scenario, j.id),
                "contingency_of": j.if_missed,
                "objectives": j.objectives,
                "expected": [
                    {
                        "id": a.id,
                        "what": a.what,
                        "role": a.role,
                        "within_s": a.within,
                        "proof": a.proof,
                        "objectives": a.objectives or j.objectives,
                    }
                    for a in j.expected
                ],
            }
            for j in scenario.injects
        ],
    }


@contextmanager
def interrupt_flag() -> Iterator[threading.Event]:
    """SIGINT sets the flag instead of raising in the middle of a step (main thread only)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    scenario: Scenario,
    api: Api,
    *,
    name: str,
    speed: float = 60.0,
    seed: int = 0,
    operators: str = "simulated",
    stop: threading.Event | None = None,
    out: TextIO = sys.stderr,
    log_file: TextIO | None = None,
) -> Outcome:
    """Start a drill, play the scenario until its end (or `stop`), end the drill."""
    stop = stop or threading.Event()
    drill = api.post(
        "/drills",
        {
            "name": name,
            "scenario": scenario.name[:200],
            "speed": speed,
            "seed": seed,
            "operators": operators,
            "script": script_of(scenario),
        },
    )
    clock = ScenarioClock(speed)  # the drill's scenario time starts with the drill
    rng = random.Random(seed)  # noqa: S311 (the drill's jitter, not security)
    world = World(scenario, drill["id"], rng, operators, log_file=log_file)
    agenda = Agenda()
    leaders = TeamLeaders(api, world, agenda)
    ops = Operators(api, world, agenda, leaders) if operators == "simulated" else None
    if ops is not None:
        leaders.on_aid_approved = ops.aid_approved
    else:
        poll_every = max(POLL_S, speed)

        def poll(at: float) -> None:
            leaders.poll(at)
            agenda.add(at + poll_every, "poll", poll)

        agenda.add(poll_every, "poll", poll)
    Player(api, world, agenda, leaders, ops).schedule_start()
    progress = Progress(out, scenario, world)
    try:
        while not stop.is_set():
            next_at = agenda.next_at()
            until = scenario.duration if next_at is None else min(next_at, scenario.duration)
            wait = clock.wall_until(until)
            if wait > 0:
                progress.show(clock.scenario_s())
                stop.wait(min(wait, 0.25))
                continue
            if next_at is None or next_at > scenario.duration:
                break
            agenda.pop().run(next_at)
    finally:
        api.post(f"/drills/{world.drill_id}/end", {})
        progress.show(min(clock.scenario_s(), scenario.duration), final=True)
    return Outcome(world.drill_id, stop.is_set(), world)
