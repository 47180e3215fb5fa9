"""The runner's clock, agenda, progress line and the evaluation plan it sends with the drill."""

import io
import random

from drills.progress import Progress
from drills.runner import script_of
from drills.scenario_file import load, resolve
from drills.schedule import Agenda, ScenarioClock
from drills.world import World


def test_the_agenda_runs_entries_by_scenario_time_then_by_insertion() -> None:
    agenda = Agenda()
    done: list[str] = []
    for at, label in ((30.0, "c"), (10.0, "a"), (30.0, "d"), (10.0, "b")):
        agenda.add(at, label, lambda t: None)
    while len(agenda):
        done.append(agenda.pop().label)
    assert done == ["a", "b", "c", "d"]


def test_the_scenario_clock_runs_at_its_speed() -> None:
    now = [100.0]
    clock = ScenarioClock(60.0, now=lambda: now[0])
    now[0] += 2.5
    assert clock.scenario_s() == 150.0
    assert clock.wall_until(300.0) == 2.5


def test_the_progress_line_shows_scenario_time_injects_and_open_incidents() -> None:
    scenario = load(resolve("highway_pileup"))
    world = World(scenario, 1, random.Random(0), "simulated")
    world.injects_done = 3
    world.open_incidents = {4, 5}
    line = Progress(io.StringIO(), scenario, world).line(45 * 60)
    assert "0:45:00 / 1:30:00" in line
    assert "injects 3/6" in line  # the contingency is not counted as planned
    assert "open incidents 2" in line
    assert line.startswith("[" + "#" * 12 + " " * 12 + "]")


def test_the_evaluation_plan_carries_planned_times_and_contingencies() -> None:
    script = script_of(load(resolve("typhoon_night")))
    injects = {i["id"]: i for i in script["injects"]}
    assert injects["I7"]["planned_s"] == 3600 + 600  # ten minutes after the landslide
    assert injects["C1"]["contingency_of"] == "I1.dispatch"
    assert injects["C1"]["planned_s"] == 300 + 180
    verify = injects["I1"]["expected"][0]
    assert (verify["within_s"], verify["proof"], verify["objectives"]) == (120.0, "verified", ["O1"])  # the inject's
    report = injects["I1"]["expected"][3]
    assert (report["proof"], report["objectives"]) == ("escalated", ["O2"])  # its own
    assert {o["id"] for o in script["objectives"]} == {"O1", "O2", "O3", "O4"}
