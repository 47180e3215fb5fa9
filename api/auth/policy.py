"""What a new password must be. In production every account guards a command platform: at least 12
characters, not the user's name, not a well-known password. In development an administrator's still needs 8."""

MIN_LENGTH_PRODUCTION = 12
MIN_LENGTH_ADMIN = 8
# The passwords an attacker tries first (the demo's own among them).
COMMON = frozenset({"demo", "password", "123456", "12345678", "123456789", "1234567890", "qwerty", "admin", "letmein"})


def refusal(password: str, *, username: str, role: str | None, production: bool) -> str | None:
    """Why `password` may not be set, or None."""
    if production:
        if len(password) < MIN_LENGTH_PRODUCTION:
            return f"refusing a password shorter than {MIN_LENGTH_PRODUCTION} characters (ERCP_ENV=production)"
        lowered = password.lower()
        if username.lower() in lowered or lowered.rstrip("0123456789!") in COMMON:
            return "refusing a password that contains the user name or is a well-known password"
        if len(set(password)) < 5:
            return "refusing a password of fewer than 5 different characters"
        return None
    if role == "admin" and len(password) < MIN_LENGTH_ADMIN:
        return f"refusing an admin password shorter than {MIN_LENGTH_ADMIN} characters"
    return None
