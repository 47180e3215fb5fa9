"""`ETag` out, `If-Match` in: the entity `version` is the validator (DESIGN §10).

PATCH requires If-Match (428 without it). Every other state-changing route on an entity honours it when sent:
a stale value is 412 and a value that is not an entity-tag list (RFC 9110 §13.1.1) is 400, never ignored.
"""

import re
from typing import Annotated

from fastapi import Header, Response

from api.errors import MalformedPrecondition, PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(
        description="the ETag last read: required on PATCH (428 without it); on actions optional but, when sent, "
        "checked (412 when stale, 400 when not an entity tag)"
    ),
]
# An entity-tag: optional weak prefix, then a quoted string of visible characters other than `"`.
_ENTITY_TAG = re.compile(r'^(W/)?"[\x21\x23-\x7e\x80-\U0010ffff]*"$')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def _validators(if_match: str) -> set[str]:
    """The listed tags without their weak prefix; `*` alone means any."""
    parts = [part.strip() for part in if_match.split(",")]
    if parts == ["*"]:
        return {"*"}
    if not all(_ENTITY_TAG.match(part) for part in parts):
        raise MalformedPrecondition(
            f'If-Match {if_match.strip()!r} is not a list of entity tags; send the ETag you last read, e.g. "3"'
        )
    return {part.removeprefix("W/") for part in parts}


def _compare(if_match: str, current_version: int) -> None:
    candidates = _validators(if_match)
    if "*" not in candidates and etag(current_version) not in candidates:
        raise PreconditionFailed(
            f"If-Match {if_match.strip()} is stale; the current ETag is {etag(current_version)}",
            current_etag=etag(current_version),
        )


def check_if_match(if_match: str | None, current_version: int) -> None:
    """For PATCH: 428 without the header, 400 when malformed, 412 when no listed validator is the current one."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("send If-Match with the ETag you last read")
    _compare(if_match, current_version)


def check_if_match_sent(if_match: str | None, current_version: int) -> None:
    """For actions (status changes, transitions…): nothing without the header, else the same checks as PATCH."""
    if if_match is not None:
        _compare(if_match, current_version)
