"""Playing injects: the callers, the failing teams and depots, the neighbours' needs, as the script says.

Each inject is recorded with the drill (`POST /drills/{id}/injects`), so the
board shows it to the players and the evaluation compares its planned time
with the actual one. Triggers chain here: an inject's `after` followers are
put on the agenda when it is played, and its contingencies at the end of the
window they watch, fired only if the evaluation says that action was missed.
"""

import math
from typing import Any

from drills.http import Api
from drills.operators import Operators
from drills.scenario import (
    CasualtyUpdate,
    DuplicateReport,
    IncidentReport,
    Inject,
    MutualAidNeed,
    Place,
    SituationMessage,
    StockLost,
    TeamOutOfService,
)
from drills.scenario_file import planned_offset
from drills.schedule import Agenda
from drills.team_leaders import TeamLeaders
from drills.world import World

KM_PER_DEG_LAT = 111.32


class Player:
    def __init__(
        self, api: Api, world: World, agenda: Agenda, leaders: TeamLeaders, operators: Operators | None
    ) -> None:
        self.api, self.world, self.agenda, self.leaders, self.operators = api, world, agenda, leaders, operators
        self._hazards: dict[str, dict[str, Any]] | None = None

    def schedule_start(self) -> None:
        for inject in self.world.scenario.injects:
            if inject.at is not None:
                self._add(inject.at, inject)

    def _add(self, at: float, inject: Inject) -> None:
        self.agenda.add(at, f"inject {inject.id}", lambda t: self.play(t, inject))

    def play(self, at: float, inject: Inject) -> None:
        incident_id = self._deliver(at, inject)
        planned = planned_offset(self.world.scenario, inject.id) or at
        self.api.post(
            f"/drills/{self.world.drill_id}/injects",
            {
                "inject": inject.id,
                "kind": inject.kind,
                "planned_s": planned,
                "incident_id": incident_id,
                "message": inject.message,
            },
        )
        self.world.injects_done += 1
        self.world.note(at, "controller", "inject", inject=inject.id, kind=inject.kind)
        for follower in self.world.scenario.injects:
            if follower.after == inject.id:
                self._add(at + follower.delay, follower)
            elif follower.if_missed and follower.if_missed.split(".")[0] == inject.id:
                action_id = follower.if_missed.split(".", 1)[1]
                window = next(a.within for a in inject.expected if a.id == action_id)
                check = lambda t, f=follower, a=action_id: self._contingency(t, f, inject.id, a)  # noqa: E731
                self.agenda.add(at + window + follower.delay, f"check {follower.if_missed}", check)

    def _contingency(self, at: float, inject: Inject, source: str, action_id: str) -> None:
        evaluation = self.api.get(f"/drills/{self.world.drill_id}/evaluation")
        outcome = next(
            (a["outcome"] for a in evaluation["expected_actions"] if (a["inject"], a["action"]) == (source, action_id)),
            "missed",
        )
        if outcome in ("missed", "pending", "late"):
            self.play(at, inject)
        else:
            self.world.note(at, "controller", "contingency not needed", inject=inject.id)

    def _deliver(self, at: float, inject: Inject) -> int | None:
        """Do what the inject does on the platform; the incident it concerns, if any."""
        ops, w = self.operators, self.world
        if isinstance(inject, IncidentReport):
            spec = inject.incident
            incident_id = self._report(at, inject.id, spec.title, spec.type, spec.place, spec.model_dump())
            w.incidents[spec.ref] = incident_id
            w.supplies[incident_id] = dict(spec.supplies)
            if ops:
                ops.new_report(at, incident_id)
            return incident_id
        if isinstance(inject, DuplicateReport):
            original = w.incidents[inject.of]
            first = self.api.get(f"/incidents/{original}")
            lat, lon = self._offset(first["lat"], first["lon"], inject.moved_km)
            place = Place(lat=lat, lon=lon)
            incident_id = self._report(at, inject.id, inject.title, first["type"], place, {})
            w.duplicates[incident_id] = original
            if ops:
                ops.duplicate(at, incident_id)
            return incident_id
        if isinstance(inject, CasualtyUpdate):
            incident_id = w.incidents[inject.incident]
            figures = {k: v for k in ("deaths", "serious_injuries") if (v := getattr(inject, k)) is not None}
            if ops and figures:
                ops.casualties(at, incident_id, figures)
            return incident_id
        if isinstance(inject, TeamOutOfService):
            incident_id = w.incidents[inject.incident]
            if self.leaders.break_down(at, incident_id) is not None and ops:
                ops.team_lost(at, incident_id)
            return incident_id
        if isinstance(inject, StockLost):
            w.lost_stock.add((inject.depot, inject.category))
            affected = w.incidents.get(inject.incident) if inject.incident else None
            if ops:
                ops.stock_lost(at, affected, inject.category)
            return affected
        if isinstance(inject, MutualAidNeed):
            incident_id = w.incidents[inject.incident]
            w.aid_answers[(incident_id, inject.to)] = (inject.answer, inject.answer_after)
            if ops:
                ops.need_aid(at, incident_id, inject.to, list(inject.capabilities))
            return incident_id
        assert isinstance(inject, SituationMessage)
        concerned = w.incidents.get(inject.incident) if inject.incident else None
        if ops and concerned is not None:
            ops.answer_message(at, concerned, [a.proof for a in inject.expected])
        return concerned

    def _report(self, at: float, inject_id: str, title: str, type_: str, place: Place, figures: dict[str, Any]) -> int:
        lat, lon, extra = self._locate(place)
        body: dict[str, Any] = {
            "title": title,
            "type": type_,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "drill_id": self.world.drill_id,
            **extra,
            **{k: figures[k] for k in ("deaths", "serious_injuries", "direct_loss_cny") if figures.get(k)},
        }
        if place.address:
            body["address"] = place.address
        created = self.api.post("/incidents", body, key=f"drill-{self.world.drill_id}-report-{inject_id}")
        self.world.open_incidents.add(created["id"])
        self.world.note(at, "caller", "report", inject=inject_id, lat=body["lat"], lon=body["lon"])
        return int(created["id"])

    def _locate(self, place: Place) -> tuple[float, float, dict[str, Any]]:
        extra: dict[str, Any] = {}
        if place.hazard is not None:
            hazard = self._hazard(place.hazard)
            lat, lon = hazard["lat"], hazard["lon"]
            if place.near_km == 0:
                extra["hazard_source_id"] = hazard["id"]
        elif place.town is not None:
            town = self.api.get(f"/jurisdictions/{place.town}")
            lat, lon = town["center_lat"], town["center_lon"]
        else:
            lat, lon = float(place.lat or 0.0), float(place.lon or 0.0)  # both given: Place checks it
        if place.near_km:
            lat, lon = self._offset(lat, lon, self.world.rng.uniform(0, place.near_km))
        return lat, lon, extra

    def _hazard(self, name: str) -> dict[str, Any]:
        if self._hazards is None:
            self._hazards = {h["name"]: h for h in self.api.all_pages("/hazard-sources")}
        if name not in self._hazards:
            raise LookupError(f"no hazard source named {name!r} in the resource library")
        return self._hazards[name]

    def _offset(self, lat: float, lon: float, km: float) -> tuple[float, float]:
        bearing = self.world.rng.uniform(0, 2 * math.pi)
        d_lat = km * math.cos(bearing) / KM_PER_DEG_LAT
        d_lon = km * math.sin(bearing) / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
        return lat + d_lat, lon + d_lon
