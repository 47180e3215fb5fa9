"""Cooperation: mutual-aid requests to approve, decline or fulfil; compensation statements per team and month."""

from datetime import date

import streamlit as st

from dashboard.live import live_fragment
from dashboard.session import act, call, can_write, flash, t


def draw() -> tuple[int, str] | None:
    st.markdown(f"## {t('nav.cooperation')}")
    flash()
    st.markdown(f"### {t('coop.requests')}")
    requests = call(lambda c: c.mutual_aid()) or []
    if not requests:
        st.markdown("—")
    for r in requests:
        c1, c2, c3 = st.columns([4, 2, 2])
        c1.markdown(
            f"**#{r['id']}** {t('col.incident')} #{r['incident_id']} · {r['from_jurisdiction']} → "
            f"{r['to_jurisdiction']} · {', '.join(r['capabilities'])} · **{t('coop.status.' + r['status'])}**"
        )
        if not can_write():
            continue
        if r["status"] == "requested":
            team = c2.number_input(t("coop.lent_team"), min_value=1, step=1, key=f"lend-{r['id']}")
            c2.button(
                t("coop.approve"),
                key=f"approve-{r['id']}",
                on_click=act,
                args=(
                    lambda c, rid=r["id"], tm=int(team): c.mutual_aid_action(rid, "approve", {"lent_team_id": tm}),
                    t("common.saved"),
                ),
            )
            c3.button(
                t("coop.decline"),
                key=f"decline-{r['id']}",
                on_click=act,
                args=(
                    lambda c, rid=r["id"]: c.mutual_aid_action(rid, "decline", {"note": "declined"}),
                    t("common.saved"),
                ),
            )
        elif r["status"] == "approved":
            c3.button(
                t("coop.fulfil"),
                key=f"fulfil-{r['id']}",
                on_click=act,
                args=(lambda c, rid=r["id"]: c.mutual_aid_action(rid, "fulfil"), t("common.saved")),
            )
    st.markdown(f"### {t('coop.compensation')}")
    month = st.text_input(t("coop.month"), value=date.today().strftime("%Y-%m"), max_chars=7, key="month")
    report = call(lambda c: c.compensation(month))
    if report is not None:
        st.dataframe(
            [
                {
                    t("col.team"): s["team_name"],
                    t("coop.dispatches"): s["dispatch_count"],
                    t("coop.hours"): s["billed_hours"],
                    t("coop.total"): s["total_cny"],
                }
                for s in report["statements"]
            ],
            hide_index=True,
            key="compensation",
        )
        st.markdown(f"**{t('coop.total')}: {report['total_cny']} CNY**")
        csv = call(lambda c: c.compensation_csv(month))
        if csv is not None:
            st.download_button(
                "CSV", csv, file_name=f"compensation-{month}.csv", mime="text/csv", key="compensation_csv"
            )
    return None


live_fragment(draw, scope="cooperation", topics="incidents")
