"""api.auth.tokens: `iat` is required and a maximum age applies whatever `exp` a token claims."""

import time

import jwt

from api.auth import keys, tokens

SECRET = keys.random_key()
MAX_AGE = 8 * 3600


def _signed(**claims: object) -> str:
    base: dict[str, object] = {"sub": "1", "jti": "x", "gen": 0}
    return jwt.encode({**base, **claims}, SECRET, algorithm=tokens.ALGORITHM)


def test_a_token_issued_now_is_accepted_with_its_generation() -> None:
    token, _ = tokens.issue(user_id=3, secret=SECRET, ttl_seconds=60, generation=4)
    claims = tokens.decode(token, secret=SECRET, max_age_seconds=MAX_AGE)
    assert claims is not None
    assert (claims.user_id, claims.generation) == (3, 4)


def test_a_token_expiring_in_2100_is_refused() -> None:
    now = int(time.time())
    year_2100 = 4102444800
    assert tokens.decode(_signed(iat=now, exp=year_2100), secret=SECRET, max_age_seconds=MAX_AGE) is None


def test_a_token_without_iat_or_generation_is_refused() -> None:
    now = int(time.time())
    no_iat = jwt.encode({"sub": "1", "jti": "x", "gen": 0, "exp": now + 60}, SECRET, algorithm=tokens.ALGORITHM)
    no_gen = jwt.encode({"sub": "1", "jti": "x", "iat": now, "exp": now + 60}, SECRET, algorithm=tokens.ALGORITHM)
    assert tokens.decode(no_iat, secret=SECRET, max_age_seconds=MAX_AGE) is None
    assert tokens.decode(no_gen, secret=SECRET, max_age_seconds=MAX_AGE) is None


def test_a_token_older_than_the_maximum_age_is_refused_even_if_unexpired() -> None:
    now = time.time()
    token, _ = tokens.issue(user_id=1, secret=SECRET, ttl_seconds=MAX_AGE, now=now - 100)
    assert tokens.decode(token, secret=SECRET, max_age_seconds=MAX_AGE, now=now) is not None
    # The server's maximum age was lowered after the token was issued: the lower bound wins.
    assert tokens.decode(token, secret=SECRET, max_age_seconds=60, now=now) is None


def test_a_token_issued_in_the_future_is_refused() -> None:
    now = int(time.time())
    ahead = _signed(iat=now + 3600, exp=now + 3600 + 60)
    assert tokens.decode(ahead, secret=SECRET, max_age_seconds=MAX_AGE) is None
