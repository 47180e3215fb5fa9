"""Situation: the map, the tiles, the countdowns and the live incident list; `?wall=1` for the wall screen."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from dashboard import map as board_map
from dashboard import model, render
from dashboard.live import live_fragment
from dashboard.session import cached, call, clock, group, lang, t

TOPICS = "incidents,dispatches,teams,supplies,escalations,drills,hazards"
wall = st.query_params.get("wall") == "1" or bool(st.session_state.get("wall"))
if not wall:
    st.sidebar.toggle(t("situation.wall_mode"), key="wall")
st.markdown(render.BOARD_CSS + (render.WALL_CSS if wall else ""), unsafe_allow_html=True)


def tiles(snap: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    severity = group("severity")
    by_sev = model.incidents_by_severity(snap["incidents"])
    teams = model.team_tiles(snap["teams"]["counts"])
    cols = st.columns(9)
    for col, sev in zip(cols[:4], model.SEVERITY_ORDER, strict=True):
        col.metric(f"{model.SEVERITY_MARK[sev]} {severity[sev]}", by_sev[sev])
    cols[4].metric(t("situation.teams_available"), teams["available"])
    cols[5].metric(t("situation.teams_committed"), teams["committed"])
    cols[6].metric(t("situation.teams_out"), teams["out_of_service"])
    cols[7].metric(t("situation.below_reserve"), len(snap["supplies_below_min"]))
    late = sum(1 for s in steps if s["late"])
    cols[8].metric(t("situation.escalations"), f"{len(steps)} / {late} ▲" if late else str(len(steps)))


def incident_list(
    incidents: Sequence[Mapping[str, Any]],
    dispatches: list[dict[str, Any]],
    team_names: dict[int, str],
    places: list[dict[str, Any]],
    now: datetime,
) -> None:
    """The live incident list: grade, then elapsed; assigned teams with their status in words."""
    st.markdown(f"#### {t('situation.incidents_title')} ({len(incidents)})")
    with st.container(key="incident_list"):
        if incidents:
            labels = {k: group(k) for k in ("severity", "incident_type", "incident_status")}
            labels["place"] = board_map.place_names(places, lang())
            st.markdown(
                render.table(
                    [
                        t("col.grade"),
                        t("col.incident"),
                        t("col.type"),
                        t("col.status"),
                        t("col.elapsed"),
                        t("col.place"),
                        t("col.teams"),
                    ],
                    render.incident_rows(
                        incidents,
                        model.assigned_teams(dispatches, team_names, group("dispatch_status")),
                        now,
                        labels,
                        t("drill.exercise"),
                    ),
                ),
                unsafe_allow_html=True,
            )
        else:
            st.markdown(t("situation.no_incidents"))


def draw() -> tuple[int, str] | None:
    snap = call(lambda c: c.situation())
    if snap is None:
        return None
    dispatches = call(lambda c: c.dispatches(active="true")) or []
    # Registry layers change rarely: kept 30 s in the session, so a burst of events does not refetch them each time.
    hazards = cached("hazards", 30, lambda c: c.hazards()) or []
    depots = cached("depots", 30, lambda c: c.depots()) or []
    places = cached("jurisdictions", 600, lambda c: c.jurisdictions()) or []
    now = datetime.now(UTC)
    positions = snap["teams"].get("positions") or []
    team_names = {int(p["id"]): str(p["name"]) for p in positions}
    incidents = model.sort_incidents(snap["incidents"])
    steps = model.escalation_rows(snap["escalations"], now)
    as_of = clock(snap.get("generated_at"))

    head, stamp = st.columns([3, 2])
    head.markdown(f"### {t('situation.title')}")
    stamp.markdown(f"### {t('situation.as_of')}: {as_of}")
    tiles(snap, steps)

    left, right = st.columns([3, 2])
    with left:
        key = model.incident_set_key(incidents)
        # The view re-fits only when the set of incidents changes, not on every update.
        if st.session_state.get("map_set") != key:
            st.session_state["map_set"] = key
            st.session_state["map_view"] = board_map.fit_view(incidents or positions)
        deck = board_map.build_deck(
            incidents=board_map.incident_points(incidents, group("severity")),
            teams=board_map.team_points(positions, group("team_status")),
            hazards=board_map.hazard_points(hazards, group("risk")),
            depots=board_map.depot_points(depots, t("situation.depot")),
            places=board_map.place_labels(places, lang()),
            view=st.session_state["map_view"],
            large=wall,
        )
        st.pydeck_chart(deck, height=700 if wall else 480, key="situation_map")
        st.caption(t("situation.legend"))
    with right:
        if wall:  # the wall reads the incidents first, beside the map and above the fold
            incident_list(incidents, dispatches, team_names, places, now)
        st.markdown(f"#### {t('situation.escalation_title')}")
        with st.container(key="escalations"):
            if steps:
                st.markdown(
                    render.table(
                        [t("col.incident"), t("col.level"), t("col.countdown")],
                        render.escalation_rows(steps[:12], group("level"), t("live.late")),
                    ),
                    unsafe_allow_html=True,
                )
            else:
                st.markdown(t("situation.no_escalations"))
        st.markdown(f"#### {t('situation.overdue_title')}")
        overdue = model.overdue_dispatches(dispatches, now)
        with st.container(key="overdue"):
            if overdue:
                st.markdown(
                    render.table(
                        ["", t("col.team"), t("col.incident"), t("col.stage"), t("col.elapsed")],
                        render.overdue_rows(overdue[:12], team_names, group("stage"), t("alarm.amber"), t("alarm.red")),
                    ),
                    unsafe_allow_html=True,
                )
            else:
                st.markdown(t("situation.no_overdue"))

    if not wall:
        incident_list(incidents, dispatches, team_names, places, now)
    if snap["supplies_below_min"]:
        with st.expander(t("situation.below_reserve") + f" ({len(snap['supplies_below_min'])})", expanded=False):
            st.dataframe(
                [
                    {
                        t("col.depot"): s["depot_name"],
                        t("col.item"): s["name"],
                        t("col.on_hand"): s["quantity_on_hand"],
                        t("col.min_reserve"): s["min_reserve"],
                    }
                    for s in snap["supplies_below_min"]
                ],
                hide_index=True,
                key="below_reserve",
            )
    return int(snap["seq"]), str(snap["epoch"])


live_fragment(draw, scope="situation", topics=TOPICS, wall=wall)
