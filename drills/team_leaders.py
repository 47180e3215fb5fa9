"""Simulated team leaders and neighbouring duty desks.

A team leader acknowledges after a drawn delay, turns out (en route) after
another, and arrives after the recommendation's ETA times the scenario's
travel factor, jittered (all from the drill's seed). A neighbour answers a
mutual-aid request as the scenario says, after its delay, lending its first
team with a capability asked for.
"""

from collections.abc import Callable
from typing import Any

from drills.http import Api, DrillApiError
from drills.schedule import Agenda
from drills.world import World

DEFAULT_ETA_S = 900.0
ENDED = frozenset({"cancelled", "released"})


class TeamLeaders:
    def __init__(self, api: Api, world: World, agenda: Agenda) -> None:
        self.api, self.world, self.agenda = api, world, agenda
        self.timing = world.scenario.simulation.team_leaders
        self.on_aid_approved: Callable[[float, int, int], None] | None = None

    def follow(self, at: float, dispatch_id: int, incident_id: int, team_id: int, eta_s: float | None) -> None:
        """Play the leader of a newly dispatched team."""
        if dispatch_id in self.world.dispatches:
            return
        if eta_s is None:
            eta_s = self._eta(incident_id, team_id)
        self.world.dispatches[dispatch_id] = {"incident": incident_id, "team": team_id, "status": "dispatched"}
        self.world.busy_teams[team_id] = dispatch_id
        ack = at + self.world.uniform(self.timing.acknowledge)
        rolling = ack + self.world.uniform(self.timing.turnout)
        jitter = 1 + self.world.rng.uniform(-self.timing.jitter, self.timing.jitter)
        arrive = rolling + eta_s * self.timing.travel_factor * jitter
        for when, status in ((ack, "acknowledged"), (rolling, "en_route"), (arrive, "on_scene")):
            self.agenda.add(when, f"{status} d{dispatch_id}", self._step(dispatch_id, status))

    def _step(self, dispatch_id: int, status: str) -> Callable[[float], None]:
        def step(at: float) -> None:
            self._report(at, dispatch_id, status)

        return step

    def _eta(self, incident_id: int, team_id: int) -> float:
        rec = self.api.get(f"/incidents/{incident_id}/recommendations", limit=200)
        return next((t["eta_minutes"] * 60 for t in rec["teams"] if t["team_id"] == team_id), DEFAULT_ETA_S)

    def _report(self, at: float, dispatch_id: int, status: str, note: str | None = None) -> bool:
        known = self.world.dispatches[dispatch_id]
        if known["status"] in ENDED:
            return False
        try:
            self.api.post(f"/dispatches/{dispatch_id}/status", {"status": status, **({"note": note} if note else {})})
        except DrillApiError as exc:
            if exc.status != 409:  # a person at the board moved it already
                raise
            return False
        known["status"] = status
        self.world.note(at, "team_leader", status, incident=self.world.ref_of(known["incident"]), team=known["team"])
        return True

    def break_down(self, at: float, incident_id: int) -> int | None:
        """The first active team of the incident goes out of service; its dispatch ends. Returns the team."""
        active = sorted(
            d for d, v in self.world.dispatches.items() if v["incident"] == incident_id and v["status"] not in ENDED
        )
        if not active:
            return None
        dispatch_id = active[0]
        known = self.world.dispatches[dispatch_id]
        ending = "cancelled" if known["status"] in ("dispatched", "acknowledged") else "released"
        self._report(at, dispatch_id, ending, note="team out of service (drill inject)")
        self.world.broken_teams.add(known["team"])
        self.world.busy_teams.pop(known["team"], None)
        return int(known["team"])

    def neighbour_asked(self, at: float, request: dict[str, Any]) -> None:
        if request["id"] in self.world.answered_aid:
            return
        self.world.answered_aid.add(request["id"])
        answer, delay = self.world.aid_answers.get(
            (request["incident_id"], request["to_jurisdiction"]), ("approve", 600)
        )
        self.agenda.add(at + delay, f"answer aid {request['id']}", lambda t: self._answer(t, request, answer))

    def _answer(self, at: float, request: dict[str, Any], answer: str) -> None:
        path = f"/mutual-aid-requests/{request['id']}"
        if answer == "decline":
            self.api.post(f"{path}/decline", {"note": "no team to spare tonight (drill)"})
            self.world.note(at, "neighbour", "decline", to=request["to_jurisdiction"])
            return
        teams = self.api.all_pages(
            "/teams", jurisdiction=request["to_jurisdiction"], capability=request["capabilities"]
        )
        if not teams:
            self.api.post(f"{path}/decline", {"note": "no team with that capability (drill)"})
            self.world.note(at, "neighbour", "decline", to=request["to_jurisdiction"])
            return
        team_id = min(t["id"] for t in teams)
        self.api.post(f"{path}/approve", {"lent_team_id": team_id})
        self.world.note(at, "neighbour", "approve", to=request["to_jurisdiction"], team=team_id)
        if self.on_aid_approved is not None:
            self.on_aid_approved(at, request["incident_id"], team_id)

    def poll(self, at: float) -> None:
        """Human operators: find the dispatches and requests people made at the board, and play their other side."""
        for d in self.api.all_pages("/dispatches", drill_id=self.world.drill_id, active="true"):
            self.follow(at, d["id"], d["incident_id"], d["team_id"], None)
        for r in self.api.all_pages("/mutual-aid-requests", drill_id=self.world.drill_id, status="requested"):
            self.neighbour_asked(at, r)
        incidents = self.api.all_pages("/incidents", drill_id=self.world.drill_id)
        self.world.open_incidents = {i["id"] for i in incidents if i["status"] not in ("closed", "dismissed")}
