"""The signed-in user of one browser session: token, identity and language live in st.session_state only."""

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dashboard import api
from dashboard.i18n import labels, translate
from dashboard.settings import board_settings

T = TypeVar("T")
WRITE_ROLES = frozenset({"admin", "operator"})


def lang() -> str:
    value = st.session_state.get("lang")
    return value if value in ("zh", "en") else board_settings().language


def t(key: str, **values: object) -> str:
    return translate(lang(), key, **values)


def group(name: str) -> dict[str, str]:
    return labels(lang(), name)


def user() -> dict[str, Any] | None:
    me: dict[str, Any] | None = st.session_state.get("me")
    return me


def role() -> str:
    me = user()
    return str(me["role"]) if me else ""


def can_write() -> bool:
    """Operators and admins act on incidents, dispatches and stock; others only look (the API checks again)."""
    return role() in WRITE_ROLES


def client() -> api.Api:
    return api.Api(board_settings().api_url, st.session_state.get("token"))


def sign_out(reason: str | None = None) -> None:
    for key in ("token", "me"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["signin_notice"] = reason


def call(fn: Callable[[api.Api], T]) -> T | None:
    """Run one API call for the page; an expired session goes back to sign-in, other errors show and give None."""
    c = client()
    try:
        return fn(c)
    except api.SessionExpired:
        sign_out(t("auth.expired"))
        st.rerun(scope="app")
    except api.ApiError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    finally:
        c.close()


def cached(name: str, ttl_s: float, fn: Callable[[api.Api], T]) -> T | None:
    """A slowly changing list (hazards, depots, places) kept in this session for `ttl_s` seconds."""
    import time

    store: dict[str, tuple[float, Any]] = st.session_state.setdefault("_cache", {})
    hit = store.get(name)
    if hit is not None and time.monotonic() - hit[0] < ttl_s:
        value: T = hit[1]
        return value
    fresh = call(fn)
    if fresh is not None:
        store[name] = (time.monotonic(), fresh)
    return fresh


def act(fn: Callable[[api.Api], object], done: str) -> None:
    """A button's on_click action: runs before the rerun, and leaves its outcome for `flash` to show."""
    c = client()
    try:
        fn(c)
        st.session_state["flash"] = ("success", done)
    except api.SessionExpired:
        sign_out(t("auth.expired"))
    except api.ApiError as exc:
        st.session_state["flash"] = ("error", str(exc))
    finally:
        c.close()


def flash() -> None:
    """Show (once) what the last action did."""
    kind, text = st.session_state.pop("flash", (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")
    if user() is None:
        st.rerun(scope="app")


def clock(value: object, fmt: str = "%H:%M:%S") -> str:
    """An API timestamp on the command center's clock; "—" when it is missing or unusable."""
    from dashboard.model import parse_time

    parsed = parse_time(value)
    return parsed.astimezone(board_settings().timezone).strftime(fmt) if parsed else "—"
