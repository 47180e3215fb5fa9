"""A drill's evaluation from its recorded facts: pure functions, no I/O (AQ/T 9009 report, HSEEP after-action).

Every figure is in scenario time: wall-clock seconds × the drill's speed.
Actions by the drill's simulated actors (the runner's account) are counted
apart from the players' and never rated: an interval's rating uses the
players' samples only.

Default targets (a scenario may override them):
- call processing, report → first dispatch: 90 % within 60 s (NFPA 1225, 2022);
- turnout: 90 % within 80 s (NFPA 1710, fire; 60 s for medical, which a scenario sets).
The issue that asked for this report names turnout acknowledged → en route and
travel en route → on scene; those are the intervals computed here.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_TARGETS: dict[str, dict[str, float]] = {
    "call_processing": {"within_s": 60.0, "share": 0.9},  # NFPA 1225 (2022)
    "turnout": {"within_s": 80.0, "share": 0.9},  # NFPA 1710, fire
}
INTERVALS = ("report_to_verified", "verified_to_dispatch", "call_processing", "acknowledge", "turnout", "travel")

# proof → (timeline kind, the `after` field that must match, its value) of an incident's timeline entry.
PROOFS: dict[str, tuple[str, str | None, str | None]] = {
    "verified": ("incident.status", "status", "verified"),
    "dismissed": ("incident.status", "status", "dismissed"),
    "dispatched": ("dispatch.create", None, None),
    "acknowledged": ("dispatch.status", "status", "acknowledged"),
    "supplies_reserved": ("allocation.reserved", None, None),
    "escalated": ("escalation.report", None, None),
    "mutual_aid_requested": ("mutual_aid.request", None, None),
    "mutual_aid_answered": ("mutual_aid.approve", None, None),
    "casualties_updated": ("incident.update", None, None),
}
ANSWERS = ("mutual_aid.approve", "mutual_aid.decline")


@dataclass(frozen=True, slots=True)
class Entry:
    """One timeline entry of a drill incident."""

    incident_id: int
    at: datetime
    actor: str
    kind: str
    after: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DispatchFacts:
    id: int
    incident_id: int
    team_id: int
    dispatched_at: datetime
    actor: str
    stamps: Mapping[str, datetime]  # status → time
    actors: Mapping[str, str]  # status → who reported it


@dataclass(frozen=True, slots=True)
class Delivered:
    inject: str
    kind: str
    planned_s: float
    delivered_at: datetime
    incident_id: int | None


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    id: int
    incident_id: int
    level: str
    kind: str
    scheduled_at: datetime
    due_at: datetime
    reported_at: datetime | None
    reported_by: str | None


@dataclass(slots=True)
class Facts:
    started_at: datetime
    now: datetime
    speed: float
    simulated: frozenset[str]
    script: Mapping[str, Any]
    incidents: Mapping[int, datetime] = field(default_factory=dict)  # id → reported_at
    entries: Sequence[Entry] = ()
    dispatches: Sequence[DispatchFacts] = ()
    injects: Sequence[Delivered] = ()
    escalations: Sequence[EscalationFacts] = ()


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0–100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def scenario_s(facts: Facts, start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() * facts.speed, 3)


def summarize(samples: Sequence[Mapping[str, Any]], target: Mapping[str, float] | None) -> dict[str, Any]:
    """P50 / P90 and the share within target, for players and simulated actors apart; rated on players only."""
    out: dict[str, Any] = {"target": dict(target) if target else None}
    for group, simulated in (("players", False), ("simulated", True)):
        values = [float(s["seconds"]) for s in samples if s["simulated"] is simulated]
        within = None
        if target and values:
            within = round(sum(v <= target["within_s"] for v in values) / len(values), 4)
        out[group] = {"n": len(values), "p50": percentile(values, 50), "p90": percentile(values, 90), "within": within}
    players = out["players"]
    out["met"] = None if not target or not players["n"] else players["within"] >= target["share"]
    return out


def _first(entries: Iterable[Entry], kind: str, key: str | None, value: str | None) -> Entry | None:
    for e in entries:
        if e.kind == kind and (key is None or str(e.after.get(key)) == value):
            return e
    return None


def interval_samples(facts: Facts) -> dict[str, list[dict[str, Any]]]:
    """Each interval's samples: per incident (report → verified → dispatch) and per dispatch (the team's chain)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in INTERVALS}
    by_incident: dict[int, list[Entry]] = {}
    for e in sorted(facts.entries, key=lambda e: e.at):
        by_incident.setdefault(e.incident_id, []).append(e)
    first_dispatch: dict[int, DispatchFacts] = {}
    for d in sorted(facts.dispatches, key=lambda d: d.dispatched_at):
        first_dispatch.setdefault(d.incident_id, d)

    def add(name: str, start: datetime, end: datetime, actor: str, **ids: int) -> None:
        seconds = scenario_s(facts, start, end)
        out[name].append({**ids, "seconds": seconds, "actor": actor, "simulated": actor in facts.simulated})

    for incident_id, reported_at in sorted(facts.incidents.items()):
        verified = _first(by_incident.get(incident_id, []), "incident.status", "status", "verified")
        first = first_dispatch.get(incident_id)
        if verified is not None:
            add("report_to_verified", reported_at, verified.at, verified.actor, incident_id=incident_id)
        if first is not None:
            add("call_processing", reported_at, first.dispatched_at, first.actor, incident_id=incident_id)
            if verified is not None and first.dispatched_at >= verified.at:
                add("verified_to_dispatch", verified.at, first.dispatched_at, first.actor, incident_id=incident_id)
    chain = (("acknowledge", None, "acknowledged"), ("turnout", "acknowledged", "en_route"))
    for d in facts.dispatches:
        for name, begin, end in (*chain, ("travel", "en_route", "on_scene")):
            start = d.dispatched_at if begin is None else d.stamps.get(begin)
            stop = d.stamps.get(end)
            if start is not None and stop is not None:
                add(name, start, stop, d.actors.get(end, d.actor), incident_id=d.incident_id, dispatch_id=d.id)
    return out


