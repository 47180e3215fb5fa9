"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters: registration authority (1), institution category (1),
administrative division code (6 digits), organisation code (9) and a check
character. The alphabet is the digits and the capitals without I, O, S, V and
Z (31 characters, each worth its index). The check character is the one worth
31 - (Σ value(c_i) · 3^(i-1) mod 31) over the first 17, with 31 written as 0.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, ...
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character of the first 17 characters (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid unified social credit code, or None when it is."""
    if len(code) != LENGTH:
        return f"must be {LENGTH} characters, not {len(code)}"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"characters not allowed in a credit code: {''.join(bad)} (no I, O, S, V, Z or lower case)"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the administrative division code (6 digits)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"wrong check character {code[17]!r}: the first 17 characters give {expected!r}"
    return None
