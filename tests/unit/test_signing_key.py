"""api.auth.keys: no key from the repository or an example, nothing short or patterned, signs tokens."""

import secrets

import pytest

from api.auth import keys

# The development key main once fell back to: it is public, so it must never sign anything again.
FORMER_REPOSITORY_KEY = "dev-only-secret-change-me-0123456789abcdef"


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        FORMER_REPOSITORY_KEY,
        "x" * 31,
        "a" * 64,
        "0123456789abcdef" * 2,
        "Passw0rd" * 4,
        "please-replace-with-a-long-random-string-0000",
    ],
    ids=["unset", "empty", "former-repo-key", "short", "one-char", "pattern", "repeated-word", "placeholder"],
)
def test_guessable_keys_are_refused_with_a_reason(key: str | None) -> None:
    reason = keys.problem(key)
    assert reason is not None
    assert "ERCP_SECRET_KEY" in reason
    with pytest.raises(keys.InsecureKey):
        keys.require(key)


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32), keys.random_key])
def test_random_keys_are_accepted(make: object) -> None:
    assert callable(make)
    for _ in range(200):
        key = make()
        assert keys.problem(key) is None, key
