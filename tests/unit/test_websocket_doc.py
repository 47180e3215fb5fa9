"""The OpenAPI description links the websocket protocol page, and the page's close codes and frames are the code's."""

import re
from pathlib import Path

from api import openapi_errors
from realtime import hub, ws

ROOT = Path(__file__).resolve().parents[2]


def test_the_link_resolves_and_the_close_codes_and_frames_are_the_codes() -> None:
    links = re.findall(r"\]\(([^)]+)\)", openapi_errors.DESCRIPTION)
    assert links == [openapi_errors.WEBSOCKET_DOC]
    page = (ROOT / links[0]).read_text()
    documented = {int(code) for code in re.findall(r"^\| (\d{4}) \|", page, re.MULTILINE)}
    constants = {value for name, value in vars(ws).items() if name.startswith("CLOSE_")}
    assert constants <= documented, constants - documented
    for frame in ('"hello"', '"heartbeat"', hub.RESYNC.replace('{"type":', "").rstrip("}")):
        assert frame in page
