"""A fake of the API for the board's AppTests: an httpx.MockTransport answering the few calls the pages make."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

NOW = datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def incident(id_: int, title: str, severity: str, minutes_ago: float, **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "title": title,
        "type": "fire",
        "severity": severity,
        "status": "reported",
        "lat": 20.9 + id_ / 100,
        "lon": 110.08,
        "jurisdiction": "leicheng",
        "reported_at": iso(NOW - timedelta(minutes=minutes_ago)),
        "deaths": 0,
        "serious_injuries": 0,
        "active_dispatches": 0,
        "dispatches_by_status": {},
        "version": 1,
        "drill_id": None,
        "is_drill": False,
        **extra,
    }


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "next_cursor": None}


@dataclass
class FakeApi:
    """Answers from `state`; records every request; `expired` makes every authenticated call a 401."""

    incidents: list[dict[str, Any]] = field(
        default_factory=lambda: [
            incident(1, "冷库氨泄漏", "ordinary", 90),
            incident(2, "民房火灾", "serious", 10),
            incident(3, "渔船翻沉", "serious", 40),
        ]
    )
    dispatches: list[dict[str, Any]] = field(default_factory=list)
    mutual_aid: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "id": 4,
                "incident_id": 2,
                "from_jurisdiction": "leicheng",
                "to_jurisdiction": "suixi",
                "capabilities": ["boat"],
                "status": "requested",
            }
        ]
    )
    hazards: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "id": 1,
                "name": "港区液氨冷库",
                "kind": "ammonia_refrigeration",
                "risk_level": "red",
                "lat": 20.9,
                "lon": 110.1,
                "jurisdiction": "leicheng",
                "enterprise": "X",
                "responsible_person": "Y",
                "version": 1,
            },
            {
                "id": 2,
                "name": "加油站",
                "kind": "gas_station",
                "risk_level": "blue",
                "lat": 20.8,
                "lon": 110.0,
                "jurisdiction": "leicheng",
                "enterprise": "Z",
                "responsible_person": "W",
                "version": 1,
            },
        ]
    )
    expired: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "operator": {"user_id": 2, "username": "operator", "role": "operator", "team_id": None},
            "observer": {"user_id": 3, "username": "observer", "role": "observer", "team_id": None},
            "leader": {"user_id": 9, "username": "leader", "role": "team_leader", "team_id": 23},
            "controller": {"user_id": 4, "username": "controller", "role": "drill_controller", "team_id": None},
        }
    )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def posts(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.path == "/api/v1" + path]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/v1")
        if path == "/auth/token":
            form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
            if form.get("password") != "pw" or form.get("username") not in self.users:
                return problem(401, "Not authenticated", "unknown username or wrong password")
            return httpx.Response(200, json={"access_token": "tok-" + form["username"], "expires_in": 3600})
        auth = request.headers.get("authorization", "")
        if self.expired or not auth.startswith("Bearer tok-"):
            return problem(401, "Not authenticated", "token expired")
        user = self.users[auth.removeprefix("Bearer tok-")]
        return self.route(request, path, user)

    def route(self, request: httpx.Request, path: str, user: dict[str, Any]) -> httpx.Response:
        body = json.loads(request.content) if request.content and request.method == "POST" else {}
        if path == "/auth/me":
            return httpx.Response(200, json=user)
        if path == "/situation":
            return httpx.Response(200, json=self.situation())
        if path == "/dispatches" and request.method == "GET":
            team = request.url.params.get("team_id")
            rows = [d for d in self.dispatches if team is None or str(d["team_id"]) == team]
            return httpx.Response(200, json=page(rows))
        if path == "/dispatches":
            new = {
                "id": len(self.dispatches) + 1,
                "incident_id": body["incident_id"],
                "team_id": body["team_id"],
                "status": "dispatched",
                "dispatched_at": iso(datetime.now(UTC)),
                "acknowledged_at": None,
                "en_route_at": None,
                "on_scene_at": None,
            }
            self.dispatches.append(new)
            return httpx.Response(201, json=new)
        if path.startswith("/dispatches/") and path.endswith("/status"):
            d = next(d for d in self.dispatches if d["id"] == int(path.split("/")[2]))
            d["status"] = body["status"]
            return httpx.Response(200, json=d)
        if path == "/incidents" and request.method == "POST":
            new = incident(len(self.incidents) + 1, body["title"], "ordinary", 0)
            self.incidents.append(new)
            return httpx.Response(201, json=new)
        if path.startswith("/incidents/") and path.endswith("/recommendations"):
            return httpx.Response(200, json=self.recommendation(int(path.split("/")[2])))
        if path.startswith("/incidents/") and path.endswith("/timeline"):
            return httpx.Response(200, json=page([]))
        if path.startswith("/incidents/") and path.endswith("/cap"):
            return httpx.Response(200, content=b"<alert/>", headers={"content-type": "application/cap+xml"})
        if path.startswith("/incidents/"):
            i = next(i for i in self.incidents if i["id"] == int(path.split("/")[2]))
            return httpx.Response(200, json={**i, "address": None, "nearby_hazards": []})
        if path.startswith("/teams/"):
            team_id = int(path.split("/")[2])
            return httpx.Response(200, json={"id": team_id, "name": "企水港水上救援队", "status": "available"})
        if path == "/mutual-aid-requests":
            return httpx.Response(200, json=page(self.mutual_aid))
        if path == "/compensation":
            return httpx.Response(200, json={"month": "2026-07", "statements": [], "total_cny": "0"})
        if path == "/supply-items/export.csv":
            return httpx.Response(200, content=b"id,depot_id\n", headers={"content-type": "text/csv"})
        if path == "/hazard-sources":
            return httpx.Response(200, json=page(self.hazards))
        if path in (
            "/depots",
            "/jurisdictions",
            "/escalations",
            "/teams",
            "/supply-items",
            "/drills",
        ):
            return httpx.Response(200, json=page([]))
        return problem(404, "Not found", path)

    def situation(self) -> dict[str, Any]:
        return {
            "seq": 41,
            "epoch": "e1",
            "generated_at": iso(NOW),
            "incidents": self.incidents,
            "teams": {
                "counts": {"available": 5, "dispatched": 1, "out_of_service": 2},
                "positions": [
                    {
                        "id": 23,
                        "name": "企水港水上救援队",
                        "kind": "water_rescue",
                        "status": "available",
                        "lat": 20.8,
                        "lon": 109.8,
                        "home_jurisdiction": "qishui",
                        "version": 1,
                    },
                ],
            },
            "supplies_below_min": [],
            "escalations": {
                "due": [],
                "late": [
                    {
                        "id": 7,
                        "incident_id": 2,
                        "level": "county",
                        "kind": "initial",
                        "due_at": iso(NOW - timedelta(minutes=4)),
                        "seconds_left": -240,
                        "reported_at": None,
                        "late": True,
                        "version": 1,
                        "drill_id": None,
                        "is_drill": False,
                    },
                ],
            },
            "drills": [],
        }

    def recommendation(self, incident_id: int) -> dict[str, Any]:
        return {
            "incident_id": incident_id,
            "severity": "serious",
            "required": [{"capability": "boat", "teams": 1, "dispatched": 0, "reasons": ["required for water_rescue"]}],
            "hazards": [],
            "teams": [
                {
                    "team_id": 23,
                    "name": "企水港水上救援队",
                    "kind": "water_rescue",
                    "home_jurisdiction": "qishui",
                    "distance_km": 4.2,
                    "eta_minutes": 8.0,
                    "covers": ["boat"],
                    "reasons": ["nearest"],
                    "mutual_aid": False,
                },
            ],
            "proposed": {"team_ids": [23], "covered": ["boat"], "uncovered": [], "short": {}, "worst_eta_minutes": 8.0},
            "supplies": [],
            "supply_shortfall": {},
        }


def problem(status: int, title: str, detail: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": title, "status": status, "detail": detail},
        headers={"content-type": "application/problem+json"},
    )
