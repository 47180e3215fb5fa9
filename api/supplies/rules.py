"""Ledger rules: which reasons a person may post by hand, and the sign each reason carries (DESIGN §4)."""

from enum import StrEnum

from resources_db.enums import MovementReason

MAX_DELTA = 1_000_000
# Leaves headroom under a 32-bit INTEGER column for any single delta.
MAX_ON_HAND = 1_000_000_000


class ManualReason(StrEnum):
    """Reasons accepted on POST .../movements; `allocate` belongs to the allocation workflow."""

    receive = "receive"
    return_ = "return"
    consume = "consume"
    adjust = "adjust"
    expire = "expire"


INCOMING = frozenset({ManualReason.receive, ManualReason.return_})
OUTGOING = frozenset({ManualReason.consume, ManualReason.expire})


def sign_error(reason: ManualReason, delta: int) -> str | None:
    """Why `delta` has the wrong sign for `reason`, or None when it fits."""
    if reason in INCOMING and delta < 0:
        return f"a {reason.value!r} movement adds stock: delta must be positive"
    if reason in OUTGOING and delta > 0:
        return f"a {reason.value!r} movement removes stock: delta must be negative"
    return None


def ledger_reason(reason: ManualReason) -> MovementReason:
    return MovementReason(reason.value)
