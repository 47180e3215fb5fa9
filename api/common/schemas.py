"""Field types shared by the request and response models of every domain."""

import re
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from api.common.ids import Id
from api.common.strict import no_bool

# Bounds before the validator, so that the JSON Schema shows them as `minimum`/`maximum`.
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), BeforeValidator(no_bool)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False), BeforeValidator(no_bool)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\-() ]{3,32}$")]
JurisdictionCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{2,32}$")]
# The enterprise on record (api.enterprises) a hazard source or a depot belongs to.
EnterpriseRef = Id


# C0 controls other than tab, LF and CR, lone surrogates and the two non-characters XML 1.0 forbids: text
# holding them breaks CAP's XML (api.cap) and terminals reading logs or CSV, and no person types them.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The same rule for the OpenAPI document, escaped (a lone surrogate cannot be written as UTF-8).
# Lone surrogates are left out: no UTF-8 JSON text carries one, and regex engines (Rust's) refuse the range.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
PRINTABLE_PATTERN = f"^[^{_CONTROL}]*$"
# A text whose surrounding white space is stripped before `min_length` counts: one visible character at least.
NOT_BLANK_PATTERN = f"^[^{_CONTROL}]*[^{_CONTROL}\\s][^{_CONTROL}]*$"


def _strips_to_required(annotation: Any) -> bool:
    """Whether the type (or one inside it, as in `list[Text]`) strips white space and then requires a character."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, StringConstraints) and meta.strip_whitespace and (meta.min_length or 0) >= 1:
            return True
    return any(_strips_to_required(arg) for arg in get_args(annotation))


def _document_text(schema: dict[str, Any], model: type[BaseModel]) -> None:
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        field = model.model_fields.get(name)
        _document_printable(prop, not_blank=field is not None and _strips_to_required(field.rebuild_annotation()))


def _document_printable(node: Any, *, not_blank: bool = False) -> None:
    """Every free string of a request model (and every key of its maps) carries PRINTABLE_PATTERN, so the
    document states the rule the validator below enforces; strings with a pattern, enum or format are narrower."""
    if isinstance(node, list):
        for item in node:
            _document_printable(item, not_blank=not_blank)
        return
    if not isinstance(node, dict) or "$ref" in node:
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & node.keys():
        node["pattern"] = NOT_BLANK_PATTERN if not_blank and node.get("minLength", 0) >= 1 else PRINTABLE_PATTERN
    if node.get("type") == "object" and ("additionalProperties" in node or "patternProperties" in node):
        node.setdefault("propertyNames", {"pattern": PRINTABLE_PATTERN})
    for value in node.values():
        _document_printable(value, not_blank=not_blank)


def _has_forbidden_characters(value: Any) -> bool:
    if isinstance(value, str):
        return FORBIDDEN_CHARACTERS.search(value) is not None
    if isinstance(value, dict):
        return any(_has_forbidden_characters(k) or _has_forbidden_characters(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_forbidden_characters(v) for v in value)
    return False


class PrintableText(BaseModel):
    """Control characters in any text field are refused (a 422 naming the field), from JSON or a CSV cell."""

    model_config = ConfigDict(json_schema_extra=_document_text)

    @field_validator("*")
    @classmethod
    def _printable_text(cls, value: Any) -> Any:
        if _has_forbidden_characters(value):
            raise ValueError("control characters (other than tab, line feed, carriage return) are not allowed")
        return value


class WriteModel(PrintableText):
    """Request bodies: unknown fields (`status`, `created_by`, ...) are refused, never ignored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=_document_text,
    )


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PatchModel(WriteModel):
    """Partial updates: a field left out keeps its value; an explicit null is refused unless listed in NULLABLE.

    Without this, `{"personnel": null}` would reach a NOT NULL column and fail in the database.
    """

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value
