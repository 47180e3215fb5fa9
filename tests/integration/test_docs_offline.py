"""The API's own pages (/docs, /redoc) work on an isolated network: every asset comes from this server."""

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

# Any scheme-qualified or protocol-relative address points at another host; same-server paths start with one "/".
EXTERNAL = re.compile(r"""(?:https?:)?//[^\s'"<>]+""", re.IGNORECASE)


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [value for name, value in attrs if name in {"src", "href"} and value]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_loads_every_asset_from_this_server(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    parser = _Assets()
    parser.feed(r.text)
    assert parser.refs, f"{page} references no assets at all: the check below would pass vacuously"
    assert EXTERNAL.findall(r.text) == [], f"{page} names another host"
    for ref in parser.refs:
        assert ref.startswith("/"), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100, ref


def test_swagger_ui_online_validator_is_off(client: TestClient) -> None:
    # Swagger UI otherwise draws a badge image fetched from validator.swagger.io.
    assert '"validatorUrl": null' in client.get("/docs").text
