"""The drill evaluation's arithmetic: scenario time, players apart from simulated actors, windows, deadlines."""

from datetime import UTC, datetime, timedelta

import pytest

from api.drills.evaluation import (
    Delivered,
    DispatchFacts,
    Entry,
    EscalationFacts,
    Facts,
    escalation_results,
    evaluate,
    expected_actions,
    percentile,
    summarize,
)

T0 = datetime(2026, 7, 17, 14, 0, tzinfo=UTC)
RUNNER = "controller"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def facts(**kw: object) -> Facts:
    base: dict[str, object] = {
        "started_at": T0,
        "now": at(600),
        "speed": 10.0,
        "simulated": frozenset({RUNNER}),
        "script": {},
    }
    return Facts(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(("q", "expected"), [(50, 3.0), (90, 5.0), (100, 5.0), (1, 1.0)])
def test_percentile_is_nearest_rank(q: float, expected: float) -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], q) == expected


def test_percentile_of_nothing_is_none() -> None:
    assert percentile([], 50) is None


def test_only_players_are_rated() -> None:
    samples = [
        {"seconds": 30.0, "simulated": False},
        {"seconds": 90.0, "simulated": False},
        {"seconds": 10.0, "simulated": True},
    ]
    out = summarize(samples, {"within_s": 60.0, "share": 0.9})
    assert out["players"] == {"n": 2, "p50": 30.0, "p90": 90.0, "within": 0.5}
    assert out["simulated"]["n"] == 1
    assert out["met"] is False
    assert summarize(samples[2:], {"within_s": 60.0, "share": 0.9})["met"] is None


def test_intervals_are_in_scenario_time() -> None:
    f = facts(
        incidents={1: at(0)},
        entries=[Entry(1, at(3), "operator", "incident.status", {"status": "verified"})],
        dispatches=[
            DispatchFacts(
                7, 1, 70, at(5), "operator", {"acknowledged": at(6), "en_route": at(10)}, {"en_route": RUNNER}
            )
        ],
    )
    intervals = evaluate(f)["intervals"]
    assert intervals["report_to_verified"]["samples"][0]["seconds"] == 30.0
    assert intervals["call_processing"]["samples"][0]["seconds"] == 50.0
    assert intervals["verified_to_dispatch"]["samples"][0]["seconds"] == 20.0
    turnout = intervals["turnout"]["samples"][0]
    assert (turnout["seconds"], turnout["simulated"]) == (40.0, True)


def test_expected_actions_met_late_missed_and_pending() -> None:
    script = {
        "injects": [
            {
                "id": "I1",
                "expected": [
                    {"id": "v", "what": "verify", "role": "operator", "within_s": 60, "proof": "verified"},
                    {"id": "d", "what": "dispatch", "role": "operator", "within_s": 60, "proof": "dispatched"},
                    {"id": "r", "what": "reserve", "role": "operator", "within_s": 60, "proof": "supplies_reserved"},
                    {"id": "e", "what": "report", "role": "operator", "within_s": 3600, "proof": "escalated"},
                ],
                "objectives": ["O1"],
            }
        ]
    }
    entries = [
        Entry(1, at(1), "operator", "incident.status", {"status": "dismissed"}),  # not the proof asked for
        Entry(1, at(5), "operator", "incident.status", {"status": "verified"}),  # 50 s: met
        Entry(1, at(8), RUNNER, "dispatch.create", {}),  # 80 s: late, by a simulated actor
    ]
    f = facts(script=script, entries=entries, injects=[Delivered("I1", "incident_report", 0, at(0), 1)])
    outcome = {a["action"]: a for a in expected_actions(f)}
    assert outcome["v"]["outcome"] == "met"
    assert outcome["v"]["elapsed_s"] == 50.0
    assert (outcome["d"]["outcome"], outcome["d"]["simulated"]) == ("late", True)
    assert outcome["r"]["outcome"] == "missed"
    assert outcome["e"]["outcome"] == "missed"
    # Evaluated 100 wall s in (1,000 scenario s), or a drill ended then: the hour's window is still open (pending,
    # not missed), the minute's is not.
    f.now = at(100)
    early = {a["action"]: a["outcome"] for a in expected_actions(f)}
    assert early["e"] == "pending"
    assert early["r"] == "missed"


def test_escalations_are_judged_against_their_allowance_in_scenario_time() -> None:
    # County within 1 hour: at speed 10 the report 300 wall seconds later is 50 scenario minutes: on time.
    on_time = EscalationFacts(1, 1, "county", "report", at(0), at(3600), at(300), "operator")
    late = EscalationFacts(2, 1, "city", "report", at(0), at(3 * 3600), at(1200), "operator")
    silent = EscalationFacts(3, 2, "county", "report", at(0), at(3600), None, None)
    results = {r["id"]: r for r in escalation_results(facts(escalations=[on_time, late, silent]))}
    assert (results[1]["outcome"], results[1]["taken_s"]) == ("on_time", 3000.0)
    assert results[2]["outcome"] == "late"
    assert results[3]["outcome"] == "not_reported"
