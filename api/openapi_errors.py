"""The OpenAPI document as the server behaves: errors, preconditions and nullability as enforced.

FastAPI documents a 422 as its own `HTTPValidationError` and no other error; the server answers every error as
an RFC 9457 problem (api.problems). This rewrites the generated document once: each operation lists the
statuses it can answer with the shared schema, whose `type` URIs are enumerated; PATCH declares If-Match
required (a missing one is 428, which FastAPI cannot express); and a PATCH body field is nullable only where
its model lists it in NULLABLE (a null elsewhere is a 422).
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.common.if_match_syntax import IF_MATCH_EXAMPLE, IF_MATCH_FORMAT, IF_MATCH_PATTERN
from api.common.schemas import PRINTABLE_PATTERN, PatchModel
from api.openapi_examples import document_examples
from api.problems import PROBLEM_BASE

MEDIA_TYPE = "application/problem+json"
TYPES = [
    "bad-request",
    "bad-if-match",
    "not-authenticated",
    "forbidden",
    "not-found",
    "method-not-allowed",
    "conflict",
    "invalid-transition",
    "insufficient-stock",
    "team-unavailable",
    "duplicate",
    "stale-version",
    "payload-too-large",
    "unsupported-media-type",
    "validation-error",
    "if-match-required",
    "too-many-requests",
    "busy",
    "database-unavailable",
    "not-ready",
]
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `errors` lists each bad field of a 422.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri", "enum": [PROBLEM_BASE + t for t in TYPES]},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"type": "string", "description": "the answer's `X-Request-ID`: the key to its log lines"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": ["string", "null"], "description": "e.g. `body.lat`, `query.since`"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    400: "Malformed request: a body that is not the declared media type, or an If-Match that is not an entity tag",
    401: "No valid bearer token",
    403: "The caller's role may not do this",
    404: "No such entity",
    409: "Conflicts with the entity's state",
    412: "If-Match is stale",
    413: "Body over the size limit",
    422: "Invalid input; `errors` names each field",
    428: "If-Match is required",
    429: "Rate limit exceeded (Retry-After)",
    503: "Busy (Retry-After)",
}
WRITES = {"post", "put", "patch", "delete"}
# Answers that tell the client when to come back (api.ratelimit, api.auth.gate).
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
FORM = "application/x-www-form-urlencoded"
WEBSOCKET_DOC = "docs/websocket.md"
DESCRIPTION = (
    "Errors are RFC 9457 problems (`application/problem+json`, schema `Problem`). Updates take `If-Match` with "
    "the `ETag` last read. Every committed change is also pushed over the websocket `GET /api/v1/ws`, which this "
    "document cannot describe: its protocol (authentication, topics, resume with `since`/`epoch`, frames, close "
    f"codes) is in [{WEBSOCKET_DOC}]({WEBSOCKET_DOC}) of the source repository."
)


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {429}
    params = operation.get("parameters", [])
    if path.startswith("/api/v1/") and path != "/api/v1/auth/token":
        statuses |= {401, 403}
    if path == "/api/v1/auth/token":
        statuses.add(401)  # unknown name or wrong password
    if params or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    if method in WRITES:
        statuses |= {409, 413}
    if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in params):
        statuses |= {400, 412} | ({428} if method == "patch" else set())
    if path == "/api/v1/auth/token":
        statuses.add(503)
    return statuses


def _patch_models() -> list[type[PatchModel]]:
    found, todo = [], list(PatchModel.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo += model.__subclasses__()
    return found


def _not_nullable(schemas: dict[str, Any]) -> None:
    for model in _patch_models():
        properties = schemas.get(model.__name__, {}).get("properties", {})
        for name, prop in properties.items():
            options = prop.get("anyOf")
            if name in model.NULLABLE or not options:
                continue
            rest = [o for o in options if o != {"type": "null"}]
            if len(rest) == 1:
                prop.pop("anyOf")
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest


# Pydantic leaves a bound it cannot attach to one type (a Decimal taken as number or string) under its own
# keyword; JSON Schema names it differently and applies it to the numeric branch only.
_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _standard_bounds(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _standard_bounds(item)
        return
    if not isinstance(node, dict):
        return
    bounds = {_BOUNDS[k]: node.pop(k) for k in list(node) if k in _BOUNDS and not isinstance(node[k], dict)}
    if bounds:
        numeric = [b for b in node.get("anyOf", [node]) if b.get("type") in ("number", "integer")]
        for branch in numeric:
            branch.update(bounds)
    for value in node.values():
        _standard_bounds(value)


def _if_match(operation: dict[str, Any], *, required: bool) -> None:
    for param in operation.get("parameters", []):
        if param["in"] == "header" and param["name"].lower() == "if-match":
            param["required"] = required
            param["schema"] = {
                "type": "string",
                "title": "If-Match",
                "format": IF_MATCH_FORMAT,
                "pattern": IF_MATCH_PATTERN,
                "examples": [IF_MATCH_EXAMPLE],
            }


def _printable_query(operation: dict[str, Any]) -> None:
    """A free query string refuses control characters (api.common.query_text): say so, as bodies do."""
    for param in operation.get("parameters", []):
        schema = param.get("schema", {})
        if param["in"] != "query" or "pattern" in schema:
            continue
        for branch in [schema, *schema.get("anyOf", []), schema.get("items", {})]:
            if branch.get("type") == "string" and not {"pattern", "enum", "const", "format"} & branch.keys():
                branch["pattern"] = PRINTABLE_PATTERN


def _closed_maps(node: Any) -> None:
    """A map whose keys pydantic checks against a pattern refuses other keys: say so (JSON Schema lets them by)."""
    if isinstance(node, list):
        for item in node:
            _closed_maps(item)
        return
    if not isinstance(node, dict):
        return
    if "patternProperties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    for value in node.values():
        _closed_maps(value)


def _form_fields_not_empty(schema: dict[str, Any], operation: dict[str, Any]) -> None:
    """FastAPI reads an empty form field as a missing one: a required text field needs one character."""
    content = operation.get("requestBody", {}).get("content", {})
    ref = content.get(FORM, {}).get("schema", {}).get("$ref", "")
    model = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    for name, prop in model.get("properties", {}).items():
        if name in model.get("required", []) and prop.get("type") == "string":
            prop.setdefault("minLength", 1)
        if "anyOf" in prop:  # a form field is text or absent, never null ("null" would be the text n-u-l-l)
            rest = [o for o in prop.pop("anyOf") if o != {"type": "null"}]
            prop.update(rest[0] if len(rest) == 1 else {"anyOf": rest})


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """The document with problem responses on every operation and FastAPI's validation schemas gone."""
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            _if_match(operation, required=method == "patch")
            _form_fields_not_empty(schema, operation)
            _printable_query(operation)
            for status in sorted(_statuses(path, method, operation)):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.startswith(("4", "5")):  # also those a route declared itself (/readyz's 503)
                    response["content"] = {MEDIA_TYPE: {"schema": ref}}
                if status in ("429", "503"):
                    response["headers"] = RETRY_AFTER
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = PROBLEM_SCHEMA
    _not_nullable(components)
    _standard_bounds(schema)
    _closed_maps(components)
    schema.setdefault("info", {})["description"] = DESCRIPTION
    return schema


def install(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_examples(document_problems(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
