"""The surge run's Markdown report and PNG charts, from Locust's CSVs, the server samples and the baselines."""

import csv
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

PHASE_NAMES = ("baseline", "surge", "recovery")
WRITE = "POST /incidents"


@dataclass
class Row:
    type: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Surge:
    stats: list[Row]
    history: list[dict[str, str]]
    tally: dict[str, Any]
    samples: list[tuple[float, float, float]]  # (seconds since start, server CPU %, server RSS MiB)
    baselines: dict[str, tuple[float, float]]  # name → (req/s, p99 ms)
    offered: dict[str, float]  # phase → incident reports/s offered
    phases_s: Sequence[float]
    notes: list[str] = field(default_factory=list)
    profile: dict[str, Counter[str]] = field(default_factory=dict)
    knee: list[tuple[float, float, float]] = field(
        default_factory=list
    )  # (offered, achieved, write p99 ms)  # "self" / "ours" → frame → samples


def read_stats(path: Path) -> list[Row]:
    with path.open(newline="") as f:
        return [
            Row(
                r["Type"],
                r["Name"],
                int(r["Request Count"]),
                int(r["Failure Count"]),
                float(r["Requests/s"]),
                float(r["50%"] or 0),
                float(r["95%"] or 0),
                float(r["99%"] or 0),
            )
            for r in csv.DictReader(f)
            if r["Name"] != "Aggregated"
        ]


LINE = re.compile(r":\d+\)$")
OURS = re.compile(r"\((?:[^()]*/)?(api|realtime|resources_db)/[^()]*\)")


def read_profile(path: Path) -> dict[str, Counter[str]]:
    """py-spy's collapsed stacks → samples per innermost frame ("self") and per frame of our packages ("ours")."""
    if not path.exists():
        return {}
    own: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [LINE.sub(")", f) for f in stack.split(";")]  # per function, not per line
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in dict.fromkeys(f for f in frames if OURS.search(f)):  # once per stack: inclusive samples
            ours[frame] += int(count)
    return {"self": own, "ours": ours, "total": Counter({"samples": total})}


