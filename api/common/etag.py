"""`ETag` out, `If-Match` in: the entity `version` is the validator (DESIGN §10)."""

from fastapi import Response

from api.errors import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, current_version: int) -> None:
    """428 without the header, 412 when no listed validator is the current one."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("send If-Match with the ETag you last read")
    candidates = {c.strip().removeprefix("W/") for c in if_match.split(",")}
    if "*" not in candidates and etag(current_version) not in candidates:
        raise PreconditionFailed(
            f"If-Match {if_match.strip()} is stale; the current ETag is {etag(current_version)}",
            current_etag=etag(current_version),
        )
