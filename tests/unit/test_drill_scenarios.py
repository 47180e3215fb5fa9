"""Scenario files: the shipped ones load; every error names the file, the line and the field."""

import textwrap

import pytest

from drills import scenario_file
from drills.scenario_file import ScenarioError, parse, planned_offset
from drills.timing import parse_duration

GOOD = textwrap.dedent(
    """\
    name: Small drill
    drill_type: {form: tabletop, scope: single}
    plan: a plan
    duration: "00:30:00"
    objectives:
      - id: O1
        title: Be quick
        standard: 90 % within 60 s
        measure: {interval: call_processing, within: 60s, share: 0.9}
    roles:
      controller: c
      evaluators: [e]
      players: [p]
    injects:
      - id: I1
        at: "00:01:00"
        kind: incident_report
        message: a call
        objectives: [O1]
        incident:
          ref: one
          title: A fire
          type: fire
          place: {town: leicheng}
        expected:
          - {id: verify, what: verify, role: operator, within: 2m, proof: verified}
      - id: C1
        if_missed: I1.verify
        kind: message
        incident: one
        message: again
    """
)


def _problems(text: str) -> list[scenario_file.Problem]:
    with pytest.raises(ScenarioError) as err:
        parse(text, "drill.yaml")
    return err.value.problems


@pytest.mark.parametrize("name", scenario_file.shipped())
def test_every_shipped_scenario_is_valid(name: str) -> None:
    s = scenario_file.load(scenario_file.resolve(name))
    assert len(s.injects) >= 5
    kinds = {j.kind for j in s.injects}
    assert {"incident_report", "duplicate_report", "casualty_update", "team_out_of_service"} <= kinds


def test_three_scenarios_ship() -> None:
    assert set(scenario_file.shipped()) >= {"typhoon_night", "ammonia_cold_store", "highway_pileup"}


def test_a_contingency_is_planned_at_the_end_of_the_missed_window() -> None:
    s = parse(GOOD)
    assert planned_offset(s, "I1") == 60
    assert planned_offset(s, "C1") == 60 + 120


def test_a_wrong_incident_type_names_its_line_and_field() -> None:
    [problem] = _problems(GOOD.replace("type: fire", "type: volcano"))
    assert problem.file == "drill.yaml"
    assert problem.line == GOOD.splitlines().index("      type: fire") + 1
    assert problem.field == "injects[0].incident.type"


def test_a_missing_field_names_the_line_of_its_mapping() -> None:
    [problem] = _problems(GOOD.replace("    standard: 90 % within 60 s\n", ""))
    assert problem.field == "objectives[0].standard"
    assert problem.line == GOOD.splitlines().index("  - id: O1") + 1
    assert "required" in problem.message.lower()


def test_a_bad_duration_says_which_forms_are_accepted() -> None:
    [problem] = _problems(GOOD.replace("within: 2m", "within: soon"))
    assert problem.field == "injects[0].expected[0].within"
    assert problem.line == next(i for i, line in enumerate(GOOD.splitlines(), 1) if "within: 2m" in line)
    assert "HH:MM:SS" in problem.message


def test_an_unknown_reference_names_the_field_that_holds_it() -> None:
    [problem] = _problems(GOOD.replace("if_missed: I1.verify", "if_missed: I1.dispatch"))
    assert problem.field == "injects[1].if_missed"
    assert problem.line == GOOD.splitlines().index("    if_missed: I1.verify") + 1
    assert "I1.dispatch" in problem.message


def test_an_incident_never_reported_is_refused() -> None:
    [problem] = _problems(GOOD.replace("    incident: one\n", "    incident: two\n"))
    assert problem.field == "injects[1].incident"
    assert "two" in problem.message


def test_two_triggers_on_one_inject_are_refused() -> None:
    [problem] = _problems(GOOD.replace('    at: "00:01:00"\n', '    at: "00:01:00"\n    after: C1\n'))
    assert problem.field == "injects[0]"
    assert problem.line == GOOD.splitlines().index("  - id: I1") + 1
    assert "exactly one trigger" in problem.message


def test_an_inject_after_the_end_of_the_drill_is_refused() -> None:
    problems = _problems(GOOD.replace('at: "00:01:00"', 'at: "00:45:00"'))
    assert [p.field for p in problems] == ["injects[0]", "injects[1]"]  # the contingency follows it past the end
    assert all("after the drill ends" in p.message for p in problems)


def test_a_cycle_of_triggers_is_refused() -> None:
    text = GOOD.replace('    at: "00:01:00"\n', "    after: C2\n") + textwrap.indent(
        "- id: C2\n  after: I1\n  kind: message\n  message: loop\n", "  "
    )
    problems = _problems(text)
    # I1 and C2 wait on each other; C1, the contingency of I1, waits on them.
    assert {p.field for p in problems} == {"injects[0]", "injects[1]", "injects[2]"}
    assert all("leads back to itself" in p.message for p in problems)


def test_yaml_syntax_errors_carry_their_line() -> None:
    [problem] = _problems("name: x\ninjects: [\n  - a\n")
    assert problem.line is not None
    assert problem.line >= 2
    assert "not YAML" in problem.message


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90.0), ("90s", 90.0), ("5m", 300.0), ("2h", 7200.0), ("01:30", 90.0), ("1:00:05", 3605.0)],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "1:75", -3, True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match=r"duration|59|negative"):
        parse_duration(text)
