"""HTML fragments of the board (tables, chips, countdowns) from plain data; every colour has its text beside it."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from typing import Any

from dashboard.model import (
    RISK_RGB,
    SEVERITY_MARK,
    SEVERITY_RGB,
    TEAM_STATUS_RGB,
    Alarm,
    OverdueDispatch,
    format_countdown,
    format_elapsed,
    parse_time,
)

Label = Mapping[str, str]
ALARM_STYLE = {Alarm.red: "background:#7f1d1d;color:#fff", Alarm.amber: "background:#92400e;color:#fff"}


def _rgb(rgb: tuple[int, int, int]) -> str:
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"


def chip(text: str, rgb: tuple[int, int, int], mark: str = "") -> str:
    """A coloured chip that also says what it means (never colour alone)."""
    dark_text = rgb[1] > 150 and rgb[0] > 150  # yellow needs dark text for 4.5:1 contrast
    fg = "#111" if dark_text else "#fff"
    return (
        f'<span class="chip" style="background:{_rgb(rgb)};color:{fg};padding:0.1em 0.5em;'
        f'border-radius:0.35em;font-weight:700;white-space:nowrap">'
        f"{escape(mark + ' ' if mark else '')}{escape(text)}</span>"
    )


def grade_chip(severity: str, grade: Label) -> str:
    rgb = SEVERITY_RGB.get(severity, (100, 100, 100))
    return chip(grade.get(severity, severity), rgb, SEVERITY_MARK.get(severity, ""))


def risk_chip(level: str, risk: Label) -> str:
    return chip(risk.get(level, level), RISK_RGB.get(level, (100, 100, 100)), "◆")


def team_chip(status: str, team_status: Label) -> str:
    return chip(team_status.get(status, status), TEAM_STATUS_RGB.get(status, (100, 100, 100)), "●")


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], css_class: str = "board") -> str:
    """Cells are already HTML (escape data before passing it)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def incident_rows(
    incidents: Iterable[Mapping[str, Any]],
    teams_by_incident: Mapping[int, list[str]],
    now: datetime,
    labels: Mapping[str, Label],
    exercise_word: str,
) -> list[list[str]]:
    rows = []
    for i in incidents:
        reported = parse_time(i.get("reported_at"))
        elapsed = format_elapsed(now - reported) if reported else "?"
        drill = f' <b class="drill">[{escape(exercise_word)}]</b>' if i.get("is_drill") else ""
        teams = teams_by_incident.get(int(i["id"]), [])
        rows.append(
            [
                grade_chip(str(i["severity"]), labels["severity"]),
                f'<span class="inc-title">#{i["id"]} {escape(str(i["title"]))}</span>{drill}',
                escape(labels["incident_type"].get(str(i["type"]), str(i["type"]))),
                escape(labels["incident_status"].get(str(i["status"]), str(i["status"]))),
                elapsed,
                escape(labels.get("place", {}).get(str(i.get("jurisdiction")), str(i.get("jurisdiction", "")))),
                escape(", ".join(teams)) if teams else "—",
            ]
        )
    return rows


def escalation_rows(steps: Iterable[Mapping[str, Any]], level: Label, late_word: str) -> list[list[str]]:
    rows = []
    for s in steps:
        left = s.get("seconds_left")
        text = format_countdown(left) if isinstance(left, int) else "?"
        style = ALARM_STYLE[Alarm.red] if s["late"] else ""
        late = f" <b>▲ {escape(late_word)}</b>" if s["late"] else ""
        due = escape(str(s.get("due_at", "")))
        rows.append(
            [
                f"#{s['incident_id']}",
                escape(level.get(str(s["level"]), str(s["level"]))),
                f'<span style="{style};padding:0 0.3em" class="countdown">'
                f'<span data-due="{due}">{text}</span>{late}</span>',
            ]
        )
    return rows


def overdue_rows(
    overdue: Iterable[OverdueDispatch], team_names: Mapping[int, str], stage: Label, amber: str, red: str
) -> list[list[str]]:
    rows = []
    for o in overdue:
        word = red if o.alarm is Alarm.red else amber
        rows.append(
            [
                f'<span style="{ALARM_STYLE[o.alarm]};padding:0 0.4em">{"■■" if o.alarm is Alarm.red else "▲"} '
                f"{escape(word)}</span>",
                escape(team_names.get(int(o.dispatch["team_id"]), f"#{o.dispatch['team_id']}")),
                f"#{o.dispatch['incident_id']}",
                escape(stage.get(o.stage, o.stage)),
                format_elapsed(o.elapsed),
            ]
        )
    return rows


BOARD_CSS = """
<style>
table.board { width: 100%; border-collapse: collapse; font-size: 1rem; }
table.board th { text-align: left; border-bottom: 2px solid #94a3b8; padding: 0.3rem 0.4rem; }
table.board td { border-bottom: 1px solid #cbd5e1; padding: 0.35rem 0.4rem; vertical-align: top; }
b.drill { color: #7c3aed; }
</style>
"""
WALL_CSS = """
<style>
.stApp, [data-testid="stHeader"] { background: #0b1220 !important; color: #f1f5f9 !important; }
.stApp p, .stApp span, .stApp td, .stApp th, .stApp h1, .stApp h2, .stApp h3, .stApp label,
[data-testid="stMetricValue"], [data-testid="stMetricLabel"] p { color: #f1f5f9 !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] { display: none; }
.block-container { padding: 0.6rem 1.5rem !important; max-width: 100% !important; }
table.board { font-size: 1.7rem; }
table.board td, table.board th { border-color: #334155; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.4rem !important; }
h1 { font-size: 2.6rem !important; } h3 { font-size: 1.9rem !important; }
</style>
"""
