"""Live pages without polling: the browser holds the feed, and each event reruns only the page's fragment.

A small `st.components.v2` component runs in the user's browser. Its script
opens the API's websocket once per browser tab (kept on `window` across
reruns and page switches), authenticates with the first message
(`{"type": "auth", "token": ...}`: never a token in a URL), and on an event
calls `setTriggerValue` — throttled to one call per THROTTLE_MS, trailing, so
a burst costs one rerun per tab, not one per event. That reruns the fragment
the component is mounted in, which reloads the snapshot and redraws.

The socket is only a doorbell; the snapshot (`GET /api/v1/situation`) is the
truth. So the ordering, resume and resync rules of `realtime.client` stay in
one place on the Python side: an event whose seq the drawn snapshot already
covers rings nothing; a `resync`, a new epoch or a reconnect rings once, and
the rerun reloads the snapshot, which catches up whatever was missed. An idle
tab costs the board server nothing: no timers run on the server.

The component also draws the connection badge — live / reconnecting / stale,
with the age of the last event — and the wall clock, both ticking in the
browser. Elements carrying `data-due` (an ISO time) get a live countdown too.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard.session import t
from dashboard.settings import board_settings

THROTTLE_MS = 300
STALE_AFTER_S = 40  # the API sends a heartbeat every 15 s: two missed ones and the feed is stale
_JS = (Path(__file__).with_name("static") / "live.js").read_text(encoding="utf-8")
_CSS = """
.ercp-badge { font: 600 0.95rem system-ui, "Noto Sans CJK SC", sans-serif; display: flex; gap: 1rem;
  align-items: center; flex-wrap: wrap; }
.ercp-badge .state { padding: 0.15rem 0.6rem; border-radius: 0.4rem; border: 2px solid currentColor; }
.ercp-badge .live { color: #15803d; }
.ercp-badge .reconnecting { color: #b45309; }
.ercp-badge .stale, .ercp-badge .closed { color: #b91c1c; }
.ercp-badge .clock { font-variant-numeric: tabular-nums; }
.ercp-badge.wall { font-size: 1.6rem; }
.ercp-badge.wall .clock { font-size: 2.4rem; }
"""
_feed = st.components.v2.component(
    "ercp_live_feed", html='<div class="ercp-badge"></div>', css=_CSS, js=_JS, isolate_styles=True
)


def _ws_url() -> str:
    base = board_settings().browser_api_url
    scheme, _, rest = base.partition("://")
    return ("wss://" if scheme == "https" else "ws://") + rest + "/api/v1/ws"


def feed_data(
    *, scope: str, topics: str, seen: int, epoch: str, wall: bool, token: str, query: str = ""
) -> dict[str, Any]:
    """What the browser script needs: where to connect, what the drawn snapshot covers, the badge's words."""
    return {
        "scope": scope,
        "url": _ws_url(),
        "topics": topics,
        "query": query,
        "token": token,
        "seen": seen,
        "epoch": epoch,
        "wall": wall,
        "throttle_ms": THROTTLE_MS,
        "stale_after_s": STALE_AFTER_S,
        "words": {
            "connecting": t("live.connecting"),
            "live": t("live.live"),
            "reconnecting": t("live.reconnecting"),
            "stale": t("live.stale"),
            "closed": t("live.closed"),
            "last_event": t("live.last_event"),
            "none_yet": t("live.none_yet"),
            "late": t("live.late"),
        },
    }


def live_fragment(
    body: Callable[[], tuple[int, str] | None], *, scope: str, topics: str, wall: bool = False, query: str = ""
) -> None:
    """Draw `body` inside a fragment that reruns when the feed rings; body returns the (seq, epoch) it drew."""

    @st.fragment
    def _fragment() -> None:
        badge = st.container(key=f"badge-{scope}")
        drawn = body()
        seq, epoch = drawn if drawn is not None else (0, "")
        with badge:
            _feed(
                key=f"feed-{scope}",
                data=feed_data(
                    scope=scope,
                    topics=topics,
                    seen=seq,
                    epoch=epoch,
                    wall=wall,
                    query=query,
                    token=str(st.session_state.get("token", "")),
                ),
                on_seq_change=lambda: None,
                height="content",
            )

    _fragment()
