"""Scripted drills end to end: the runner against a real server holding the demo data, on each backend.

The test follows the drill's events on the websocket itself and checks the
served evaluation against that record: the same intervals, the same inject
times, the same expected actions met. Also: one seed gives one drill, drill
data stays out of real lists, counts and CAP `Actual`, and Ctrl-C ends the
drill cleanly.
"""

import asyncio
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from api.auth.passwords import hash_password
from api.main import create_app
from api.settings import Settings
from drills import scenario_file
from drills.http import Api
from drills.runner import Outcome, run
from realtime.client import SituationClient
from resources_db.demo.loader import seed_demo
from resources_db.engine import make_engine, make_session_factory
from resources_db.migrate import upgrade
from tests.backends import fresh_database
from tests.live import serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PASSWORD = "demo-password"
SPEED = 120.0
# Event `at` is stamped in the same request as the row's own timestamp, a few ms apart: in scenario time that is
# a few ms × SPEED. Anything beyond this is a real disagreement.
TOLERANCE_S = 0.05 * SPEED

SHORT = textwrap.dedent(
    """\
    name: Short test drill
    drill_type: {form: tabletop, scope: single}
    plan: 液氨制冷企业氨泄漏事故应急预案
    duration: "00:08:00"
    objectives:
      - id: O1
        title: Quick
        standard: 90 % dispatched within 60 s
        measure: {interval: call_processing, within: 60s, share: 0.9}
      - id: O2
        title: Picture straight
        standard: every action in its window
        measure: {actions_met: 1.0}
    roles: {controller: c, evaluators: [e], players: [p]}
    simulation:
      operators:
        {verify: [10s, 20s], dispatch: [5s, 15s], reserve: [20s, 40s], escalate: [60s, 120s], dismiss: [20s, 40s]}
      team_leaders: {acknowledge: [5s, 15s], turnout: [20s, 40s], travel_factor: 0.05}
    injects:
      - id: I1
        at: 20s
        kind: incident_report
        message: leak at the cold store
        objectives: [O1, O2]
        incident:
          ref: leak
          title: Ammonia leak at the cold store
          type: ammonia_leak
          place: {hazard: 南港冷链物流中心液氨冷库}
          serious_injuries: 2
        expected:
          - {id: verify, what: verify, role: operator, within: 30s, proof: verified}
          - {id: dispatch, what: dispatch, role: operator, within: 70s, proof: dispatched}
          - {id: too_fast, what: reserve at once, role: operator, within: 1s, proof: supplies_reserved}
      - id: I2
        after: I1
        delay: 60s
        kind: duplicate_report
        of: leak
        title: Resident smells ammonia
        message: a neighbour calls
        objectives: [O2]
        expected:
          - {id: dismiss, what: dismiss, role: operator, within: 60s, proof: dismissed}
      - id: I3
        at: "00:02:30"
        kind: team_out_of_service
        incident: leak
        message: a team breaks down
        objectives: [O2]
        expected:
          - {id: replace, what: replace it, role: operator, within: 60s, proof: dispatched}
      - id: I4
        at: "00:03:00"
        kind: casualty_update
        incident: leak
        serious_injuries: 5
        message: more hurt
        objectives: [O2]
        expected:
          - {id: update, what: update, role: operator, within: 45s, proof: casualties_updated}
      - id: C1
        if_missed: I1.too_fast
        kind: message
        incident: leak
        message: the supplies are still not reserved
        objectives: [O2]
    """
)