def expected_actions(facts: Facts) -> list[dict[str, Any]]:
    """Each delivered inject's expected actions: met, late, missed, or pending (its window was still open at the
    evaluation, or when the drill ended: a window the drill cut short is not counted as missed)."""
    plan = {i["id"]: i for i in facts.script.get("injects", [])}
    out: list[dict[str, Any]] = []
    for delivered in facts.injects:
        planned = plan.get(delivered.inject)
        if planned is None:
            continue
        scope = [e for e in facts.entries if e.at >= delivered.delivered_at]
        if delivered.incident_id is not None:
            scope = [e for e in scope if e.incident_id == delivered.incident_id]
        scope.sort(key=lambda e: e.at)
        for action in planned.get("expected", []):
            kind, key, value = PROOFS[action["proof"]]
            proof = (
                next((e for e in scope if e.kind in ANSWERS), None)
                if action["proof"] == "mutual_aid_answered"
                else _first(scope, kind, key, value)
            )
            window = float(action["within_s"])
            elapsed = None if proof is None else scenario_s(facts, delivered.delivered_at, proof.at)
            so_far = scenario_s(facts, delivered.delivered_at, facts.now)
            if elapsed is not None:
                outcome = "met" if elapsed <= window else "late"
            else:
                outcome = "pending" if so_far <= window else "missed"
            out.append(
                {
                    "inject": delivered.inject,
                    "action": action["id"],
                    "what": action["what"],
                    "role": action["role"],
                    "proof": action["proof"],
                    "window_s": window,
                    "elapsed_s": elapsed,
                    "outcome": outcome,
                    "actor": proof.actor if proof else None,
                    "simulated": proof is not None and proof.actor in facts.simulated,
                    "objectives": list(action.get("objectives") or planned.get("objectives", [])),
                }
            )
    return out


