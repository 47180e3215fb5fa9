"""The board in real headless Chromium against a real API (`ercp demo` on a temp SQLite file).

An operator signs in, files an incident on Intake, opens it and dispatches the proposed team; a team leader, in a
second browser context at phone width, acknowledges and goes en route on My team; the operator's Situation page
shows the change without a reload. Every request either browser makes stays on loopback. Screenshots of every
page go to test-output/board/ (ignored by git).

Marked integration: under CI=true a skip (no Chromium) is a failure (tests/conftest.py).
"""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from dashboard.i18n import messages
from tests.conftest import OUTPUT_DIR
from tests.e2e.browser import CHROMIUM_ARGS, is_local, require_chromium

if TYPE_CHECKING:  # playwright is imported lazily, so a machine without it skips rather than errors
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ERCP = str(Path(sys.executable).with_name("ercp"))
STARTUP_TIMEOUT_S = 60.0
SHOTS = OUTPUT_DIR / "board"
ZH = messages("zh")
UI_TIMEOUT_MS = 15_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Demo:
    api: str
    board: str


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"ercp demo exited with {proc.returncode}:\n{log.read_text()}"
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling interval while the servers bind, not a synchronisation guess
    pytest.fail(f"{url} not ready within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    require_chromium()
    work = tmp_path_factory.mktemp("board-e2e")
    api_port, board_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ERCP_", "DATABASE_URL", "REDIS_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{work / 'demo.db'}"
    log = work / "demo.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 (our own console script, fixed arguments)
            [ERCP, "demo", "--port", str(api_port), "--board-port", str(board_port), "--log-level", "warning"],
            env=env,
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            api, board = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{board_port}"
            _wait(f"{api}/readyz", proc, log)
            _wait(f"{board}/_stcore/health", proc, log)
            yield Demo(api, board)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    # Ctrl-C / SIGTERM stops both: nothing listens on the board's port any more.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", board_port)) != 0, "the board outlived `ercp demo`"


def _sign_in(page: "Page", board: str, username: str) -> None:
    page.goto(board + "/")
    page.get_by_label(ZH["auth.username"]).fill(username)
    page.get_by_label(ZH["auth.password"]).fill("demo")
    page.get_by_role("button", name=ZH["auth.sign_in"]).click()


def _nav(page: "Page", name: str) -> None:
    page.get_by_role("link", name=ZH[f"nav.{name}"], exact=True).click()


def _shot(page: "Page", name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # lets the map finish drawing for the picture; no assertion rests on it
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, timeout=60_000)


def test_operator_and_team_leader_work_an_incident_live(demo: Demo) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
    outside: list[str] = []
    title = f"e2e 码头仓库火灾 {int(time.time())}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        try:
            operator_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            leader_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
            for ctx in (operator_ctx, leader_ctx):
                ctx.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
            op = operator_ctx.new_page()
            op.set_default_timeout(UI_TIMEOUT_MS)

            _sign_in(op, demo.board, "operator")
            expect(op.locator(".st-key-incident_list")).to_be_visible()
            expect(op.locator("[data-state=live]")).to_be_visible()
            _shot(op, "operator-situation")

            _nav(op, "intake")
            op.get_by_label(ZH["intake.incident_title"]).fill(title)
            op.get_by_role("button", name=ZH["intake.submit"]).click()
            expect(op.get_by_text(re.compile(r"已登记事件 #\d+"))).to_be_visible()
            _shot(op, "operator-intake")
            incident_id = int(re.search(r"#(\d+)", op.get_by_text(re.compile(r"已登记事件 #\d+")).inner_text())[1])  # type: ignore[index]

            op.get_by_role("link", name=ZH["intake.open"]).click()
            dispatch = op.get_by_role("button", name=re.compile("派遣建议的"))
            expect(dispatch).to_be_visible()
            dispatch.click()
            expect(op.get_by_text(re.compile(r"已派遣 \d+ 支队伍"))).to_be_visible()
            _shot(op, "operator-incident")

            token = httpx.post(
                f"{demo.api}/api/v1/auth/token", data={"username": "operator", "password": "demo"}, timeout=10
            ).json()["access_token"]
            dispatches = httpx.get(
                f"{demo.api}/api/v1/dispatches",
                params={"incident_id": incident_id},
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()["items"]
            assert dispatches, "the proposed team was not dispatched"
            team_id = int(dispatches[0]["team_id"])

            _nav(op, "situation")
            incident_list = op.locator(".st-key-incident_list")
            expect(incident_list).to_contain_text(title)
            expect(incident_list).to_contain_text(ZH["dispatch_status.dispatched"])

            # The demo's leaders are numbered in roster order, like the teams.
            leader = leader_ctx.new_page()
            leader.set_default_timeout(UI_TIMEOUT_MS)
            _sign_in(leader, demo.board, f"leader-{team_id:03d}")
            expect(leader.get_by_text(title)).to_be_visible()
            leader.get_by_role("button", name=ZH["my_team.to_acknowledged"]).click()
            expect(leader.get_by_role("button", name=ZH["my_team.to_en_route"])).to_be_visible()
            _shot(leader, "leader-my-team")
            leader.get_by_role("button", name=ZH["my_team.to_en_route"]).click()
            expect(leader.get_by_role("button", name=ZH["my_team.to_on_scene"])).to_be_visible()

            # The operator's page was not reloaded: the change arrived through the push feed.
            expect(incident_list).to_contain_text(f"({ZH['dispatch_status.en_route']})")
            _shot(op, "operator-situation-after")

            for name in ("resources", "hazards", "cooperation", "drills", "incident"):
                _nav(op, name)
                op.wait_for_load_state("networkidle")
                _shot(op, f"operator-{name}")

            wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
            wall.on("request", lambda r: None if is_local(r.url) else outside.append(r.url))
            screen = wall.new_page()
            screen.set_default_timeout(UI_TIMEOUT_MS)
            screen.goto(demo.board + "/?wall=1")
            _sign_in_here(screen)
            expect(screen.locator(".st-key-incident_list")).to_contain_text(title)
            _shot(screen, "wall-situation")
        finally:
            browser.close()
    assert outside == [], f"requests left this machine: {outside[:5]}"


def _sign_in_here(page: "Page") -> None:
    page.get_by_label(ZH["auth.username"]).fill("observer")
    page.get_by_label(ZH["auth.password"]).fill("demo")
    page.get_by_role("button", name=ZH["auth.sign_in"]).click()
