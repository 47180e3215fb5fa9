"""The board's entry point: page config, sign-in gate, language and wall switches, and the role's pages."""

from collections.abc import Callable

import streamlit as st

from dashboard import api, session
from dashboard.i18n import LANGUAGES
from dashboard.session import t
from dashboard.settings import board_settings

# No page_icon: a Material icon there is fetched from fonts.gstatic.com; the default favicon is served locally.
st.set_page_config(page_title="ERCP 雷州应急指挥", layout="wide")

PAGES = {
    "situation": "views/situation.py",
    "intake": "views/intake.py",
    "incident": "views/incident.py",
    "my_team": "views/my_team.py",
    "resources": "views/resources.py",
    "hazards": "views/hazards.py",
    "cooperation": "views/cooperation.py",
    "drills": "views/drills.py",
}
# What each role may open; the API checks every action again.
ROLE_PAGES = {
    "admin": ["situation", "intake", "incident", "resources", "hazards", "cooperation", "drills"],
    "operator": ["situation", "intake", "incident", "resources", "hazards", "cooperation", "drills"],
    "observer": ["situation", "incident", "resources", "hazards", "cooperation"],
    "team_leader": ["my_team", "situation"],
    "drill_controller": ["drills"],
}


def sign_in_form() -> None:
    st.title(t("app.title"))
    notice = st.session_state.pop("signin_notice", None)
    if notice:
        st.warning(notice, icon=":material/lock:")
    with st.form("signin", border=True):
        username = st.text_input(t("auth.username"), key="signin_username")
        password = st.text_input(t("auth.password"), type="password", key="signin_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary", key="signin_submit")
    if not submitted:
        return
    client = api.Api(board_settings().api_url)
    try:
        token = client.sign_in(username, password)
        me = api.Api(board_settings().api_url, token).me()
    except api.SessionExpired:
        st.error(t("auth.wrong"), icon=":material/lock:")
        return
    except api.ApiError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    finally:
        client.close()
    st.session_state["token"] = token
    st.session_state["me"] = me
    st.session_state.pop("signin_password", None)
    st.rerun()


def sidebar() -> None:
    with st.sidebar:
        st.selectbox(
            "语言 / Language",
            LANGUAGES,
            format_func=lambda code: {"zh": "中文", "en": "English"}[code],
            key="lang",
        )
        me = session.user()
        if me is None:
            return
        st.caption(t("auth.signed_in_as", user=me["username"], role=session.group("role").get(me["role"], me["role"])))
        if st.button(t("auth.sign_out"), key="sign_out"):
            session.sign_out(t("auth.signed_out"))
            st.rerun()


if "lang" not in st.session_state:
    st.session_state["lang"] = board_settings().language
sidebar()
me = session.user()
if me is None:
    if st.query_params.get("wall") == "1":
        st.session_state["wall"] = True  # a wall screen's bookmark survives the sign-in

    def _sign_in_at(name: str) -> Callable[[], None]:
        # Every page's address answers with the sign-in form, and after it the same address shows that page.
        def page() -> None:
            sign_in_form()

        page.__name__ = f"sign_in_{name}"
        return page

    page = st.navigation(
        [
            st.Page(sign_in_form, title=t("auth.sign_in"), url_path="signin", default=True),
            *(st.Page(_sign_in_at(name), title=t("auth.sign_in"), url_path=name) for name in PAGES),
        ],
        position="hidden",
    )
else:
    allowed = ROLE_PAGES.get(str(me["role"]), [])
    page = st.navigation(
        [st.Page(PAGES[name], title=t(f"nav.{name}"), url_path=name, default=i == 0) for i, name in enumerate(allowed)]
    )
page.run()
