"""Domain errors, mapped to RFC 9457 problem+json by `api.problems`.

DomainError (4xx, type slug, title)
 ├── NotAuthenticated          401 not-authenticated
 ├── Forbidden                 403 forbidden
 ├── NotFound                  404 not-found
 ├── Conflict                  409 conflict
 │    ├── InvalidTransition    409 invalid-transition (allowed: [...])
 │    ├── InsufficientStock    409 insufficient-stock
 │    ├── TeamUnavailable      409 team-unavailable
 │    └── DuplicateEntity      409 duplicate
 ├── MalformedPrecondition     400 bad-if-match
 ├── PreconditionFailed        412 stale-version
 ├── PreconditionRequired      428 if-match-required
 ├── InvalidInput              422 validation-error (errors: [{field, message}])
 └── ServiceBusy               503 busy (Retry-After)
"""

from typing import Any


class DomainError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotAuthenticated(DomainError):
    status, slug, title = 401, "not-authenticated", "Not authenticated"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Transition not allowed"

    def __init__(self, current: str, wanted: str, allowed: list[str]) -> None:
        super().__init__(
            f"cannot go from {current!r} to {wanted!r}; allowed: {', '.join(allowed) or 'none'}",
            current=current,
            allowed=allowed,
        )


class InsufficientStock(Conflict):
    slug, title = "insufficient-stock", "Insufficient stock"


class TeamUnavailable(Conflict):
    slug, title = "team-unavailable", "Team unavailable"


class DuplicateEntity(Conflict):
    slug, title = "duplicate", "Already exists"


class MalformedPrecondition(DomainError):
    status, slug, title = 400, "bad-if-match", "Malformed If-Match"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "stale-version", "Stale version"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "if-match-required", "If-Match required"


class InvalidInput(DomainError):
    status, slug, title = 422, "validation-error", "Invalid input"

    def __init__(self, detail: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)


class ServiceBusy(DomainError):
    status, slug, title = 503, "busy", "Busy"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
