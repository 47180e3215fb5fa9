"""Incident: details and grade, recommendation with reasons, dispatch and supply actions, reporting chain, timeline."""

from datetime import UTC, datetime
from html import escape
from typing import Any

import streamlit as st

from dashboard import api, model, render
from dashboard import map as board_map
from dashboard.live import live_fragment
from dashboard.session import act, cached, call, can_write, clock, flash, group, lang, t

TOPICS = "incidents,dispatches,teams,supplies,escalations"
NEXT_INCIDENT_STATUS = {
    "reported": ["verified", "dismissed"],
    "verified": ["responding"],
    "responding": ["contained"],
    "contained": ["closed"],
}


def _key(name: str) -> str:
    """One idempotency key per pending action, reused by its retries and dropped once it succeeded."""
    keys: dict[str, str] = st.session_state.setdefault("idem_keys", {})
    return keys.setdefault(name, api.new_idempotency_key())


def _done(name: str) -> None:
    st.session_state.setdefault("idem_keys", {}).pop(name, None)


def dispatch_team(incident_id: int, team_id: int) -> None:
    name = f"dispatch-{incident_id}-{team_id}"
    act(lambda c: c.dispatch(incident_id, team_id, _key(name)), t("incident.dispatched", team=team_id))
    if st.session_state.get("flash", ("",))[0] == "success":
        _done(name)


def dispatch_set(incident_id: int, team_ids: list[int]) -> None:
    for team_id in team_ids:
        dispatch_team(incident_id, team_id)
        if st.session_state.get("flash", ("",))[0] != "success":
            return
    st.session_state["flash"] = ("success", t("incident.dispatched_set", n=len(team_ids)))


def allocate(incident_id: int, item: dict[str, Any]) -> None:
    name = f"allocate-{incident_id}-{item['supply_item_id']}"
    qty = int(item["suggested_quantity"])
    act(lambda c: c.allocate(incident_id, int(item["supply_item_id"]), qty, _key(name)), t("incident.allocated"))
    if st.session_state.get("flash", ("",))[0] == "success":
        _done(name)


def pick_incident() -> int | None:
    raw = st.query_params.get("id")
    if raw and raw.isdigit():
        return int(raw)
    snap = call(lambda c: c.situation())
    active = model.sort_incidents(snap["incidents"]) if snap else []
    if not active:
        st.info(t("incident.none"))
        return None
    choice = st.selectbox(
        t("incident.pick"), active, format_func=lambda i: f"#{i['id']} {i['title']}", key="incident_pick"
    )
    return int(choice["id"]) if choice else None


def details(inc: dict[str, Any], now: datetime) -> None:
    reported = model.parse_time(inc.get("reported_at"))
    drill = f' <b class="drill">[{t("drill.exercise")}]</b>' if inc.get("is_drill") else ""
    st.markdown(
        f"## #{inc['id']} {escape(inc['title'])} {render.grade_chip(inc['severity'], group('severity'))}{drill}",
        unsafe_allow_html=True,
    )
    c = st.columns(5)
    c[0].metric(t("col.status"), group("incident_status").get(inc["status"], inc["status"]))
    c[1].metric(t("col.type"), group("incident_type").get(inc["type"], inc["type"]))
    c[2].metric(t("col.elapsed"), model.format_elapsed(now - reported) if reported else "?")
    c[3].metric(t("intake.deaths"), inc["deaths"])
    c[4].metric(t("intake.serious_injuries"), inc["serious_injuries"])
    places = board_map.place_names(cached("jurisdictions", 600, lambda c: c.jurisdictions()) or [], lang())
    place = places.get(inc["jurisdiction"], inc["jurisdiction"])
    st.caption(f"{inc.get('address') or ''} · {place} · {inc['lat']:.5f}, {inc['lon']:.5f}")
    if inc.get("nearby_hazards"):
        risk = group("risk")
        st.markdown(
            t("incident.nearby_hazards")
            + ": "
            + " ".join(
                f"{render.risk_chip(h['risk_level'], risk)} {escape(h['name'])} ({h['distance_km']:.2f} km)"
                for h in inc["nearby_hazards"]
            ),
            unsafe_allow_html=True,
        )


def actions(inc: dict[str, Any]) -> None:
    nexts = NEXT_INCIDENT_STATUS.get(inc["status"], [])
    if not nexts:
        return
    cols = st.columns(len(nexts) + 3)
    for col, status in zip(cols, nexts, strict=False):
        col.button(
            t(f"incident.to_{status}"),
            key=f"transition-{status}",
            on_click=act,
            args=(lambda c, s=status: c.transition(inc["id"], s), t("common.saved")),
        )