def read_history(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _phase_of(name: str) -> str | None:
    return next((p for p in PHASE_NAMES if name.endswith(f"[{p}]")), None)


def _route(name: str) -> str:
    return name.rsplit(" [", 1)[0]


def phase_rps(s: Surge, row: Row) -> float:
    """Requests per second over the row's phase (Locust's own figure divides by the whole run)."""
    phase = _phase_of(row.name)
    return row.requests / s.phases_s[PHASE_NAMES.index(phase)] if phase else row.rps


def write_row(s: Surge, phase: str) -> Row | None:
    return next((r for r in s.stats if r.name == f"{WRITE} [{phase}]"), None)


def events_of(s: Surge, phase: str) -> list[Row]:
    return [r for r in s.stats if r.type == "WS" and _phase_of(r.name) == phase]


def event_p95(s: Surge, phase: str) -> float | None:
    """The largest per-type p95 of the phase's events (a conservative stand-in for the merged p95)."""
    rows = [r for r in events_of(s, phase) if r.requests]
    return max((r.p95 for r in rows), default=None)


def recovery_s(s: Surge) -> float | None:
    """Seconds into recovery until the writes' rolling p95 is back within 10 % of the baseline's p95."""
    base = write_row(s, "baseline")
    if base is None or not s.history:
        return None
    start = float(s.history[0]["Timestamp"])
    recovery_at = s.phases_s[0] + s.phases_s[1]
    for h in s.history:
        if h["Name"] != f"{WRITE} [recovery]" or h["95%"] in ("", "N/A"):
            continue
        t = float(h["Timestamp"]) - start
        if t >= recovery_at and float(h["95%"]) <= base.p95 * 1.1:
            return max(0.0, t - recovery_at)
    return None


def targets(s: Surge) -> list[tuple[str, str, bool | None]]:
    """(target, measured, passed) for the issue's ratios within the run."""
    out: list[tuple[str, str, bool | None]] = []
    surge = write_row(s, "surge")
    base = write_row(s, "baseline")
    if surge is not None:
        offered = s.offered["surge"]
        achieved = phase_rps(s, surge)
        gap = abs(achieved - offered) / offered
        out.append(("surge served: achieved within 5 % of offered", f"{achieved:.1f} of {offered:.1f}/s", gap <= 0.05))
    failures = sum(r.failures for r in s.stats)
    out.append(("0 errors", str(failures), failures == 0))
    out.append(("0 lost events", str(s.tally.get("lost")), s.tally.get("lost") == 0))
    out.append(
        ("0 duplicate incidents from retried keys", str(s.tally.get("duplicates")), s.tally.get("duplicates") == 0)
    )
    if surge is not None and base is not None and base.p99:
        ratio = surge.p99 / base.p99
        out.append(
            ("surge write p99 ≤ 3 × baseline p99", f"{surge.p99:.0f} / {base.p99:.0f} ms = {ratio:.1f}×", ratio <= 3)
        )
    p95 = event_p95(s, "surge")
    out.append(
        (
            "surge commit → viewer p95 ≤ 1 s",
            f"{p95:.0f} ms" if p95 is not None else "—",
            None if p95 is None else p95 <= 1000,
        )
    )
    rec = recovery_s(s)
    out.append(
        (
            "latency back to baseline ≤ 10 s after the surge",
            f"{rec:.0f} s" if rec is not None else "not seen",
            None if rec is None else rec <= 10,
        )
    )
    bare = s.baselines.get("POST /bare")
    kept = [offered for offered, achieved, p99 in s.knee if p99 <= 1000 and abs(achieved - offered) <= 0.05 * offered]
    if bare and s.knee:
        top = max(kept, default=0.0)
        reached = "" if len(kept) < len(s.knee) else " (the ladder's top: the knee is higher)"
        out.append(
            (
                "knee: highest offered write rate with p99 ≤ 1 s ÷ bare insert rate",
                f"{top:.0f}/s ÷ {bare[0]:.0f}/s = {top / bare[0]:.2f}{reached}",
                None,
            )
        )
    return out


def _is_series(h: dict[str, str], want_ws: bool) -> bool:
    """A history row of the event feed (WS) or of the incident reports."""
    return h["Type"] == "WS" if want_ws else h["Type"] != "WS" and _route(h["Name"]) == WRITE


def charts(s: Surge, out_dir: Path) -> list[str]:
    start = float(s.history[0]["Timestamp"]) if s.history else 0.0
    files = []
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
    for label, want_ws in (("incident reports/s", False), ("events received/s", True)):
        series: dict[float, float] = {}
        for h in s.history:
            if _is_series(h, want_ws) and h["Name"] != "Aggregated":
                t = float(h["Timestamp"]) - start
                series[t] = series.get(t, 0.0) + float(h["Requests/s"] or 0)
        ts = sorted(series)
        ax1.plot(ts, [series[t] for t in ts], label=label)
    for label, want_ws in (("POST /incidents p95", False), ("events p95", True)):
        pts = sorted(
            (float(h["Timestamp"]) - start, float(h["95%"]))
            for h in s.history
            if _is_series(h, want_ws) and h["95%"] not in ("", "N/A")
        )
        ax2.plot([p[0] for p in pts], [p[1] for p in pts], ".", markersize=3, label=label)
    edges = [s.phases_s[0], s.phases_s[0] + s.phases_s[1]]
    for ax in (ax1, ax2):
        for e in edges:
            ax.axvline(e, color="#999", linestyle="dashed")
        ax.legend(fontsize=8)
    ax1.set_ylabel("per second")
    ax2.set_ylabel("ms (rolling p95)")
    ax2.set_yscale("log")
    ax2.set_xlabel("seconds since start (dashed: phase changes)")
    fig.savefig(out_dir / "surge-rates-latency.png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    files.append("surge-rates-latency.png")
    if s.samples:
        fig, ax = plt.subplots(figsize=(10, 2.8))
        ax.plot([x[0] for x in s.samples], [x[1] for x in s.samples], label="API CPU % (of one core)")
        ax.set_ylabel("CPU %")
        ax2b = ax.twinx()
        ax2b.plot([x[0] for x in s.samples], [x[2] for x in s.samples], color="#c62828", label="API RSS MiB")
        ax2b.set_ylabel("MiB")
        for e in edges:
            ax.axvline(e, color="#999", linestyle="dashed")
        ax.legend(loc="upper left", fontsize=8)
        ax2b.legend(loc="upper right", fontsize=8)
        fig.savefig(out_dir / "surge-server.png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        files.append("surge-server.png")
    return files


def _ms(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.0f}"


def markdown(s: Surge, images: list[str], settings: list[tuple[str, str]]) -> str:
    lines = ["# Surge load test", ""]
    lines += [f"- {k}: {v}" for k, v in settings] + [""]
    lines += ["## Targets (ratios within this run)", "", "| target | measured | verdict |", "| --- | --- | --- |"]
    for name, measured, ok in targets(s):
        lines.append(f"| {name} | {measured} | {'PASS' if ok else 'FAIL' if ok is False else '—'} |")
    lines += ["", "## Baselines (same run, same machine)", "", "| baseline | req/s | p99 ms |", "| --- | --- | --- |"]
    lines += [f"| {name} | {rps:.0f} | {p99:.0f} |" for name, (rps, p99) in s.baselines.items()]
    lines += [
        "",
        "## Requests per route and phase",
        "",
        "| route | phase | requests | failures | req/s (over the phase) | p50 | p95 | p99 |",
    ]
    lines += ["| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in sorted(
        s.stats, key=lambda r: (r.type == "WS", _route(r.name), PHASE_NAMES.index(_phase_of(r.name) or "baseline"))
    ):
        if r.type in ("WS", "CHECK"):
            continue
        cells = [_route(r.name), _phase_of(r.name) or "—", str(r.requests), str(r.failures)]
        cells += [f"{phase_rps(s, r):.1f}", _ms(r.p50), _ms(r.p95), _ms(r.p99)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Event latency, commit → viewer (ms)",
        "",
        "| phase | events | p50 (largest type) | p95 (largest type) | p99 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for phase in PHASE_NAMES:
        rows = [r for r in events_of(s, phase) if r.requests]
        if rows:
            worst = [max(float(getattr(r, q)) for r in rows) for q in ("p50", "p95", "p99")]
            lines.append(f"| {phase} | {sum(r.requests for r in rows)} | " + " | ".join(_ms(w) for w in worst) + " |")
    t = s.tally
    lines += ["", "## Errors, lost events, retries", ""]
    lines += [
        f"- failed requests: {sum(r.failures for r in s.stats)}",
        f"- lost events: {t.get('lost')}",
        f"- duplicate incidents: {t.get('duplicates')}",
        f"- 503 retries: {t.get('retries')}",
        f"- incidents reported: {t.get('created')}",
    ]
    if s.samples:
        cpu = [x[1] for x in s.samples]
        rss = [x[2] for x in s.samples]
        mean = sum(cpu) / len(cpu)
        lines += [f"- API process: CPU mean {mean:.0f} %, max {max(cpu):.0f} % of one core; RSS max {max(rss):.0f} MiB"]
    if s.profile.get("total", Counter())["samples"]:
        total = s.profile["total"]["samples"]
        lines += ["", "## Where the time goes (API process during the surge phase, py-spy; idle threads left out)", ""]
        lines += ["| innermost frame | share of samples |", "| --- | --- |"]
        lines += [f"| `{f[:110]}` | {n / total:.1%} |" for f, n in s.profile["self"].most_common(12)]
        lines += ["", "| frame of api / realtime / resources_db (inclusive) | share |", "| --- | --- |"]
        lines += [f"| `{f[:110]}` | {n / total:.1%} |" for f, n in s.profile["ours"].most_common(12)]
    lines += ["", "## Charts", ""] + [f"![{i}]({i})" for i in images]
    if s.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in s.notes]
    return "\n".join(lines) + "\n"
