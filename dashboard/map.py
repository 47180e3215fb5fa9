"""The situation map as pydeck layers built from plain API data (testable without a browser).

There is no base map: a blank local style (static/blank-style.json, served by
the board itself) and the jurisdictions' names at their centres give the
orientation, so the map works on an isolated network and fetches nothing from
another host.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pydeck as pdk

from dashboard.model import RISK_RGB, SEVERITY_MARK, SEVERITY_RGB, TEAM_STATUS_RGB

BLANK_STYLE = "/app/static/blank-style.json"
# Leizhou's synthetic demo area (DESIGN §4) when there is nothing to fit.
DEFAULT_VIEW = {"latitude": 20.85, "longitude": 110.05, "zoom": 8.6}
Json = Mapping[str, Any]
Label = Mapping[str, str]  # code → display text (grade, status, level) in the user's language


def incident_points(incidents: Iterable[Json], grade_label: Label) -> list[dict[str, Any]]:
    out = []
    for i in incidents:
        sev = str(i.get("severity"))
        mark = SEVERITY_MARK.get(sev, "?")
        drill = " [演练 DRILL]" if i.get("is_drill") else ""
        out.append(
            {
                "lat": float(i["lat"]),
                "lon": float(i["lon"]),
                "rgb": [*SEVERITY_RGB.get(sev, (128, 128, 128)), 230],
                "radius": 700 - 100 * (list(SEVERITY_RGB).index(sev) if sev in SEVERITY_RGB else 3),
                "label": f"{mark} {i['title']}{drill}",
                "tip": f"#{i['id']} {i['title']} — {grade_label.get(sev, sev)}{drill}",
            }
        )
    return out


def team_points(teams: Iterable[Json], status_label: Label) -> list[dict[str, Any]]:
    return [
        {
            "lat": float(t["lat"]),
            "lon": float(t["lon"]),
            "rgb": [*TEAM_STATUS_RGB.get(str(t["status"]), (128, 128, 128)), 220],
            "tip": f"{t['name']} — {status_label.get(str(t['status']), str(t['status']))}",
        }
        for t in teams
    ]


def hazard_points(hazards: Iterable[Json], risk_label: Label) -> list[dict[str, Any]]:
    return [
        {
            "lat": float(h["lat"]),
            "lon": float(h["lon"]),
            "rgb": [*RISK_RGB.get(str(h["risk_level"]), (128, 128, 128)), 200],
            "tip": f"{h['name']} — {risk_label.get(str(h['risk_level']), str(h['risk_level']))}",
            "label": risk_label.get(str(h["risk_level"]), str(h["risk_level"]))[:1],
        }
        for h in hazards
    ]


def depot_points(depots: Iterable[Json], depot_word: str) -> list[dict[str, Any]]:
    return [
        {"lat": float(d["lat"]), "lon": float(d["lon"]), "tip": f"{depot_word}: {d['name']}"}
        for d in depots
        if d.get("lat") is not None and d.get("lon") is not None
    ]


def place_labels(jurisdictions: Iterable[Json], lang: str) -> list[dict[str, Any]]:
    name = "name_zh" if lang == "zh" else "name_en"
    return [
        {"lat": float(j["center_lat"]), "lon": float(j["center_lon"]), "label": str(j.get(name) or j["code"])}
        for j in jurisdictions
        if j.get("center_lat") is not None and j.get("center_lon") is not None
    ]


def place_names(jurisdictions: Iterable[Json], lang: str) -> dict[str, str]:
    """Jurisdiction code → its name in the user's language."""
    name = "name_zh" if lang == "zh" else "name_en"
    return {str(j["code"]): str(j.get(name) or j["code"]) for j in jurisdictions}


def fit_view(points: Sequence[Json]) -> dict[str, float]:
    """A view around `points` (or the demo area when there are none); zoom from the larger span."""
    if not points:
        return dict(DEFAULT_VIEW)
    lats = [float(p["lat"]) for p in points]
    lons = [float(p["lon"]) for p in points]
    # Never closer than a town's surroundings: the teams and hazards around an incident matter as much as it does.
    span = max(max(lats) - min(lats), max(lons) - min(lons), 0.3)
    zoom = 8.6
    for limit, z in ((0.05, 12.5), (0.1, 11.5), (0.25, 10.5), (0.5, 9.6), (1.0, 8.8)):
        if span <= limit:
            zoom = z
            break
    return {"latitude": (max(lats) + min(lats)) / 2, "longitude": (max(lons) + min(lons)) / 2, "zoom": zoom}


def _text(data: list[dict[str, Any]], size: int, color: list[int], offset: list[int]) -> pdk.Layer:
    return pdk.Layer(
        "TextLayer",
        data,
        get_position="[lon, lat]",
        get_text="label",
        get_size=size,
        get_color=color,
        get_pixel_offset=offset,
        # pydeck turns a bare string into an accessor; quoted, it stays a literal. "auto" lets deck.gl build the
        # glyph atlas from the labels, so Chinese names draw.
        character_set="'auto'",
        font_family="'Noto Sans CJK SC, Noto Sans SC, sans-serif'",
        background=True,
        get_background_color=[11, 18, 32, 200],
        background_padding=[3, 1],
    )


def build_deck(
    *,
    incidents: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    hazards: list[dict[str, Any]],
    depots: list[dict[str, Any]],
    places: list[dict[str, Any]],
    view: Mapping[str, float],
    large: bool = False,
) -> pdk.Deck:
    """Places (grey names), hazards (squares' stand-in: outlined dots), depots, teams, then incidents on top."""
    scale = 1.6 if large else 1.0

    def dots(
        data: list[dict[str, Any]], fill: Any, radius: Any, px: tuple[int, int], line: Any = None, line_px: int = 0
    ) -> Any:
        """One pickable dot layer; `line` outlines it (shape as well as colour, so colour is never alone)."""
        outline = {"stroked": True, "get_line_color": line, "line_width_min_pixels": line_px} if line else {}
        return pdk.Layer(
            "ScatterplotLayer",
            data,
            get_position="[lon, lat]",
            get_fill_color=fill,
            get_radius=radius,
            radius_min_pixels=int(px[0] * scale),
            radius_max_pixels=int(px[1] * scale),
            pickable=True,
            **outline,
        )

    layers = [
        _text(places, int(12 * scale), [148, 163, 184, 255], [0, 0]),
        dots(hazards, "rgb", 120, (3, 7), line=[255, 255, 255, 200], line_px=1),
        dots(depots, [20, 20, 20, 255], 200, (4, 8), line=[56, 189, 248, 255], line_px=2),
        dots(teams, "rgb", 150, (3, 7)),
        dots(incidents, "rgb", "radius", (8, 18), line=[255, 255, 255, 255], line_px=2),
        _text(incidents, int(15 * scale), [255, 255, 255, 255], [0, -int(22 * scale)]),
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view),
        map_provider=None,
        map_style=BLANK_STYLE,
        tooltip={"text": "{tip}"},
    )
