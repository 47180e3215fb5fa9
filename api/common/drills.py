"""Keeping exercise data apart from real data (DESIGN §8): every list, count and export filters on `drill_id`."""

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from api.common.ids import Id

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True, slots=True)
class DrillScope:
    drill_id: int | None
    include_drills: bool

    def apply(self, stmt: S, column: InstrumentedAttribute[int | None]) -> S:
        """Real data only by default; one drill's data with `drill_id`; everything with `include_drills`."""
        if self.drill_id is not None:
            return stmt.where(column == self.drill_id)
        if self.include_drills:
            return stmt
        return stmt.where(column.is_(None))


def drill_scope(
    drill_id: Annotated[Id | None, Query(description="only this drill's (exercise) data")] = None,
    include_drills: Annotated[bool, Query(description="real and exercise data together, marked")] = False,
) -> DrillScope:
    return DrillScope(drill_id, include_drills)


DrillScopeDep = Annotated[DrillScope, Depends(drill_scope)]
