"""The board's settings, from the environment (the board reads no settings of the API's)."""

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class BoardSettings:
    api_url: str  # where the board server reaches the API
    browser_api_url: str  # where the user's browser reaches it (the websocket); same unless a proxy says otherwise
    language: str  # default label language
    timezone: ZoneInfo  # the command center's clock (Asia/Shanghai for Leizhou)


def board_settings() -> BoardSettings:
    api = os.environ.get("ERCP_API_URL", "http://127.0.0.1:8000").rstrip("/")
    lang = os.environ.get("ERCP_BOARD_LANGUAGE", "zh")
    return BoardSettings(
        api_url=api,
        browser_api_url=os.environ.get("ERCP_API_BROWSER_URL", api).rstrip("/"),
        language=lang if lang in ("zh", "en") else "zh",
        timezone=ZoneInfo(os.environ.get("ERCP_BOARD_TIMEZONE", "Asia/Shanghai")),
    )
