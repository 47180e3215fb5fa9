"""Resources: teams, depots and supplies with filters; below reserve or expiring within 30 days highlighted; CSV."""

from datetime import date, timedelta

import streamlit as st

from dashboard.live import live_fragment
from dashboard.map import place_names
from dashboard.session import act, cached, call, can_write, flash, group, lang, t

EXPIRY_WINDOW = timedelta(days=30)


def supply_flags(item: dict[str, object], today: date) -> str:
    """Words, not only colour: what is wrong with a supply item."""
    flags = []
    if int(item["quantity_on_hand"]) < int(item["min_reserve"]):  # type: ignore[call-overload]
        flags.append("▲ " + t("resources.below_reserve"))
    expires = item.get("expires_on")
    if isinstance(expires, str) and date.fromisoformat(expires) <= today + EXPIRY_WINDOW:
        flags.append("● " + t("resources.expiring"))
    return " ".join(flags)


def draw() -> tuple[int, str] | None:
    st.markdown(f"## {t('nav.resources')}")
    flash()
    teams_tab, supplies_tab = st.tabs([t("resources.teams"), t("resources.supplies")])
    with teams_tab:
        kinds = group("team_kind")
        statuses = group("team_status")
        c1, c2 = st.columns(2)
        kind = c1.selectbox(t("resources.kind"), ["", *kinds], format_func=lambda k: kinds.get(k, "—"), key="f_kind")
        status = c2.selectbox(t("col.status"), ["", *statuses], format_func=lambda k: statuses.get(k, "—"), key="f_st")
        params = {k: v for k, v in (("kind", kind), ("status", status)) if v}
        teams = call(lambda c: c.teams(**params)) or []
        places = place_names(cached("jurisdictions", 600, lambda c: c.jurisdictions()) or [], lang())
        st.dataframe(
            [
                {
                    t("col.team"): tm["name"],
                    t("resources.kind"): kinds.get(tm["kind"], tm["kind"]),
                    t("col.status"): statuses.get(tm["status"], tm["status"]),
                    t("col.place"): places.get(tm["home_jurisdiction"], tm["home_jurisdiction"]),
                    t("resources.personnel"): tm["personnel"],
                }
                for tm in teams
            ],
            hide_index=True,
            key="teams_table",
        )
    with supplies_tab:
        depots = {d["id"]: d for d in call(lambda c: c.depots()) or []}
        only_problems = st.toggle(t("resources.only_problems"), key="f_problems")
        items = call(lambda c: c.supplies()) or []
        today = date.today()
        rows = []
        for item in items:
            flags = supply_flags(item, today)
            if only_problems and not flags:
                continue
            rows.append(
                {
                    "⚑": flags,
                    t("col.depot"): depots.get(item["depot_id"], {}).get("name", item["depot_id"]),
                    t("col.item"): item["name"],
                    t("col.on_hand"): item["quantity_on_hand"],
                    t("col.reserved"): item["quantity_reserved"],
                    t("col.min_reserve"): item["min_reserve"],
                    t("resources.expires"): item.get("expires_on") or "",
                }
            )
        st.dataframe(rows, hide_index=True, key="supplies_table")
        csv = call(lambda c: c.supplies_csv())
        if csv is not None:
            st.download_button(t("resources.export"), csv, file_name="supplies.csv", mime="text/csv", key="export")
        if can_write():
            upload = st.file_uploader(t("resources.import"), type=["csv"], key="import_file")
            if upload is not None:
                data = upload.getvalue()
                st.button(
                    t("resources.import_go"),
                    key="import_go",
                    on_click=act,
                    args=(lambda c: c.import_supplies(data), t("common.saved")),
                )
    return None


live_fragment(draw, scope="resources", topics="teams,supplies")
