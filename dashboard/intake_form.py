"""The intake form's request body, built from the fields as typed (no Streamlit; unit-tested)."""

import json
from collections.abc import Callable, Mapping
from typing import Any

KEYS_KEPT = 20


def incident_body(
    *,
    title: str,
    type_: str,
    lat: float | None,
    lon: float | None,
    hazard: Mapping[str, Any] | None,
    address: str,
    deaths: int,
    serious_injuries: int,
) -> dict[str, Any]:
    """The POST /incidents body: a picked hazard source gives the place (and its plan); coordinates otherwise."""
    if hazard is not None:
        lat, lon = float(hazard["lat"]), float(hazard["lon"])
    if lat is None or lon is None:
        raise ValueError("place: give coordinates or pick a hazard source")
    body: dict[str, Any] = {
        "title": title.strip(),
        "type": type_,
        "lat": lat,
        "lon": lon,
        "deaths": deaths,
        "serious_injuries": serious_injuries,
    }
    if hazard is not None:
        body["hazard_source_id"] = int(hazard["id"])
    if address.strip():
        body["address"] = address.strip()
    return body


def key_for(keys: dict[str, str], body: Mapping[str, Any], new_key: Callable[[], str]) -> str:
    """The idempotency key of this report: the same body always gets the same key (kept for the last few)."""
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    if text not in keys:
        keys[text] = new_key()
        while len(keys) > KEYS_KEPT:
            del keys[next(iter(keys))]
    return keys[text]
