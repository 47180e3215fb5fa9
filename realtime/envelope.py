"""The event envelope of DESIGN §9, rendered once per event and reused for every client."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

# Event type prefix -> board topic. `incident:{id}` is added for events that concern one incident.
TOPIC_BY_PREFIX = {
    "incident": "incidents",
    "dispatch": "dispatches",
    "team": "teams",
    "agreement": "teams",
    "supply": "supplies",
    "depot": "supplies",
    "hazard_source": "hazards",
    "plan": "hazards",
    "escalation": "escalations",
    "mutual_aid": "incidents",
    "drill": "drills",
}
TOPICS = frozenset(TOPIC_BY_PREFIX.values())


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def render(*, seq: int, epoch: str, type_: str, at: datetime, drill_id: int | None, data: dict[str, Any]) -> str:
    envelope = {"seq": seq, "epoch": epoch, "type": type_, "at": iso(at), "drill_id": drill_id, "data": data}
    return orjson.dumps(envelope).decode()


@dataclass(frozen=True, slots=True)
class Event:
    """A published event as a hub routes it: the few fields it needs plus the text it sends."""

    seq: int
    type: str
    drill_id: int | None
    topics: frozenset[str]
    text: str
    epoch: str = ""

    @classmethod
    def parse(cls, text: str) -> "Event":
        raw = orjson.loads(text)
        return cls(
            seq=int(raw["seq"]),
            type=str(raw["type"]),
            drill_id=raw.get("drill_id"),
            topics=topics_for(str(raw["type"]), raw.get("data") or {}),
            text=text,
            epoch=str(raw.get("epoch", "")),
        )


def topics_for(type_: str, data: dict[str, Any]) -> frozenset[str]:
    prefix = type_.split(".", 1)[0]
    topics = {TOPIC_BY_PREFIX.get(prefix, prefix)}
    incident_id = data.get("id") if prefix == "incident" else data.get("incident_id")
    if incident_id is not None:
        topics.add(f"incident:{incident_id}")
    team_id = data.get("id") if prefix == "team" else data.get("team_id")
    if team_id is not None:
        topics.add(f"team:{team_id}")
    return frozenset(topics)
