"""Sign-in, sign-out and an expired session, through the real app with the API faked."""

from streamlit.testing.v1 import AppTest

from tests.board.conftest import APP, signed_in


def test_wrong_password_shows_a_message_and_keeps_no_token(fake):
    at = AppTest.from_file(APP, default_timeout=20).run()
    at.text_input(key="signin_username").input("operator")
    at.text_input(key="signin_password").input("nope")
    at.button(key="signin_submit").click().run()
    assert "token" not in at.session_state
    assert any("wrong password" in e.value for e in at.error)


def test_sign_in_keeps_the_token_in_the_session_only_and_opens_the_role_pages(fake):
    at = AppTest.from_file(APP, default_timeout=20).run()
    at.text_input(key="signin_username").input("operator")
    at.text_input(key="signin_password").input("pw")
    at.button(key="signin_submit").click().run()
    assert not at.exception, at.exception
    assert at.session_state["token"] == "tok-operator"
    assert at.session_state["me"]["role"] == "operator"
    assert "signin_password" not in at.session_state
    # The token never travels in a URL: every request carried it in the header.
    assert all("tok-" not in str(r.url) for r in fake.requests)
    assert any(r.url.path == "/api/v1/situation" for r in fake.requests)


def test_expired_token_goes_back_to_sign_in_with_a_message(fake):
    at = signed_in(fake, "operator")
    fake.expired = True
    at.run()
    assert "token" not in at.session_state
    assert at.text_input(key="signin_username") is not None
    assert any("expired" in w.value for w in at.warning)


def test_sign_out_forgets_the_token(fake):
    at = signed_in(fake, "operator")
    at.button(key="sign_out").click().run()
    assert "token" not in at.session_state
    assert "me" not in at.session_state
