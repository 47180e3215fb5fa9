"""A drill's evaluation as one self-contained HTML file with PNG charts (AQ/T 9009 report, HSEEP after-action).

Everything comes from `GET /api/v1/drills/{id}/evaluation`; the charts are
drawn with matplotlib's Agg backend and embedded as data: URIs, so the file
loads nothing from anywhere. What an evaluator entered is marked as theirs;
figures from simulated actors sit in their own columns and are never rated.
"""

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from drills.http import Api
from drills.timing import format_clock

INTERVAL_NAMES = {
    "report_to_verified": "report → verified",
    "verified_to_dispatch": "verified → first dispatch",
    "call_processing": "report → first dispatch (call processing)",
    "acknowledge": "dispatched → acknowledged",
    "turnout": "acknowledged → en route (turnout)",
    "travel": "en route → on scene (travel)",
}
CSS = """
body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:3px 8px;font-size:90%}
th{background:#eee}.met,.on_time{color:#176117}.late{color:#a36200}.missed,.not_reported{color:#a31515}
.evaluator{border-left:4px solid #2a5db0;padding-left:1em}.sim{color:#666}img{max-width:100%}
"""


def _e(value: Any) -> str:
    return html.escape("—" if value is None else str(value))


def _s(seconds: Any) -> str:
    return "—" if seconds is None else f"{float(seconds):.0f} s"


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return '<img alt="chart" src="data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode() + '">'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def interval_chart(intervals: dict[str, Any]) -> str:
    names = [n for n in INTERVAL_NAMES if n in intervals]
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for offset, (group, colour) in enumerate((("players", "#2a5db0"), ("simulated", "#aaaaaa"))):
        for q, alpha in (("p90", 0.45), ("p50", 1.0)):
            values = [intervals[n][group][q] or 0 for n in names]
            positions = [i + offset * 0.4 for i in range(len(names))]
            ax.bar(positions, values, width=0.38, color=colour, alpha=alpha, label=f"{group} {q.upper()}")
    for i, n in enumerate(names):
        target = intervals[n].get("target")
        if target:
            ax.hlines(target["within_s"], i - 0.2, i + 0.6, colors="#a31515", linestyles="dashed")
    ax.set_xticks(
        [i + 0.2 for i in range(len(names))],
        [INTERVAL_NAMES[n].split(" (")[0] for n in names],
        fontsize=7,
        rotation=15,
        ha="right",
    )
    ax.set_ylabel("scenario seconds")
    ax.set_yscale("symlog")
    ax.legend(fontsize=7)
    ax.set_title("Intervals, P50 and P90 (dashed: target)")
    return _png(fig)


