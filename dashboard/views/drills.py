"""Drills: start and end a drill, and watch its exercise incidents apart from real ones."""

import streamlit as st

from dashboard import model
from dashboard.live import live_fragment
from dashboard.session import act, call, flash, group, role, t

MAY_RUN = frozenset({"admin", "drill_controller"})


def draw() -> tuple[int, str] | None:
    st.markdown(f"## {t('nav.drills')}")
    st.markdown(f"**[{t('drill.exercise')}]** {t('drill.apart')}")
    flash()
    drills = call(lambda c: c.drills()) or []
    running = [d for d in drills if d["status"] == "running"]
    if role() in MAY_RUN:
        with st.form("start_drill"):
            name = st.text_input(t("drill.name"), max_chars=200, key="drill_name")
            scenario = st.text_input(t("drill.scenario"), max_chars=200, key="drill_scenario")
            if st.form_submit_button(t("drill.start"), type="primary", key="drill_start") and name.strip():
                act(lambda c: c.start_drill(name.strip(), scenario.strip() or None), t("common.saved"))
                st.rerun()
    seq_epoch: tuple[int, str] | None = None
    for d in running:
        st.markdown(f"### [{t('drill.exercise')}] #{d['id']} {d['name']}")
        if role() in MAY_RUN:
            st.button(
                t("drill.end"),
                key=f"end-{d['id']}",
                on_click=act,
                args=(lambda c, did=d["id"]: c.end_drill(did), t("common.saved")),
            )
        drill_id = int(d["id"])
        snap = call(lambda c: c.situation(drill_id=drill_id))  # noqa: B023 (called at once, in this iteration)
        if snap is None:
            continue
        seq_epoch = (int(snap["seq"]), str(snap["epoch"]))
        severity = group("severity")
        st.dataframe(
            [
                {
                    "": f"[{t('drill.exercise')}]",
                    t("col.grade"): f"{model.SEVERITY_MARK.get(i['severity'], '')} {severity.get(i['severity'], '')}",
                    t("col.incident"): f"#{i['id']} {i['title']}",
                    t("col.status"): group("incident_status").get(i["status"], i["status"]),
                }
                for i in model.sort_incidents(snap["incidents"])
            ],
            hide_index=True,
            key=f"drill_incidents_{d['id']}",
        )
    with st.expander(t("drill.history"), expanded=False):
        st.dataframe(
            [{"#": d["id"], t("drill.name"): d["name"], t("col.status"): d["status"]} for d in drills],
            hide_index=True,
            key="drill_history",
        )
    return seq_epoch


live_fragment(draw, scope="drills", topics="drills,incidents,dispatches", query="include_drills=true")
