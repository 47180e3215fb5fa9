"""Dependency audit: pip-audit over the locked dependency set, or a plain "NOT RUN" when no advisory source answers.

    python deploy/audit.py [--allow-offline]

The locked set is `uv export --frozen` of uv.lock when uv is installed,
otherwise the packages installed in this environment (said so in the output).
Advisories come from the first source that answers: PyPI's JSON API, then
OSV. When neither answers, the audit did not happen and the output says so in
words; the exit status is 3 (0 with --allow-offline, for offline CI that must
still finish), never the 0 of a clean audit.

A package the source has no record of is listed as NOT AUDITED and fails
the run too (pip-audit alone would skip it and still exit 0).

Exit status: 0 every package audited, no known vulnerability; 1 vulnerabilities
found; 2 the audit could not run (tooling); 3 no advisory source; 4 some
packages could not be audited.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# pip-audit's service name, and a cheap request that only a working source answers: a per-version lookup,
# which is what pip-audit asks (a mirror may answer the project page and 404 every version).
SOURCES: tuple[tuple[str, urllib.request.Request], ...] = (
    ("pypi", urllib.request.Request("https://pypi.org/pypi/pip/23.0/json", method="GET")),
    (
        "osv",
        urllib.request.Request(
            "https://api.osv.dev/v1/query",
            data=json.dumps({"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "1.0"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        ),
    ),
)
NO_SOURCE = 3
NOT_AUDITED = 4


def reachable_source(timeout: float) -> tuple[str | None, list[str]]:
    """The first advisory source that answers, and why the others did not."""
    failures = []
    for name, request in SOURCES:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (fixed https URLs)
                if answer.status == 200:
                    return name, failures
                failures.append(f"{name}: HTTP {answer.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            failures.append(f"{name}: {getattr(exc, 'reason', exc)}")
    return None, failures


def locked_requirements(target: Path) -> str:
    """Write the dependency set to audit into `target`; a description of where it came from."""
    uv = shutil.which("uv")
    if uv and (ROOT / "uv.lock").exists():
        subprocess.run(  # noqa: S603 (fixed argv)
            [uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--format", "requirements-txt",
             "--all-groups", "-o", str(target)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        return "uv.lock (uv export --frozen)"
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
    )
    target.write_text(frozen.stdout)
    why = "uv is not installed" if not uv else "there is no uv.lock"
    return f"the packages installed in {sys.prefix} ({why})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--allow-offline", action="store_true", help="exit 0 when no advisory source answers")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each advisory source")
    args = parser.parse_args(argv)

    source, failures = reachable_source(args.timeout)
    if source is None:
        print(
            "dependency audit: NOT RUN - no advisory source is reachable (" + "; ".join(failures) + "). "
            "This is not a pass: run `make audit` where pypi.org or api.osv.dev can be reached.",
            flush=True,
        )
        return 0 if args.allow_offline else NO_SOURCE
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        try:
            origin = locked_requirements(requirements)
        except subprocess.CalledProcessError as exc:
            print(f"dependency audit: could not list the dependency set: {exc.stderr or exc}", flush=True)
            return 2
        print(f"dependency audit: {origin}, advisories from {source}", flush=True)
        report = Path(tmp) / "report.json"
        done = subprocess.run(  # noqa: S603 (fixed argv)
            [sys.executable, "-m", "pip_audit", "--requirement", str(requirements), "--no-deps", "--disable-pip",
             "--vulnerability-service", source, "--progress-spinner", "off", "--format", "json",
             "--output", str(report)],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode not in (0, 1) or not report.exists():
            print(f"dependency audit: pip-audit failed (exit {done.returncode}): {done.stderr[-2000:]}", flush=True)
            return 2
        dependencies = json.loads(report.read_text())["dependencies"]
    return verdict(dependencies)


def verdict(dependencies: list[dict[str, Any]]) -> int:
    """Print what was found and what could not be audited; the exit status."""
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version"
            print(f"  VULNERABLE {d['name']} {d.get('version', '?')}: {v['id']} (fixed in {fixed})")
    for d in skipped:
        print(f"  NOT AUDITED {d['name']}: {d['skip_reason']}")
    audited = len(dependencies) - len(skipped)
    print(
        f"dependency audit: {audited} of {len(dependencies)} packages audited, {len(vulnerable)} vulnerable, "
        f"{len(skipped)} not audited",
        flush=True,
    )
    if vulnerable:
        return 1
    if skipped:
        print("dependency audit: INCOMPLETE - packages above were not audited; this is not a pass.", flush=True)
        return NOT_AUDITED
    return 0


if __name__ == "__main__":
    sys.exit(main())
