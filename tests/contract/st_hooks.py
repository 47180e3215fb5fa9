"""Schemathesis hooks for the S1 run (loaded by `st` through SCHEMATHESIS_HOOKS; see tests/contract/fuzz.py).

`positive_data_acceptance` fails any schema-valid request the server refuses with a 422. Some refusals are domain
rules JSON Schema cannot state: a referenced row that does not exist (`incident_id: 1` on an empty database), a
place outside the service area (the jurisdictions' extent, data not schema), a checksum (the unified social
credit code), a rule across fields ("at least one capability or supply"), a cursor this server never issued.
This check replaces it with the same test minus exactly those: a 422 passes only when every error it lists is
such a rule, i.e. names no schema keyword pydantic enforced (`int_parsing`, `string_too_long`, `missing`, ...).
Everything the schema could have said but did not still fails here.
"""

from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response

from api.common.if_match_syntax import IF_MATCH_FORMAT, IF_MATCH_PATTERN

# As the built-in check, plus 412: a well-formed If-Match that is not the current ETag is stale, which only the
# data can tell (the schema cannot know an entity's version).
ACCEPTED = {401, 403, 404, 409, 412, 429}
# Errors a model validator or the service raises: pydantic marks the former `value_error`, the latter carry none.
DOMAIN_CODES = {None, "value_error"}
TOKEN_PATH = "/api/v1/auth/token"


def _domain_rule_only(response: Response) -> bool:
    if response.status_code != 422:
        return False
    try:
        body: Any = response.json()
    except ValueError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return False
    return all(isinstance(e, dict) and e.get("code") in DOMAIN_CODES for e in errors)


@schemathesis.check
def positive_data_acceptance_beyond_domain_rules(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in ACCEPTED or _domain_rule_only(response):
        return None
    if status == 401 and case.operation.path == TOKEN_PATH:
        return None  # a well-formed sign-in with a name that does not exist
    raise AssertionError(
        f"Valid data should have been accepted: {case.method} {case.formatted_path} answered {status}: "
        f"{response.text[:300]}"
    )


# If-Match (api.openapi_errors): a header's value is text the schema's pattern describes, but schemathesis's
# coverage phase narrows header values to letters and digits, finds no valid one, and then sends the first
# invalid one (`0`) in the cases it marks positive. Generating the format directly gives it real entity tags.
schemathesis.openapi.format(
    IF_MATCH_FORMAT,
    st.one_of(st.just("*"), st.from_regex(r'\A(W/)?"[0-9]{1,3}"\Z'), st.from_regex(IF_MATCH_PATTERN, fullmatch=True)),
)
