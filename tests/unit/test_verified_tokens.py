"""api.deps.VerifiedTokens: a cached signature check never outlives the token, and only the exact token hits."""

import time

import pytest

from api.auth import tokens
from api.deps import VerifiedTokens

SECRET = "unit-test-secret-0123456789abcdef0123456789"


def test_a_cached_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verified = VerifiedTokens()
    token, _ = tokens.issue(user_id=7, secret=SECRET, ttl_seconds=60)
    claims = verified.decode(token, secret=SECRET)
    assert claims is not None
    assert claims.user_id == 7
    monkeypatch.setattr(time, "time", lambda: claims.expires_at + 1.0)
    assert verified.decode(token, secret=SECRET) is None


def test_only_the_identical_token_is_served_from_the_cache() -> None:
    verified = VerifiedTokens()
    token, _ = tokens.issue(user_id=7, secret=SECRET, ttl_seconds=60)
    assert verified.decode(token, secret=SECRET) is not None
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert verified.decode(tampered, secret=SECRET) is None
    assert verified.decode(token, secret="another-secret-0123456789abcdef0123456789") is not None  # cached by text


def test_a_forged_token_is_never_cached() -> None:
    verified = VerifiedTokens()
    forged, _ = tokens.issue(user_id=1, secret="not-the-server-secret-0123456789abcdef", ttl_seconds=60)
    assert verified.decode(forged, secret=SECRET) is None
    assert verified.decode(forged, secret=SECRET) is None
