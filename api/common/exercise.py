"""Rules that keep drills apart from real operations (S4)."""

from sqlalchemy.orm import Session

from api.deps import Principal
from api.errors import Forbidden, InvalidInput
from resources_db.enums import DrillStatus, Role
from resources_db.models import Drill


def guard_role(principal: Principal, drill_id: int | None) -> None:
    """A drill controller touches exercise data only; real incidents, dispatches and stock are refused."""
    if principal.role is Role.drill_controller and drill_id is None:
        raise Forbidden("a drill controller acts on exercise (drill) data only")


def require_running(session: Session, drill_id: int | None, *, field: str = "body.drill_id") -> None:
    """New exercise data may be added to a running drill only."""
    if drill_id is None:
        return
    drill = session.get(Drill, drill_id)
    if drill is None or drill.status is not DrillStatus.running:
        message = f"drill {drill_id} does not exist or has ended"
        raise InvalidInput(message, [{"field": field, "message": message}])