def escalation_results(facts: Facts) -> list[dict[str, Any]]:
    """Each reporting step against its legal allowance (due − scheduled), the time taken scaled to scenario time."""
    out = []
    for e in sorted(facts.escalations, key=lambda e: (e.incident_id, e.due_at)):
        allowance = (e.due_at - e.scheduled_at).total_seconds()
        taken = scenario_s(facts, e.scheduled_at, e.reported_at) if e.reported_at else None
        if taken is not None:
            outcome = "on_time" if taken <= allowance else "late"
        else:
            so_far = scenario_s(facts, e.scheduled_at, facts.now)
            outcome = "pending" if so_far <= allowance else "not_reported"
        out.append(
            {
                "id": e.id,
                "incident_id": e.incident_id,
                "level": e.level,
                "kind": e.kind,
                "allowance_s": allowance,
                "taken_s": taken,
                "outcome": outcome,
                "reported_by": e.reported_by,
                "simulated": e.reported_by in facts.simulated if e.reported_by else False,
            }
        )
    return out


def timeline(facts: Facts) -> list[dict[str, Any]]:
    """Planned against actual inject times."""
    return [
        {
            "inject": d.inject,
            "kind": d.kind,
            "incident_id": d.incident_id,
            "planned_s": d.planned_s,
            "actual_s": (actual := scenario_s(facts, facts.started_at, d.delivered_at)),
            "drift_s": round(actual - d.planned_s, 3),
        }
        for d in sorted(facts.injects, key=lambda d: d.delivered_at)
    ]


def objective_results(
    facts: Facts, actions: Sequence[Mapping[str, Any]], intervals: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Per objective: its actions met / late / missed, the contingencies fired, and whether its measure was met."""
    plan = {i["id"]: i for i in facts.script.get("injects", [])}
    fired = [d.inject for d in facts.injects if plan.get(d.inject, {}).get("contingency_of")]
    out = []
    for objective in facts.script.get("objectives", []):
        mine = [a for a in actions if objective["id"] in a["objectives"]]
        counts = {k: sum(a["outcome"] == k for a in mine) for k in ("met", "late", "missed", "pending")}
        measure = objective["measure"]
        achieved: bool | None
        simulated_value = None
        if measure.get("interval"):
            target = {"within_s": float(measure["within_s"]), "share": float(measure["share"])}
            summary = summarize(interval_samples_for(intervals, measure["interval"]), target)
            achieved, value = summary["met"], summary["players"]["within"]
            simulated_value = summary["simulated"]["within"]
        else:
            decided = counts["met"] + counts["late"] + counts["missed"]
            value = round(counts["met"] / decided, 4) if decided else None
            achieved = None if value is None else value >= float(measure["actions_met"])
        out.append(
            {
                "id": objective["id"],
                "title": objective["title"],
                "standard": objective["standard"],
                "actions": counts,
                "contingencies_fired": [i for i in fired if objective["id"] in plan[i].get("objectives", [])],
                "measured": value,
                "measured_simulated": simulated_value,  # shown apart, never rated
                "achieved": achieved,
            }
        )
    return out


def interval_samples_for(intervals: Mapping[str, Mapping[str, Any]], name: str) -> list[dict[str, Any]]:
    return list(intervals.get(name, {}).get("samples", []))


def evaluate(facts: Facts) -> dict[str, Any]:
    """The computed part of the evaluation (the evaluator's part is added by the caller)."""
    targets = {**DEFAULT_TARGETS, **dict(facts.script.get("targets", {}))}
    samples = interval_samples(facts)
    intervals = {name: {**summarize(s, targets.get(name)), "samples": s} for name, s in samples.items()}
    actions = expected_actions(facts)
    escalations = escalation_results(facts)
    simulated_actions = sum(1 for e in facts.entries if e.actor in facts.simulated)
    return {
        "timeline": timeline(facts),
        "intervals": intervals,
        "expected_actions": actions,
        "objectives": objective_results(facts, actions, intervals),
        "escalations": escalations,
        "escalation_summary": {
            k: sum(e["outcome"] == k for e in escalations) for k in ("on_time", "late", "not_reported", "pending")
        },
        "actions_by": {"players": len(facts.entries) - simulated_actions, "simulated": simulated_actions},
    }
