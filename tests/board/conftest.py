from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import api
from tests.board.fake_api import FakeApi

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    fake = FakeApi()
    monkeypatch.setattr(api, "TRANSPORT", fake.transport())
    monkeypatch.setenv("ERCP_API_URL", "http://api.test")
    monkeypatch.setenv("ERCP_BOARD_LANGUAGE", "en")
    return fake


def signed_in(fake: FakeApi, username: str, page: str | None = None) -> AppTest:
    """The app as `username` sees it, on `page` (a views/*.py path), after its first run."""
    at = AppTest.from_file(APP, default_timeout=20)
    at.session_state["token"] = "tok-" + username
    at.session_state["me"] = fake.users[username]
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at