def recommendation(inc: dict[str, Any], names: dict[int, str]) -> None:
    st.markdown(f"### {t('incident.recommendation')}")
    rec = call(lambda c: c.recommendation(inc["id"]))
    if rec is None:
        return
    caps = group("capability")
    st.markdown(
        render.table(
            [t("col.capability"), t("col.needed"), t("col.dispatched"), t("col.reasons")],
            [
                [
                    escape(caps.get(r["capability"], r["capability"])),
                    str(r["teams"]),
                    str(r["dispatched"]),
                    escape("; ".join(r["reasons"])),
                ]
                for r in rec["required"]
            ],
        ),
        unsafe_allow_html=True,
    )
    proposed = rec["proposed"]
    team_by_id = {tm["team_id"]: tm for tm in rec["teams"]}
    ids = [int(i) for i in proposed["team_ids"]]
    if ids:
        st.markdown(
            f"**{t('incident.proposed')}**: "
            + ", ".join(
                f"{team_by_id[i]['name'] if i in team_by_id else names.get(i, i)}"
                f" ({team_by_id[i]['eta_minutes']:.0f} min)"
                if i in team_by_id
                else str(i)
                for i in ids
            )
        )
    if proposed["uncovered"]:
        st.warning(t("incident.uncovered", caps=", ".join(caps.get(c, c) for c in proposed["uncovered"])))
    if can_write() and ids:
        st.button(
            t("incident.dispatch_proposed", n=len(ids)),
            key="dispatch_proposed",
            type="primary",
            on_click=dispatch_set,
            args=(inc["id"], ids),
        )
    with st.expander(t("incident.all_candidates", n=len(rec["teams"])), expanded=False):
        for tm in rec["teams"][:20]:
            c1, c2 = st.columns([5, 1])
            aid = f" · {t('incident.mutual_aid')}" if tm["mutual_aid"] else ""
            c1.markdown(
                f"**{tm['name']}** · {tm['eta_minutes']:.0f} min · {tm['distance_km']:.1f} km{aid}  \n"
                f"{', '.join(caps.get(x, x) for x in tm['covers'])} — {'; '.join(tm['reasons'])}"
            )
            if can_write() and not tm["mutual_aid"]:
                c2.button(
                    t("incident.dispatch"),
                    key=f"dispatch-{tm['team_id']}",
                    on_click=dispatch_team,
                    args=(inc["id"], tm["team_id"]),
                )
    if rec["supplies"]:
        st.markdown(f"**{t('incident.supplies')}**")
        for item in rec["supplies"][:12]:
            c1, c2 = st.columns([5, 1])
            c1.markdown(
                f"{item['name']} · {item['depot_name']} ({item['distance_km']:.1f} km) · "
                f"{t('col.suggested')}: {item['suggested_quantity']} / {t('col.available')}: {item['available']}"
            )
            if can_write() and item["suggested_quantity"] > 0:
                c2.button(
                    t("incident.allocate"),
                    key=f"allocate-{item['supply_item_id']}",
                    on_click=allocate,
                    args=(inc["id"], item),
                )


def assigned(inc: dict[str, Any], names: dict[int, str]) -> None:
    st.markdown(f"### {t('incident.assigned')}")
    rows = call(lambda c: c.dispatches(incident_id=inc["id"])) or []
    if not rows:
        st.markdown("—")
        return
    status = group("dispatch_status")

    st.markdown(
        render.table(
            [t("col.team"), t("col.status"), *(t(f"dispatch_status.{s}") for s in model.ACTIVE_DISPATCH)],
            [
                [
                    escape(str(names.get(int(d["team_id"]), f"#{d['team_id']}"))),
                    escape(str(status.get(d["status"], d["status"]))),
                    clock(d["dispatched_at"]),
                    clock(d["acknowledged_at"]),
                    clock(d["en_route_at"]),
                    clock(d["on_scene_at"]),
                ]
                for d in rows
            ],
        ),
        unsafe_allow_html=True,
    )


def escalations(inc: dict[str, Any], now: datetime) -> None:
    st.markdown(f"### {t('incident.escalations')}")
    steps = call(lambda c: c.escalations(incident_id=inc["id"])) or []
    level = group("level")
    for s in steps:
        left = model.seconds_left(s.get("due_at"), now)
        c1, c2 = st.columns([3, 2])
        if s.get("reported_at"):
            state = t("incident.reported_at", at=clock(s["reported_at"])) + (
                f" ▲ {t('live.late')}" if s["late"] else ""
            )
            c1.markdown(f"**{level.get(s['level'], s['level'])}** — {state}")
            continue
        late = left is not None and left < 0
        c1.markdown(
            f"**{level.get(s['level'], s['level'])}** — {t('col.countdown')}: "
            f'<span data-due="{escape(str(s["due_at"]))}">{model.format_countdown(left or 0)}</span>'
            + (f" <b style='color:#b91c1c'>▲ {t('live.late')}</b>" if late else ""),
            unsafe_allow_html=True,
        )
        if can_write():
            c2.button(
                t("incident.report"),
                key=f"report-{s['id']}",
                on_click=act,
                args=(lambda c, sid=s["id"]: c.report_escalation(sid), t("common.saved")),
            )


def timeline(inc: dict[str, Any]) -> None:
    with st.expander(t("incident.timeline"), expanded=False):
        entries = call(lambda c: c.timeline(inc["id"])) or []
        st.dataframe(
            [
                {
                    t("col.time"): clock(e["at"], "%m-%d %H:%M:%S"),
                    t("col.actor"): e["actor"],
                    t("col.what"): e["message"],
                }
                for e in entries
            ],
            hide_index=True,
            key="timeline",
        )


incident_id = pick_incident()


def draw() -> tuple[int, str] | None:
    if incident_id is None:
        return None
    flash()
    inc = call(lambda c: c.incident(incident_id))
    if inc is None:
        return None
    snap = call(lambda c: c.situation(include_drills=bool(inc.get("is_drill"))))
    names = {int(p["id"]): p["name"] for p in (snap or {}).get("teams", {}).get("positions") or []}
    now = datetime.now(UTC)
    details(inc, now)
    if can_write():
        actions(inc)
    left, right = st.columns([3, 2])
    with left:
        if inc["status"] not in ("closed", "dismissed"):
            recommendation(inc, names)
        assigned(inc, names)
    with right:
        escalations(inc, now)
        cap = call(lambda c: c.cap(incident_id))
        if cap is not None:
            st.download_button(
                t("incident.cap"), cap, file_name=f"incident-{incident_id}.cap.xml", mime="application/xml", key="cap"
            )
        timeline(inc)
    return (int(snap["seq"]), str(snap["epoch"])) if snap else None


st.markdown(render.BOARD_CSS, unsafe_allow_html=True)
live_fragment(draw, scope="incident", topics=TOPICS)
