"""My team: a team leader's active dispatch (incident, place, hazards nearby) and big buttons for the next status."""

from html import escape
from typing import Any

import streamlit as st

from dashboard import model, render
from dashboard.live import live_fragment
from dashboard.session import act, call, flash, group, t, user

st.markdown(
    render.BOARD_CSS
    + """<style>
.st-key-status_buttons button { min-height: 4.5rem; font-size: 1.6rem !important; font-weight: 700; }
.st-key-status_buttons button p { font-size: 1.6rem !important; }
.block-container { padding-left: 0.8rem; padding-right: 0.8rem; }
</style>""",
    unsafe_allow_html=True,
)
me = user() or {}
team_id = me.get("team_id")


def advance(dispatch_id: int, status: str) -> None:
    act(lambda c: c.dispatch_status(dispatch_id, status), t("my_team.now", status=group("dispatch_status")[status]))


def readiness(status: str) -> None:
    act(lambda c: c.team_status(int(team_id), status), t("common.saved"))  # type: ignore[arg-type]


def assignment(d: dict[str, Any]) -> None:
    inc = call(lambda c: c.incident(int(d["incident_id"])))
    status = group("dispatch_status")
    if inc is not None:
        drill = f' <b class="drill">[{t("drill.exercise")}]</b>' if inc.get("is_drill") else ""
        st.markdown(
            f"### {render.grade_chip(inc['severity'], group('severity'))} #{inc['id']} {escape(inc['title'])}{drill}",
            unsafe_allow_html=True,
        )
        st.markdown(
            f"**{group('incident_type').get(inc['type'], inc['type'])}** · {escape(inc.get('address') or '')} "
            f"{escape(inc['jurisdiction'])}  \n{inc['lat']:.5f}, {inc['lon']:.5f}"
        )
        for h in inc.get("nearby_hazards") or []:
            st.markdown(
                f"{render.risk_chip(h['risk_level'], group('risk'))} {escape(h['name'])} · {h['distance_km']:.2f} km",
                unsafe_allow_html=True,
            )
    st.markdown(f"**{t('col.status')}: {status.get(d['status'], d['status'])}**")
    with st.container(key="status_buttons"):
        for nxt in model.next_dispatch_statuses(str(d["status"])):
            st.button(
                t(f"my_team.to_{nxt}"),
                key=f"advance-{nxt}",
                type="primary",
                width="stretch",
                on_click=advance,
                args=(int(d["id"]), nxt),
            )


def draw() -> tuple[int, str] | None:
    st.markdown(f"## {t('my_team.title')}")
    flash()
    if team_id is None:
        st.warning(t("my_team.no_team"))
        return None
    team = call(lambda c: c.team(int(team_id)))
    if team is None:
        return None
    st.markdown(
        f"**{escape(team['name'])}** {render.team_chip(team['status'], group('team_status'))}",
        unsafe_allow_html=True,
    )
    active = call(lambda c: c.dispatches(team_id=team_id, active="true")) or []
    if active:
        for d in active:
            assignment(d)
    else:
        st.info(t("my_team.no_dispatch"))
        with st.container(key="status_buttons"):
            if team["status"] == "available":
                st.button(
                    t("my_team.out_of_service"),
                    key="team-out",
                    on_click=readiness,
                    args=("out_of_service",),
                    width="stretch",
                )
            elif team["status"] in ("out_of_service", "returning"):
                st.button(
                    t("my_team.available"),
                    key="team-available",
                    on_click=readiness,
                    args=("available",),
                    width="stretch",
                )
    return None  # no snapshot here: every event of this team rings


# Only this team's events: a leader's phone is not woken by the rest of the city.
live_fragment(draw, scope="my_team", topics=f"team:{team_id}" if team_id else "teams")
