"""Field types shared by the request and response models of every domain."""

import re
from typing import Annotated, Any, ClassVar

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

    @field_validator("*")
    @classmethod
    def _printable_text(cls, value: Any) -> Any:
        if _has_forbidden_characters(value):
            raise ValueError("control characters (other than tab, line feed, carriage return) are not allowed")
        return value


class WriteModel(PrintableText):
    """Request bodies: unknown fields (`status`, `created_by`, ...) are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


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