def timeline_chart(timeline: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.scatter([t["planned_s"] / 60 for t in timeline], range(len(timeline)), marker="|", s=200, label="planned")
    ax.scatter([t["actual_s"] / 60 for t in timeline], range(len(timeline)), marker="o", s=20, label="actual")
    ax.set_yticks(range(len(timeline)), [t["inject"] for t in timeline], fontsize=7)
    ax.set_xlabel("scenario minutes")
    ax.legend(fontsize=7)
    ax.set_title("Injects: planned against actual")
    return _png(fig)


def actions_chart(objectives: list[dict[str, Any]]) -> str:
    fig, ax = plt.subplots(figsize=(9, 2.8))
    bottom = [0] * len(objectives)
    for outcome, colour in (("met", "#2e8b2e"), ("late", "#e69500"), ("missed", "#c62828"), ("pending", "#999")):
        values = [o["actions"][outcome] for o in objectives]
        ax.bar([o["id"] for o in objectives], values, bottom=bottom, color=colour, label=outcome)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("expected actions")
    ax.legend(fontsize=7)
    ax.set_title("Expected actions per objective")
    return _png(fig)


def render(ev: dict[str, Any]) -> str:
    o = ev["overview"]
    evaluator = ev.get("evaluator") or {}
    ratings = evaluator.get("ratings") or {}
    parts = [
        f"<h1>Drill evaluation report — {_e(o['name'])}</h1>",
        "<h2>1. Overview</h2>",
        _table(
            ["", ""],
            [
                ["scenario", _e(o["scenario"])],
                ["drill type", _e(o["drill_type"])],
                ["emergency plan exercised", _e(o["plan"])],
                ["started / ended", f"{_e(o['started_at'])} / {_e(o['ended_at'])}"],
                ["scenario time covered", _e(format_clock(o["scenario_duration_s"]))],
                ["speed, seed, operators", f"{_e(o['speed'])}×, seed {_e(o['seed'])}, {_e(o['operators'])}"],
                ["simulated actors (their actions are never rated)", _e(", ".join(o["simulated_actors"]))],
            ]
            + [[_e(role), _e(", ".join(people))] for role, people in (o.get("roles") or {}).items()],
        ),
        "<h2>2. Timeline</h2>",
        timeline_chart(ev["timeline"]) if ev["timeline"] else "<p>No inject was played.</p>",
        _table(
            ["inject", "kind", "incident", "planned", "actual", "drift"],
            [
                [
                    _e(t["inject"]),
                    _e(t["kind"]),
                    _e(t["incident_id"]),
                    _e(format_clock(t["planned_s"])),
                    _e(format_clock(t["actual_s"])),
                    _s(t["drift_s"]),
                ]
                for t in ev["timeline"]
            ],
        ),
        "<h2>3. Objectives</h2>",
        actions_chart(ev["objectives"]) if ev["objectives"] else "",
        _table(
            [
                "objective",
                "standard",
                "met",
                "late",
                "missed",
                "contingencies fired",
                "measured (players)",
                "measured (simulated)",
                "achieved",
                "rating (evaluator)",
            ],
            [
                [f"{_e(x['id'])} {_e(x['title'])}", _e(x["standard"])]
                + [str(x["actions"][k]) for k in ("met", "late", "missed")]
                + [_e(", ".join(x["contingencies_fired"])), _e(x["measured"])]
                + [f'<span class="sim">{_e(x["measured_simulated"])}</span>', _e(x["achieved"])]
                + [f'<span class="evaluator">{_e(ratings.get(x["id"]))}</span>']
                for x in ev["objectives"]
            ],
        ),
        "<h3>Expected actions</h3>",
        _table(
            ["inject", "action", "role", "window", "taken after", "outcome", "by"],
            [
                [
                    _e(a["inject"]),
                    _e(a["what"]),
                    _e(a["role"]),
                    _s(a["window_s"]),
                    _s(a["elapsed_s"]),
                    f'<span class="{a["outcome"]}">{a["outcome"]}</span>',
                    _e(a["actor"]) + (' <span class="sim">(simulated)</span>' if a["simulated"] else ""),
                ]
                for a in ev["expected_actions"]
            ],
        ),
        "<h2>4. Response intervals (scenario time)</h2>",
        interval_chart(ev["intervals"]),
        _interval_rows(ev["intervals"]),
    ]
    esc = ev["escalations"]
    parts += [
        "<h2>5. Reporting upward (Decree 493)</h2>",
        _table(
            ["on time", "late", "not reported", "pending (deadline after the drill's end)"],
            [[str(v) for v in ev["escalation_summary"].values()]],
        ),
        _table(
            ["incident", "level", "kind", "allowance", "taken", "outcome", "by"],
            [
                [
                    _e(e["incident_id"]),
                    _e(e["level"]),
                    _e(e["kind"]),
                    _s(e["allowance_s"]),
                    _s(e["taken_s"]),
                    f'<span class="{e["outcome"]}">{e["outcome"]}</span>',
                    _e(e["reported_by"]),
                ]
                for e in esc
            ],
        ),
        "<h2>6. Mutual aid and supplies</h2>",
        _table(
            ["incident", "to", "capabilities", "status", "asked at", "answered at"],
            [
                [
                    _e(m["incident_id"]),
                    _e(m["to"]),
                    _e(", ".join(m["capabilities"])),
                    _e(m["status"]),
                    _e(format_clock(m["requested_s"])),
                    _e(format_clock(m["answered_s"]) if m["answered_s"] else None),
                ]
                for m in ev["mutual_aid"]
            ],
        ),
        "<p>Supply shortfalls (stock lost during the drill): "
        + _e(", ".join(f"{s['inject']} (incident {s['incident_id']})" for s in ev["supply_shortfalls"]) or "none")
        + "</p>",
        f"<p>Actions recorded: players {ev['actions_by']['players']}, simulated {ev['actions_by']['simulated']}.</p>",
        '<div class="evaluator"><h2>7. Findings (entered by the evaluator)</h2>',
        f"<p>Entered by {_e(evaluator.get('entered_by'))} at {_e(evaluator.get('entered_at'))}.</p>",
        "<h3>Strengths</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in evaluator.get("strengths") or []) + "</ul>",
        "<h3>Problems found</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in evaluator.get("problems") or []) + "</ul>",
        "<h3>Improvement plan</h3>",
        _table(
            ["objective", "issue", "corrective action", "owner", "due"],
            [
                [_e(i.get("objective")), _e(i["issue"]), _e(i["action"]), _e(i["owner"]), _e(i["due"])]
                for i in evaluator.get("improvements") or []
            ],
        ),
        "</div>",
    ]
    title = f"Drill {ev['drill_id']} evaluation"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def _interval_rows(intervals: dict[str, Any]) -> str:
    rows = []
    for name, v in intervals.items():
        target = f"{v['target']['share']:.0%} ≤ {v['target']['within_s']:.0f} s" if v["target"] else "—"
        p, s = v["players"], v["simulated"]
        rows.append(
            [_e(INTERVAL_NAMES[name]), _e(target), str(p["n"]), _s(p["p50"]), _s(p["p90"]), _e(p["within"])]
            + [_e(v["met"])]
            + [f'<span class="sim">{c}</span>' for c in (str(s["n"]), _s(s["p50"]), _s(s["p90"]), _e(s["within"]))]
        )
    headers = ["interval", "target", "players n", "P50", "P90", "within", "met"]
    return _table([*headers, "simulated n", "P50", "P90", "within"], rows)


def write_report(api: Api, drill_id: int, out_dir: Path) -> Path:
    """Fetch the evaluation and write drill-<id>.html into `out_dir`."""
    evaluation = api.get(f"/drills/{drill_id}/evaluation")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"drill-{drill_id}.html"
    path.write_text(render(evaluation), encoding="utf-8")
    return path
