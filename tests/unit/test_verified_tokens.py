"""api.deps.VerifiedTokens: a cached signature check never outlives the token, and only the exact token hits."""

import time

import pytest

from api.auth import keys, tokens
from api.deps import VerifiedTokens

SECRET = keys.random_key()
MAX_AGE = 3600


def _verified() -> VerifiedTokens:
    return VerifiedTokens(secret=SECRET, max_age_seconds=MAX_AGE)


def test_a_cached_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verified = _verified()
    token, _ = tokens.issue(user_id=7, secret=SECRET, ttl_seconds=60)
    claims = verified.decode(token)
    assert claims is not None
    assert claims.user_id == 7
    monkeypatch.setattr(time, "time", lambda: claims.expires_at + 1.0)
    assert verified.decode(token) is None


def test_only_the_identical_token_is_served_from_the_cache() -> None:
    verified = _verified()
    token, _ = tokens.issue(user_id=7, secret=SECRET, ttl_seconds=60)
    assert verified.decode(token) is not None
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert verified.decode(tampered) is None


def test_a_forged_token_is_never_cached() -> None:
    verified = _verified()
    forged, _ = tokens.issue(user_id=1, secret=keys.random_key(), ttl_seconds=60)
    assert verified.decode(forged) is None
    assert verified.decode(forged) is None
