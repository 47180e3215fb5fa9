"""Field types shared by the request and response models of every domain."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\-() ]{3,32}$")]
JurisdictionCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{2,32}$")]


class WriteModel(BaseModel):
    """Request bodies: unknown fields (`status`, `created_by`, ...) are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
