"""The token signing key: configured per deployment, never taken from the repository.

Anyone holding the key can mint a token for any user, so a served app
refuses to start without `ERCP_SECRET_KEY`, or with one too short or too
regular to be random. `ercp demo` makes a random key per run; tests make one
per session. Generate one with `python -c "import secrets; print(secrets.token_urlsafe(48))"`.
"""

import math
import secrets
from collections import Counter

MIN_LENGTH = 32
# By the character-frequency estimate below, 32 random hex digits (128 real bits) score at least ~100 bits and
# 32 random URL-safe characters ~130; "aaaa…" scores 0.
MIN_ENTROPY_BITS = 96.0
# Words that mark a placeholder someone copied from a document or an example file.
PLACEHOLDER_WORDS = ("change", "secret", "example", "dev-only", "placeholder", "your-key", "replace")
HOW_TO_MAKE_ONE = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"


class InsecureKey(RuntimeError):
    """The configured signing key is missing or could have been guessed."""


def estimated_bits(key: str) -> float:
    """Shannon entropy of the key's own characters times its length: a floor check, not a proof of randomness."""
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    return per_char * len(key)


def problem(key: str | None) -> str | None:
    """Why `key` must not sign tokens, or None when it may."""
    if not key:
        return f"ERCP_SECRET_KEY is not set; {HOW_TO_MAKE_ONE}"
    if len(key) < MIN_LENGTH:
        return f"ERCP_SECRET_KEY has {len(key)} characters, at least {MIN_LENGTH} are needed; {HOW_TO_MAKE_ONE}"
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return f"ERCP_SECRET_KEY looks like a placeholder, not a random key; {HOW_TO_MAKE_ONE}"
    bits = estimated_bits(key)
    # In random text almost every three-character window is new; a repeated pattern repeats its windows.
    windows = [key[i : i + 3] for i in range(len(key) - 2)]
    repetitive = len(set(windows)) < 0.9 * len(windows)
    if bits < MIN_ENTROPY_BITS or repetitive:
        return f"ERCP_SECRET_KEY is too regular to be random (~{max(bits, 0.0):.0f} bits); {HOW_TO_MAKE_ONE}"
    return None


def require(key: str | None) -> str:
    """The key, when it is fit to sign tokens; InsecureKey with the reason otherwise."""
    reason = problem(key)
    if reason is not None:
        raise InsecureKey(reason)
    assert key is not None
    return key


def random_key() -> str:
    """A fresh key for a process that keeps no tokens across restarts (`ercp demo`, test sessions)."""
    return secrets.token_urlsafe(48)
