"""api.auth.policy: what a new password must be, in production and in development."""

import pytest

from api.auth import policy


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("x", False), ("demo", False), ("short-pass1", False), ("duty-officer-2026!", False), ("aaaaaaaaaaaaaa", False),
     ("Password123!", False), ("tide-lantern-ferry-47", True)],
    ids=["one-char", "demo", "eleven", "contains-name", "few-characters", "common", "good"],
)  # fmt: skip
def test_production_passwords(password: str, accepted: bool) -> None:
    reason = policy.refusal(password, username="duty-officer", role="observer", production=True)
    assert (reason is None) is accepted, reason


def test_development_keeps_the_admin_minimum_only() -> None:
    assert policy.refusal("short", username="boss", role="admin", production=False) is not None
    assert policy.refusal("admin-pass", username="boss", role="admin", production=False) is None
    assert policy.refusal("x", username="viewer", role="observer", production=False) is None
