"""deploy/audit.py: with no advisory source reachable it says NOT RUN and never exits as a clean audit would."""

import importlib.util
import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType

import pytest

AUDIT = Path(__file__).resolve().parents[2] / "deploy" / "audit.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_audit", AUDIT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on leaving: connections are refused


@contextmanager
def _answering() -> Iterator[str]:
    class Ok(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_no_reachable_source_is_reported_as_not_run_and_is_not_a_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = _load()
    dead = f"http://127.0.0.1:{_closed_port()}/"
    monkeypatch.setattr(
        audit, "SOURCES", (("pypi", urllib.request.Request(dead)), ("osv", urllib.request.Request(dead)))
    )
    assert audit.main(["--timeout", "2"]) == audit.NO_SOURCE != 0
    out = capsys.readouterr().out
    assert "NOT RUN" in out
    assert "not a pass" in out
    assert audit.main(["--timeout", "2", "--allow-offline"]) == 0
    assert "NOT RUN" in capsys.readouterr().out


def test_the_first_answering_source_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    audit = _load()
    dead = f"http://127.0.0.1:{_closed_port()}/"
    with _answering() as alive:
        refused, answering = urllib.request.Request(dead), urllib.request.Request(alive)  # noqa: S310 (loopback)
        sources = (("pypi", refused), ("osv", answering))
        monkeypatch.setattr(audit, "SOURCES", sources)
        source, failures = audit.reachable_source(2.0)
    assert source == "osv"
    assert len(failures) == 1
    assert failures[0].startswith("pypi: ")


def test_packages_the_source_does_not_know_fail_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    audit = _load()
    clean = [{"name": "a", "version": "1", "vulns": []}]
    assert audit.verdict(clean) == 0
    skipped = [*clean, {"name": "b", "skip_reason": "Dependency not found on PyPI and could not be audited"}]
    assert audit.verdict(skipped) == audit.NOT_AUDITED
    assert "NOT AUDITED b" in capsys.readouterr().out
    found = [*skipped, {"name": "c", "version": "2", "vulns": [{"id": "PYSEC-1", "fix_versions": ["3"]}]}]
    assert audit.verdict(found) == 1
    assert "VULNERABLE c 2: PYSEC-1 (fixed in 3)" in capsys.readouterr().out
