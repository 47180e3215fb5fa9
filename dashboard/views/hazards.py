"""Hazards: the registry of hazard sources on the map and in a table, by risk grade."""

import streamlit as st

from dashboard import map as board_map
from dashboard import model
from dashboard.live import live_fragment
from dashboard.session import call, group, lang, t


def draw() -> tuple[int, str] | None:
    st.markdown(f"## {t('nav.hazards')}")
    risk = group("risk")
    levels = st.multiselect(
        t("hazards.levels"),
        list(model.RISK_ORDER),
        default=list(model.RISK_ORDER),
        format_func=lambda level: risk.get(level, level),
        key="levels",
    )
    hazards = [h for h in call(lambda c: c.hazards()) or [] if h["risk_level"] in levels]
    places = call(lambda c: c.jurisdictions()) or []
    points = board_map.hazard_points(hazards, risk)
    st.pydeck_chart(
        board_map.build_deck(
            incidents=[],
            teams=[],
            hazards=points,
            depots=[],
            places=board_map.place_labels(places, lang()),
            view=board_map.fit_view(points),
        ),
        height=460,
        key="hazard_map",
    )
    kinds = group("hazard_kind")
    st.dataframe(
        [
            {
                t("hazards.level"): f"◆ {risk.get(h['risk_level'], h['risk_level'])}",
                t("col.item"): h["name"],
                t("resources.kind"): kinds.get(h["kind"], h["kind"]),
                t("col.place"): h["jurisdiction"],
                t("hazards.enterprise"): h["enterprise"],
                t("hazards.responsible"): h["responsible_person"],
            }
            for h in sorted(hazards, key=lambda h: model.RISK_ORDER.index(h["risk_level"]))
        ],
        hide_index=True,
        key="hazard_table",
    )
    return None


# Hazard sources and plans announce their changes on the `hazards` topic.
live_fragment(draw, scope="hazards", topics="hazards")
