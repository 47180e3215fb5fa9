"""Simulated duty operators: verify, dispatch the proposed set, reserve supplies, report upward, with human delays.

Each step is an agenda entry a drawn delay after the one before, as a person
at the board would work: read the report, verify it, ask for the
recommendation, dispatch, reserve, report to the county. They act through
the same API calls as the board, signed in as the runner's account, so the
evaluation counts them as simulated actors.
"""

from typing import Any

from drills.http import Api, DrillApiError
from drills.schedule import Agenda
from drills.team_leaders import TeamLeaders
from drills.world import World

ACTOR = "operator"


class Operators:
    def __init__(self, api: Api, world: World, agenda: Agenda, leaders: TeamLeaders) -> None:
        self.api, self.world, self.agenda, self.leaders = api, world, agenda, leaders
        self.timing = world.scenario.simulation.operators

    def _later(self, now: float, bounds: tuple[float, float], label: str, run: Any) -> None:
        self.agenda.add(now + self.world.uniform(bounds), label, run)

    # -- reactions to injects ----------------------------------------------------------------

    def new_report(self, now: float, incident_id: int) -> None:
        self._later(now, self.timing.verify, f"verify #{incident_id}", lambda at: self.verify(at, incident_id))

    def duplicate(self, now: float, incident_id: int) -> None:
        self._later(now, self.timing.dismiss, f"dismiss #{incident_id}", lambda at: self.dismiss(at, incident_id))

    def casualties(self, now: float, incident_id: int, figures: dict[str, int]) -> None:
        self._later(now, self.timing.update, "casualties", lambda at: self.update(at, incident_id, figures))

    def team_lost(self, now: float, incident_id: int) -> None:
        self._later(now, self.timing.dispatch, "replace team", lambda at: self.dispatch(at, incident_id, first=False))

    def stock_lost(self, now: float, incident_id: int | None, category: str) -> None:
        if incident_id is not None:
            run = lambda at: self.reserve(at, incident_id, extra=category)  # noqa: E731
            self._later(now, self.timing.reserve, "resupply", run)

    def need_aid(self, now: float, incident_id: int, to: str, capabilities: list[str]) -> None:
        run = lambda at: self.ask_aid(at, incident_id, to, capabilities)  # noqa: E731
        self._later(now, self.timing.mutual_aid, "mutual aid", run)

    def aid_approved(self, now: float, incident_id: int, team_id: int) -> None:
        run = lambda at: self._send(at, incident_id, team_id, eta_s=None)  # noqa: E731
        self._later(now, self.timing.dispatch, "dispatch lent team", run)

    def answer_message(self, now: float, incident_id: int, proofs: list[str]) -> None:
        """A situation message asking for something: do what proves it."""
        steps = {
            "dispatched": lambda at: self.dispatch(at, incident_id, first=False, at_least_one=True),
            "escalated": lambda at: self.escalate(at, incident_id),
            "supplies_reserved": lambda at: self.reserve(at, incident_id),
        }
        for proof in proofs:
            if proof in steps:
                self._later(now, self.timing.dispatch, f"answer {proof}", steps[proof])

    # -- steps -----------------------------------------------------------------------------------

    def verify(self, at: float, incident_id: int) -> None:
        self._transition(at, incident_id, "verified")
        self._later(at, self.timing.dispatch, "dispatch", lambda t: self.dispatch(t, incident_id, first=True))
        self._later(at, self.timing.escalate, "report upward", lambda t: self.escalate(t, incident_id))

    def dismiss(self, at: float, incident_id: int) -> None:
        original = self.world.duplicates.get(incident_id)
        if self._transition(at, incident_id, "dismissed", note=f"duplicate of incident #{original}"):
            self.world.open_incidents.discard(incident_id)

    def _transition(self, at: float, incident_id: int, status: str, note: str | None = None) -> bool:
        body = {"status": status, **({"note": note} if note else {})}
        try:
            self.api.post(f"/incidents/{incident_id}/transitions", body)
        except DrillApiError as exc:
            if exc.status != 409:  # someone else moved it first: nothing to do
                raise
            return False
        self.world.note(at, ACTOR, status, incident=self.world.ref_of(incident_id))
        return True

    def _recommendation(self, incident_id: int, extra: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": 50}
        wanted = dict(self.world.supplies.get(incident_id, {}))
        if extra:
            wanted.setdefault(extra, 20)
        if wanted:
            params["supplies"] = ",".join(f"{category}:{qty}" for category, qty in sorted(wanted.items()))
        result: dict[str, Any] = self.api.get(f"/incidents/{incident_id}/recommendations", **params)
        return result

    def dispatch(self, at: float, incident_id: int, *, first: bool, at_least_one: bool = False) -> None:
        """Take the proposed set, less teams this drill already has busy or broken (the next one covering instead)."""
        rec = self._recommendation(incident_id)
        teams = {t["team_id"]: t for t in rec["teams"]}
        unusable = set(self.world.busy_teams) | self.world.broken_teams
        chosen: list[int] = []
        for team_id in rec["proposed"]["team_ids"]:
            if team_id not in unusable:
                chosen.append(team_id)
                continue
            covers = set(teams.get(team_id, {}).get("covers", []))
            spare = next(
                (
                    t["team_id"]
                    for t in rec["teams"]
                    if t["team_id"] not in unusable
                    and t["team_id"] not in chosen
                    and not t["mutual_aid"]
                    and covers & set(t["covers"])
                ),
                None,
            )
            if spare is not None:
                chosen.append(spare)
        if at_least_one and not chosen:  # asked for more than the plan needs: the fastest free team of our own
            chosen = [t["team_id"] for t in rec["teams"] if t["team_id"] not in unusable and not t["mutual_aid"]][:1]
        for team_id in chosen:
            self._send(at, incident_id, team_id, eta_s=teams[team_id]["eta_minutes"] * 60)
        if first and chosen:
            self._transition(at, incident_id, "responding")
            self._later(at, self.timing.reserve, "reserve", lambda t: self.reserve(t, incident_id))

    def _send(self, at: float, incident_id: int, team_id: int, *, eta_s: float | None) -> None:
        key = f"drill-{self.world.drill_id}-dispatch-{incident_id}-{team_id}-{len(self.world.dispatches)}"
        try:
            d = self.api.post("/dispatches", {"incident_id": incident_id, "team_id": team_id}, key=key)
        except DrillApiError as exc:
            if exc.status != 409:
                raise
            return
        self.world.note(at, ACTOR, "dispatch", incident=self.world.ref_of(incident_id), team=team_id)
        self.leaders.follow(at, d["id"], incident_id, team_id, eta_s)

    def reserve(self, at: float, incident_id: int, extra: str | None = None) -> None:
        """Reserve what the recommendation suggests; after a loss, the nearest other depot's stock of that category."""
        rec = self._recommendation(incident_id, extra)
        for item in self._picks(rec["supplies"], extra):
            body = {"incident_id": incident_id, "supply_item_id": item["supply_item_id"], "quantity": item["quantity"]}
            key = f"drill-{self.world.drill_id}-reserve-{incident_id}-{item['supply_item_id']}-{len(self.world.log)}"
            try:
                self.api.post("/allocations", body, key=key)
            except DrillApiError as exc:
                if exc.status != 409:
                    raise
                continue
            self.world.note(at, ACTOR, "reserve", incident=self.world.ref_of(incident_id), category=item["category"])

    def _picks(self, items: list[dict[str, Any]], only: str | None) -> list[dict[str, Any]]:
        usable = [
            i
            for i in items
            if (i["depot_name"], i["category"]) not in self.world.lost_stock and (only is None or i["category"] == only)
        ]
        picks = [{**i, "quantity": i["suggested_quantity"]} for i in usable if i["suggested_quantity"] > 0]
        if only is not None and not picks:  # the suggested depot was the lost one: take the next that has any
            spare = next((i for i in usable if i["available"] > 0), None)
            picks = [{**spare, "quantity": min(spare["available"], 20)}] if spare else []
        return picks

    def escalate(self, at: float, incident_id: int) -> None:
        """Report the earliest open step; the next one follows after another delay."""
        open_steps = self.api.get("/escalations", incident_id=incident_id, open="true", drill_id=self.world.drill_id)
        if not open_steps["items"]:
            return
        step = open_steps["items"][0]
        try:
            self.api.post(f"/escalations/{step['id']}/report", {"note": "reported by the duty desk (drill)"})
        except DrillApiError as exc:
            if exc.status != 409:
                raise
        self.world.note(at, ACTOR, "escalate", incident=self.world.ref_of(incident_id), level=step["level"])
        self._later(at, self.timing.escalate, "report upward", lambda t: self.escalate(t, incident_id))

    def update(self, at: float, incident_id: int, figures: dict[str, int]) -> None:
        response = self.api.call("GET", f"/incidents/{incident_id}")
        etag = response.headers["ETag"]
        self.api.call("PATCH", f"/incidents/{incident_id}", json=figures, headers={"If-Match": etag})
        self.world.note(at, ACTOR, "casualties", incident=self.world.ref_of(incident_id), **figures)

    def ask_aid(self, at: float, incident_id: int, to: str, capabilities: list[str]) -> None:
        body = {"incident_id": incident_id, "to_jurisdiction": to, "capabilities": capabilities}
        request = self.api.post("/mutual-aid-requests", body, key=f"drill-{self.world.drill_id}-aid-{incident_id}-{to}")
        self.world.note(at, ACTOR, "mutual_aid", incident=self.world.ref_of(incident_id), to=to)
        self.leaders.neighbour_asked(at, request)