@pytest.fixture(scope="module")
def demo_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a fresh database holding the Leizhou demo data."""
    with fresh_database(backend, tmp_path_factory.mktemp("drills")) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        with make_session_factory(engine)() as session:
            seed_demo(session, password_hash=hash_password(PASSWORD), progress=lambda _: None)
            session.commit()
        engine.dispose()
        app = create_app(Settings(DATABASE_URL=url))
        try:
            with serve(app) as base:
                yield base
        finally:
            app.state.engine.dispose()


def _api(base: str, user: str = "controller") -> Api:
    api = Api(base)
    api.sign_in(user, PASSWORD)
    return api


class Recorder:
    """Every drill event of the feed, in a thread of its own (the test's own record of the drill)."""

    def __init__(self, base: str, token: str) -> None:
        self.client = SituationClient([base], token, include_drills=True, positions=False)
        self.stop = asyncio.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.loop.run_until_complete(self.client.run(self.stop))

    def __enter__(self) -> "Recorder":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.client.connected and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.client.connected, "the websocket did not connect"
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        self.loop.close()

    def events(self, drill_id: int) -> list[dict[str, Any]]:
        return [e for e in list(self.client.applied) if e.get("drill_id") == drill_id]

    def wait_for(self, drill_id: int, type_: str, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events(drill_id)
            if any(e["type"] == type_ for e in events):
                return events
            time.sleep(0.05)
        raise AssertionError(f"no {type_} event for drill {drill_id} within {timeout} s")


def _t(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))


def _run_short(base: str, seed: int) -> Outcome:
    api = _api(base)
    try:
        return run(scenario_file.parse(SHORT), api, name="test drill", speed=SPEED, seed=seed, out=io.StringIO())
    finally:
        api.close()


def test_a_short_drill_is_evaluated_as_the_feed_recorded_it(demo_url: str) -> None:
    api = _api(demo_url)
    with Recorder(demo_url, api.token or "") as recorder:
        outcome = _run_short(demo_url, seed=3)
        events = recorder.wait_for(outcome.drill_id, "drill.ended")
    ev = api.get(f"/drills/{outcome.drill_id}/evaluation")
    started = _t(next(e for e in events if e["type"] == "drill.started"))

    def scen(a: datetime, b: datetime) -> float:
        return (b - a).total_seconds() * SPEED

    created = {e["data"]["id"]: _t(e) for e in events if e["type"] == "incident.created"}
    first_dispatch: dict[int, datetime] = {}
    for e in events:
        if e["type"] == "dispatch.created":
            first_dispatch.setdefault(e["data"]["incident_id"], _t(e))
    served = {s["incident_id"]: s["seconds"] for s in ev["intervals"]["call_processing"]["samples"]}
    assert set(served) == set(first_dispatch)
    for incident_id, at in first_dispatch.items():
        assert served[incident_id] == pytest.approx(scen(created[incident_id], at), abs=TOLERANCE_S)

    # Turnout per dispatch: acknowledged → en route, from the dispatch events' own times.
    stamps: dict[tuple[int, str], datetime] = {}
    for e in events:
        if e["type"] == "dispatch.status_changed":
            stamps[(e["data"]["id"], e["data"]["status"])] = _t(e)
    turnout = {s["dispatch_id"]: s["seconds"] for s in ev["intervals"]["turnout"]["samples"]}
    expected_turnout = {
        d: scen(stamps[(d, "acknowledged")], at)
        for (d, status), at in stamps.items()
        if status == "en_route" and (d, "acknowledged") in stamps
    }
    assert set(turnout) == set(expected_turnout)
    assert turnout
    for d, seconds in expected_turnout.items():
        assert turnout[d] == pytest.approx(seconds, abs=TOLERANCE_S)

    # The injects as played: planned against actual, actual from the drill.inject events.
    injects = {e["data"]["inject"]: _t(e) for e in events if e["type"] == "drill.inject"}
    timeline = {t["inject"]: t for t in ev["timeline"]}
    assert set(timeline) == set(injects) == {"I1", "I2", "I3", "I4", "C1"}  # C1: I1.too_fast cannot be met
    for inject, at in injects.items():
        assert timeline[inject]["actual_s"] == pytest.approx(scen(started, at), abs=TOLERANCE_S)
    assert timeline["I2"]["planned_s"] == 80.0

    # Expected actions, judged from the record: the first proving event after the inject, against its window.
    outcomes = {(a["inject"], a["action"]): a for a in ev["expected_actions"]}
    verified = next(
        _t(e)
        for e in events
        if e["type"] == "incident.status_changed" and e["data"]["status"] == "verified" and _t(e) >= injects["I1"]
    )
    taken = scen(injects["I1"], verified)
    assert outcomes[("I1", "verify")]["elapsed_s"] == pytest.approx(taken, abs=TOLERANCE_S)
    assert outcomes[("I1", "verify")]["outcome"] == ("met" if taken <= 30 else "late")
    assert outcomes[("I1", "too_fast")]["outcome"] in ("late", "missed")
    assert outcomes[("I2", "dismiss")]["outcome"] in ("met", "late")
    assert outcomes[("I3", "replace")]["elapsed_s"] is not None
    assert all(a["simulated"] for a in ev["expected_actions"] if a["actor"])
    objective = {o["id"]: o for o in ev["objectives"]}
    assert objective["O2"]["contingencies_fired"] == ["C1"]
    assert objective["O1"]["measured"] is None  # only simulated actors acted: shown apart, never rated
    assert objective["O1"]["measured_simulated"] is not None
    assert ev["overview"]["speed"] == SPEED
    api.close()


def test_the_same_seed_gives_the_same_drill(demo_url: str) -> None:
    first, second, other = (_run_short(demo_url, seed) for seed in (11, 11, 12))
    assert first.world.log == second.world.log
    assert first.world.log != other.world.log
    assert len(first.world.log) > 10


def test_drill_data_stays_out_of_real_lists_counts_and_actual_alerts(demo_url: str) -> None:
    outcome = _run_short(demo_url, seed=5)
    api = _api(demo_url, "operator")
    drill_incidents = set(outcome.world.incidents.values()) | set(outcome.world.duplicates)
    real = {i["id"] for i in api.all_pages("/incidents")}
    assert drill_incidents
    assert not drill_incidents & real
    exercise = {i["id"] for i in api.all_pages("/incidents", drill_id=outcome.drill_id)}
    assert exercise == drill_incidents
    assert not {d["incident_id"] for d in api.all_pages("/dispatches")} & drill_incidents
    situation = api.get("/situation")
    assert not {i["id"] for i in situation["incidents"]} & drill_incidents
    for incident_id in drill_incidents:
        cap = api.call("GET", f"/incidents/{incident_id}/cap").text
        assert "<status>Exercise</status>" in cap
        assert "<status>Actual</status>" not in cap
    api.close()


def test_ctrl_c_mid_drill_ends_the_drill_and_leaves_nothing_half_written(demo_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(SHORT.replace('duration: "00:08:00"', 'duration: "02:00:00"'), encoding="utf-8")
    log = tmp_path / "actions.jsonl"
    env = {**os.environ, "ERCP_USER": "controller", "ERCP_PASSWORD": PASSWORD}
    cmd = [sys.executable, "-m", "drills", "run", str(scenario), "--speed", "20", "--api", demo_url, "--log", str(log)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and '"verified"' not in (log.read_text() if log.exists() else ""):
            time.sleep(0.05)
        assert '"verified"' in log.read_text(), "the drill did not get going"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    drill_id = int(out.split("drill ")[1].split()[0])
    api = _api(demo_url)
    drill = api.get(f"/drills/{drill_id}")
    assert drill["status"] == "ended"
    assert drill["ended_at"] is not None
    # Every incident the runner reported has its inject recorded: no report without its record, or the reverse.
    incidents = api.all_pages("/incidents", drill_id=drill_id)
    injects = api.all_pages(f"/drills/{drill_id}/injects")
    assert {i["id"] for i in incidents} == {j["incident_id"] for j in injects if j["kind"].endswith("report")}
    late = api.http.post(
        "/api/v1/incidents",
        json={"title": "late", "type": "fire", "lat": 20.9, "lon": 110.0, "drill_id": drill_id},
    )
    assert late.status_code == 422  # the drill takes no more exercise data
    api.close()


def test_with_human_operators_the_runner_plays_only_callers_and_team_leaders(demo_url: str) -> None:
    """`--operators human`: a person (here the test, signed in as `operator`) verifies and dispatches."""
    result: list[Outcome] = []
    runner = threading.Thread(target=lambda: result.append(_run_human(demo_url)), name="human-mode-runner", daemon=True)
    runner.start()
    person = _api(demo_url, "operator")
    deadline = time.monotonic() + 20
    incident = None
    while incident is None and time.monotonic() < deadline:
        running = person.get("/drills", status="running")["items"]
        mine = [d for d in running if d["operators"] == "human"]
        found = person.get("/incidents", drill_id=mine[-1]["id"])["items"] if mine else []
        incident = found[0] if found else None
        time.sleep(0.05)
    assert incident is not None, "the runner reported nothing"
    person.post(f"/incidents/{incident['id']}/transitions", {"status": "verified"})
    rec = person.get(f"/incidents/{incident['id']}/recommendations")
    team_id = rec["proposed"]["team_ids"][0]
    dispatch = person.post("/dispatches", {"incident_id": incident["id"], "team_id": team_id}, key="human-1")
    runner.join(60)
    assert result, "the runner did not finish"
    ev = person.get(f"/drills/{result[0].drill_id}/evaluation")
    actions = {(a["inject"], a["action"]): a for a in ev["expected_actions"]}
    assert actions[("I1", "verify")]["actor"] == "operator"
    assert actions[("I1", "verify")]["simulated"] is False
    assert actions[("I2", "dismiss")]["outcome"] == "missed"  # nobody at the board dismissed the duplicate
    call = ev["intervals"]["call_processing"]
    assert call["players"]["n"] == 1
    assert call["simulated"]["n"] == 0
    assert call["met"] is not None  # players are rated
    ack = [s for s in ev["intervals"]["acknowledge"]["samples"] if s["dispatch_id"] == dispatch["id"]]
    assert len(ack) == 1
    assert ack[0]["simulated"] is True  # the simulated team leader acknowledged the person's dispatch
    person.close()


def _run_human(base: str) -> Outcome:
    api = _api(base)
    try:
        scenario = scenario_file.parse(SHORT)
        return run(scenario, api, name="human", speed=SPEED, seed=1, operators="human", out=io.StringIO())
    finally:
        api.close()


def test_evaluator_entries_are_marked_as_theirs_and_the_report_stands_alone(demo_url: str, tmp_path: Path) -> None:
    from drills.report import write_report

    outcome = _run_short(demo_url, seed=9)
    api = _api(demo_url)
    path = f"/drills/{outcome.drill_id}/evaluation"
    bad = api.http.patch(f"/api/v1{path}", json={"ratings": {"O9": "P"}})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert api.get(path)["evaluator"] is None  # the refused entry changed nothing
    entry = {
        "ratings": {"O1": "S", "O2": "M"},
        "strengths": ["the duplicate was recognised"],
        "problems": ["supplies reserved late"],
        "improvements": [
            {"issue": "late supplies", "action": "pre-book apparatus", "owner": "depot", "due": "2027-01-31"}
        ],
    }
    answer = api.call("PATCH", path, json=entry).json()
    assert answer["evaluator"]["ratings"] == {"O1": "S", "O2": "M"}
    assert answer["evaluator"]["entered_by"] == "controller"
    report = write_report(api, outcome.drill_id, tmp_path).read_text(encoding="utf-8")
    assert "pre-book apparatus" in report
    assert "entered by the evaluator" in report.lower()
    assert report.count('src="data:image/png;base64,') == 3
    assert "http://" not in report
    assert "https://" not in report
    api.close()
