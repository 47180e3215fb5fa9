"""Read a scenario YAML file: pydantic validation, then the cross-references, each error with file, line and field."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drills import yaml_lines
from drills.scenario import IncidentReport, Scenario

SCENARIO_DIR = Path(__file__).parent / "scenarios"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field or '(document)'}: {self.message}"


class ScenarioError(ValueError):
    """The file is not a valid scenario; `problems` lists each with its line and field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def field_name(loc: Sequence[str | int]) -> str:
    """`injects[2].incident.type` from ('injects', 2, 'incident', 'type')."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def data_path(data: Any, loc: Sequence[str | int], *, missing: bool = False) -> tuple[str | int, ...]:
    """pydantic's loc with the parts that are not in the document (union tags) left out.

    A `missing` field keeps its last part: it is the field's name, absent from the document by definition.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        if in_dict or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        elif not (missing and i == len(loc) - 1):
            continue  # a tag such as the inject kind: skip it, keep walking
        path.append(part)
    return tuple(path)


def resolve(name: str) -> Path:
    """A path as given, or a scenario shipped in drills/scenarios (`typhoon_night` or `typhoon_night.yaml`)."""
    path = Path(name)
    if path.exists():
        return path
    for candidate in (SCENARIO_DIR / name, SCENARIO_DIR / f"{name}.yaml"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no scenario file {name!r} (shipped: {', '.join(shipped())})")


def shipped() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load(path: Path | str) -> Scenario:
    """The validated scenario; ScenarioError names the file, line and field of each problem."""
    path = Path(path)
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, filename: str = "<scenario>") -> Scenario:
    try:
        data, lines = yaml_lines.load(text)
    except yaml_lines.YamlSyntaxError as exc:
        raise ScenarioError([Problem(filename, exc.line, "", f"not YAML: {exc}")]) from exc
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = data_path(data, err["loc"], missing=err["type"] == "missing")
            problems.append(Problem(filename, yaml_lines.line_of(lines, path), field_name(path), err["msg"]))
        raise ScenarioError(problems) from None
    found = [
        Problem(filename, yaml_lines.line_of(lines, loc), field_name(loc), message)
        for loc, message in cross_check(scenario)
    ]
    if found:
        raise ScenarioError(found)
    return scenario


def _duplicates(keys: Sequence[str]) -> Iterator[int]:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            yield i
        seen.add(key)


def cross_check(s: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """References between parts of the scenario: ids unique and defined, triggers acyclic and within the drill."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    objectives = {o.id for o in s.objectives}
    out += [(("objectives", i, "id"), "duplicate objective id") for i in _duplicates([o.id for o in s.objectives])]
    out += [(("injects", i, "id"), "duplicate inject id") for i in _duplicates([j.id for j in s.injects])]
    injects = {j.id: j for j in s.injects}
    refs = [j.incident.ref for j in s.injects if isinstance(j, IncidentReport)]
    reports = [i for i, j in enumerate(s.injects) if isinstance(j, IncidentReport)]
    out += [(("injects", reports[k], "incident", "ref"), "duplicate incident ref") for k in _duplicates(refs)]
    for i, j in enumerate(s.injects):
        at = ("injects", i)
        out += [((*at, "objectives"), f"unknown objective {o!r}") for o in j.objectives if o not in objectives]
        for a, action in enumerate(j.expected):
            bad = [o for o in action.objectives if o not in objectives]
            out += [((*at, "expected", a, "objectives"), f"unknown objective {o!r}") for o in bad]
            if not action.objectives and not j.objectives:
                out.append(((*at, "expected", a), "serves no objective: list them on the action or the inject"))
        out += [((*at, "expected", a, "id"), "duplicate action id") for a in _duplicates([x.id for x in j.expected])]
        for name in ("incident", "of"):
            ref = getattr(j, name, None)
            if isinstance(ref, str) and ref not in refs:
                out.append(((*at, name), f"no incident_report inject defines incident {ref!r}"))
        if j.after is not None and (j.after not in injects or j.after == j.id):
            out.append(((*at, "after"), f"no other inject {j.after!r}"))
        if j.if_missed is not None:
            target, action_id = j.if_missed.split(".", 1)
            if target not in injects or action_id not in {x.id for x in injects[target].expected}:
                out.append(((*at, "if_missed"), f"no expected action {j.if_missed!r}"))
    if out:
        return out
    for i, j in enumerate(s.injects):
        offset = planned_offset(s, j.id)
        if offset is None:
            out.append((("injects", i), "its trigger leads back to itself"))
        elif offset > s.duration:
            out.append((("injects", i), f"planned at {offset:.0f} s, after the drill ends ({s.duration:.0f} s)"))
    return out


def planned_offset(s: Scenario, inject_id: str, seen: frozenset[str] = frozenset()) -> float | None:
    """Planned scenario time of an inject (a contingency at its action's window end); None on a cycle."""
    if inject_id in seen:
        return None
    j = next(x for x in s.injects if x.id == inject_id)
    if j.at is not None:
        return j.at
    if j.after is not None:
        base = planned_offset(s, j.after, seen | {inject_id})
        return None if base is None else base + j.delay
    assert j.if_missed is not None
    target, action_id = j.if_missed.split(".", 1)
    base = planned_offset(s, target, seen | {inject_id})
    window = next(a.within for a in next(x for x in s.injects if x.id == target).expected if a.id == action_id)
    return None if base is None else base + window + j.delay
