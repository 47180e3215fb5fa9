"""Benchmark: incident writes through nginx over 1 and then 3 `ercp serve` processes, in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m tests.e2e.bench_scale_out

Offers `--rate` writes/s for `--seconds` to each topology (a fresh copy of one template database each) and
prints acknowledged writes/s, p50/p99 latency and the scaling ratio (3 ÷ 1). Figures for docs/capacity.md.
"""

import argparse
import statistics
import tempfile
from pathlib import Path

from tests.e2e.cluster import Writer, cluster, template_database
from tests.e2e.nginx import Nginx


def run(template: str, processes: int, rate: float, seconds: float) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp, cluster(template, Path(tmp)) as c:
        c.start_apis(*[f"p{i}" for i in range(processes)])
        c.wait_leader()
        lb = Nginx(Path(tmp), [api.port for api in c.apis.values()])
        lb.start()
        try:
            lb.wait_ready()
            writer = Writer(
                [lb.base], c.token("operator"), count=int(rate * seconds), rate=rate, tag="bench", in_flight=64
            )
            writer.start()
            writer.join(timeout=seconds * 10 + 60)
        finally:
            lb.kill()
    ok = [w for w in writer.writes if w.status == 201]
    span = max(w.returned for w in writer.writes) - writer.started_at
    ms = sorted((w.returned - w.sent) * 1000 for w in ok)
    p99 = statistics.quantiles(ms, n=100)[98] if len(ms) > 1 else ms[0]
    return len(ok) / span, statistics.median(ms), p99, len(writer.writes) - len(ok)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=400.0, help="offered writes per second")
    p.add_argument("--seconds", type=float, default=10.0)
    args = p.parse_args()
    with template_database() as template:
        results = {n: run(template, n, args.rate, args.seconds) for n in (1, 3)}
    for n, (rps, p50, p99, failed) in results.items():
        print(
            f"processes={n} offered={args.rate:.0f}/s acked={rps:.1f}/s "
            f"p50_ms={p50:.1f} p99_ms={p99:.1f} failed={failed}"
        )
    print(f"scaling ratio writes (3 / 1): {results[3][0] / results[1][0]:.2f}")


if __name__ == "__main__":
    main()
