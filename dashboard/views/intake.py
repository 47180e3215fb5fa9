"""Intake: an operator files a reported incident. One idempotency key per form, so a double click files once."""

import streamlit as st

from dashboard import api
from dashboard.intake_form import incident_body, key_for
from dashboard.session import cached, call, can_write, group, t

st.markdown(f"### {t('intake.title')}")
if not can_write():
    st.info(t("common.read_only"))
    st.stop()

hazards = cached("hazards", 120, lambda c: c.hazards()) or []
types = group("incident_type")
risk = group("risk")

by_hazard = st.radio(
    t("intake.place_by"),
    ["coords", "hazard"],
    format_func=lambda v: t(f"intake.place_{v}"),
    horizontal=True,
    key="intake_place_by",
)
with st.form("intake_form"):
    title = st.text_input(t("intake.incident_title"), max_chars=200, key="intake_title")
    type_ = st.selectbox(t("col.type"), list(types), format_func=lambda v: types[v], key="intake_type")
    hazard = None
    lat = lon = None
    if by_hazard == "hazard":
        hazard = st.selectbox(
            t("intake.hazard"),
            hazards,
            format_func=lambda h: f"{h['name']} — {risk.get(h['risk_level'], h['risk_level'])} ({h['jurisdiction']})",
            key="intake_hazard",
        )
    else:
        c1, c2 = st.columns(2)
        lat = c1.number_input(t("intake.lat"), 20.0, 21.5, 20.914, step=0.001, format="%.5f", key="intake_lat")
        lon = c2.number_input(t("intake.lon"), 109.5, 110.6, 110.085, step=0.001, format="%.5f", key="intake_lon")
    address = st.text_input(t("intake.address"), max_chars=300, key="intake_address")
    c3, c4 = st.columns(2)
    deaths = c3.number_input(t("intake.deaths"), 0, 100_000, 0, key="intake_deaths")
    injured = c4.number_input(t("intake.serious_injuries"), 0, 100_000, 0, key="intake_injured")
    submitted = st.form_submit_button(t("intake.submit"), type="primary", key="intake_submit")

if submitted:
    if not title.strip():
        st.error(t("intake.need_title"))
    else:
        try:
            body = incident_body(
                title=title,
                type_=type_,
                lat=lat,
                lon=lon,
                hazard=hazard,
                address=address,
                deaths=int(deaths),
                serious_injuries=int(injured),
            )
        except ValueError:
            st.error(t("intake.need_place"))
        else:
            # One key per report as typed: a double click or a retry of the same report replays the first answer
            # (one incident); a report that differs in anything is a new one.
            key = key_for(st.session_state.setdefault("intake_keys", {}), body, api.new_idempotency_key)
            created = call(lambda c: c.create_incident(body, key))
            if created is not None:
                st.session_state["intake_last"] = created

last = st.session_state.get("intake_last")
if last:
    st.success(
        t("intake.filed", id=last["id"], title=last["title"], grade=group("severity").get(last["severity"], "")),
        icon=":material/check_circle:",
    )
    st.page_link(
        "views/incident.py",
        label=t("intake.open"),
        query_params={"id": str(last["id"])},
        icon=":material/arrow_forward:",
    )
