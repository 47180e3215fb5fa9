"""Steps, verdicts and the printed report of the websocket benchmark; plus an optional py-spy summary."""

import math
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loadtests.bench_ws_source import Sent

HOLD_P99_MS = 1000.0  # a rate is "held" while p99 stays within this...
MIN_RATE_SHARE = 0.95  # ...the source keeps 95 % of the target rate...
MIN_DELIVERED = 0.999  # ...and (nearly) every delivery arrives, nobody cut loose
GOAL_P99_MS = 250.0
GOAL_SHARE_OF_BARE = 0.5


@dataclass
class Step:
    path: str
    sent: Sent
    stats: dict[str, Any]
    server_cpu: float  # share of one core used by the server process during the step

    @property
    def clients(self) -> int:
        return int(self.stats["open"]) + int(self.stats["closed"])

    @property
    def expected(self) -> int:
        return self.sent.events * self.clients

    @property
    def delivered(self) -> float:
        return self.stats["deliveries"] / self.expected if self.expected else 0.0

    @property
    def per_s(self) -> float:
        return self.stats["deliveries"] / self.sent.seconds if self.sent.seconds > 0 else 0.0

    def problems(self, p99_limit: float = HOLD_P99_MS) -> list[str]:
        out = []
        p99 = float(self.stats["p99_ms"])
        if math.isnan(p99) or p99 > p99_limit:
            out.append(f"p99 > {p99_limit:.0f} ms")
        if self.sent.rate < MIN_RATE_SHARE * self.sent.target:
            out.append(f"source reached {self.sent.rate:.1f}/s only")
        if self.sent.errors:
            out.append(f"{self.sent.errors} failed writes {self.sent.statuses}")
        if self.delivered < MIN_DELIVERED:
            out.append(f"{self.delivered:.1%} delivered")
        if self.stats["resyncs"] or self.stats["closed"]:
            out.append(f"{self.stats['resyncs']} resync, {self.stats['closed']} closed")
        return out

    @property
    def held(self) -> bool:
        return not self.problems()

    def row(self) -> str:
        verdict = "held" if self.held else "NOT held: " + "; ".join(self.problems())
        return (
            f"  {self.path:<7} {self.sent.target:>6.0f} {self.sent.rate:>7.1f} {self.per_s:>10,.0f} "
            f"{self.stats['p50_ms']:>7.1f} {self.stats['p99_ms']:>7.1f} {self.delivered:>7.1%} "
            f"{self.server_cpu:>5.0%} {self.stats['cpu_share']:>5.0%}  {verdict}"
        )


HEADER = (
    "  path    ev/s   ev/s    deliv/s    p50 ms  p99 ms  deliv.  srv   cli\n"
    "          target achieved                                   CPU   CPU"
)


def best(steps: list[Step]) -> Step | None:
    held = [s for s in steps if s.held]
    return max(held, key=lambda s: s.per_s) if held else None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def goals(goal: Step, http: list[Step], fanout: list[Step], bare: list[Step]) -> list[str]:
    lines = []
    g1 = not goal.problems(GOAL_P99_MS)
    lines.append(
        f"  {verdict(g1)}  p99 ≤ {GOAL_P99_MS:.0f} ms at {goal.sent.target:.0f} events/s, {goal.clients} clients: "
        f"p99 {goal.stats['p99_ms']:.1f} ms, p50 {goal.stats['p50_ms']:.1f} ms"
        + ("" if g1 else f" ({'; '.join(goal.problems(GOAL_P99_MS))})")
    )
    limit = best(bare)
    for label, steps in (("via POST /incidents", http), ("fan-out only (outbox rows)", fanout)):
        top = best(steps)
        if limit is None or top is None:
            lines.append(f"  FAIL  held deliveries/s {label}: no step held (bare server held: {limit is not None})")
            continue
        ratio = top.per_s / limit.per_s
        lines.append(
            f"  {verdict(ratio >= GOAL_SHARE_OF_BARE)}  held deliveries/s ≥ {GOAL_SHARE_OF_BARE:.0%} of the bare "
            f"server's, {label}: {top.per_s:,.0f} vs {limit.per_s:,.0f} = {ratio:.2f}×"
        )
    return lines


def render(settings: list[tuple[str, str]], goal: Step, groups: list[tuple[str, list[Step]]], tail: list[str]) -> str:
    steps = dict(groups)
    out = ["Websocket fan-out benchmark (commit → client latency, 1 API process)", ""]
    out += [f"  {k:<11} {v}" for k, v in settings]
    out += ["", HEADER]
    for name, group in groups:
        out.append(f"  -- {name}")
        out += [s.row() for s in group]
    out += ["", "Highest deliveries/s held (p99 ≤ 1 s, rate kept, all delivered):"]
    for name, group in groups:
        top = best(group)
        at = f"{top.per_s:,.0f}/s at {top.sent.target:.0f} events/s" if top else "none held"
        out.append(f"  {name:<46} {at}")
    out += ["", "Goals:"]
    out += goals(goal, steps.get("api, POST /incidents", []), steps.get("api, outbox rows", []),
                 steps.get("bare websockets", []))  # fmt: skip
    return "\n".join([*out, "", *tail]) + "\n"


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start_profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    exe = py_spy()
    if exe is None:
        return None
    argv = [exe, "record", "--gil", "-p", str(pid), "-d", str(int(seconds)), "-r", "100", "-f", "raw", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def summarise_profile(raw: Path, top: int = 14) -> list[str]:
    """Self time per function and inclusive time of the frames that say where the loop goes."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split("/")[-1] for f in stack.split(";")]
        count = int(n)
        total += count
        own[frames[-1]] += count
        for f in set(frames):
            incl[f] += count
    if not total:
        return ["  (no samples)"]
    out = [f"  self time (top {top} of {total} samples at 100 Hz):"]
    out += [f"    {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    out.append("  inclusive (frames under 90 % of samples):")
    out += [f"    {n / total:6.1%}  {f}" for f, n in incl.most_common() if n / total < 0.9][:top]
    return out
