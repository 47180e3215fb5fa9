"""`python -m drills` (also `ercp drill ...`): run a scenario, write a drill's report, check scenario files."""

import argparse
import sys
from pathlib import Path

from drills import scenario_file
from drills.http import Api, DrillApiError, credentials
from drills.runner import interrupt_flag, run

DEFAULT_API = "http://127.0.0.1:8000"


def _run(args: argparse.Namespace) -> int:
    try:
        scenario = scenario_file.load(scenario_file.resolve(args.scenario))
    except (scenario_file.ScenarioError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 2
    api = Api(args.api)
    try:
        api.sign_in(*credentials())
        log = open(args.log, "w", encoding="utf-8") if args.log else None  # noqa: SIM115 (closed below)
        try:
            with interrupt_flag() as stop:
                outcome = run(
                    scenario,
                    api,
                    name=args.name or scenario.name[:200],
                    speed=args.speed,
                    seed=args.seed,
                    operators=args.operators,
                    stop=stop,
                    log_file=log,
                )
        finally:
            if log is not None:
                log.close()
    except DrillApiError as exc:
        print(f"the API refused: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    state = "interrupted and ended" if outcome.interrupted else "ended"
    print(f"drill {outcome.drill_id} {state}; report: python -m drills report {outcome.drill_id}", flush=True)
    return 130 if outcome.interrupted else 0


def _report(args: argparse.Namespace) -> int:
    from drills.report import write_report  # matplotlib is loaded only for reports

    api = Api(args.api)
    try:
        api.sign_in(*credentials())
        path = write_report(api, args.drill_id, Path(args.out))
    except DrillApiError as exc:
        print(f"the API refused: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    bad = 0
    for name in args.scenarios or scenario_file.shipped():
        try:
            s = scenario_file.load(scenario_file.resolve(name))
        except (scenario_file.ScenarioError, FileNotFoundError) as exc:
            print(exc, file=sys.stderr)
            bad += 1
            continue
        print(f"{name}: ok ({len(s.injects)} injects, {len(s.objectives)} objectives)")
    return 1 if bad else 0


def build_parser(prog: str = "python -m drills") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a scenario as a drill (ERCP_USER / ERCP_PASSWORD, or a prompt)")
    r.add_argument("scenario", help="a YAML file, or the name of a shipped scenario")
    r.add_argument("--speed", type=float, default=60.0, help="scenario seconds per wall second (default 60)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--api", default=DEFAULT_API)
    r.add_argument("--operators", choices=["simulated", "human"], default="simulated")
    r.add_argument("--name", help="the drill's name (default: the scenario's)")
    r.add_argument("--log", help="write the runner's actions here, one JSON object a line")
    r.set_defaults(func=_run)
    rep = sub.add_parser("report", help="write a drill's evaluation as a self-contained HTML report with charts")
    rep.add_argument("drill_id", type=int)
    rep.add_argument("--api", default=DEFAULT_API)
    rep.add_argument("--out", default=".", help="directory for drill-<id>.html")
    rep.set_defaults(func=_report)
    chk = sub.add_parser("check", help="validate scenario files (all shipped ones by default)")
    chk.add_argument("scenarios", nargs="*")
    chk.set_defaults(func=_check)
    return parser


def main(argv: list[str] | None = None, prog: str = "python -m drills") -> int:
    args = build_parser(prog).parse_args(argv)
    return int(args.func(args))
