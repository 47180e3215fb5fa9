"""Real headless Chromium for the board's end-to-end tests: Debian's /usr/bin/chromium driven by Playwright.

Never `playwright install`: the machine's Chromium is used as is. WebGL comes from SwiftShader, which recent
Chromium no longer falls back to by itself (deck.gl maps would stay blank). CJK text needs `fonts-noto-cjk`.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("ERCP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def require_chromium() -> str:
    """The browser's path, or a skip that says what to install (CI=true turns the skip into a failure)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk (Playwright's own is not used)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright (Python) not installed: pip install -e '.[dev]'")
    return CHROMIUM


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback, or a browser-internal scheme)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
        return True
    return (parts.hostname or "") in LOOPBACK
