"""Role checks as route dependencies, every alias in this one module; views never compare roles themselves.

`allow(...)` builds a dependency that passes the principal through when its
role is listed, and answers 403 otherwise. Object-level rules (a team leader
acts only on their own team) live beside the objects: see `owns_team`.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from api.common.ids import Id
from api.deps import CurrentPrincipal, Principal
from api.errors import Forbidden
from resources_db.enums import Role


def allow(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    # async: a pure check, not worth a thread-pool hop (see api.deps).
    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"role {principal.role.value!r} may not do this; allowed roles: {names}")
        return principal

    return check


def owns_team(principal: Principal, team_id: int) -> None:
    """A team leader may act on their own team only; other permitted roles on any team."""
    if principal.role is Role.team_leader and principal.team_id != team_id:
        raise Forbidden("a team leader may act on their own team only")


ANY_ROLE = tuple(Role)
Reader = Annotated[Principal, Depends(allow(*ANY_ROLE))]
Admin = Annotated[Principal, Depends(allow(Role.admin))]
# Teams, depots, supply items and enterprises are kept by the duty desk.
LibraryWriter = Annotated[Principal, Depends(allow(Role.admin, Role.operator))]
# Hazard sources, plans and jurisdictions are the registry: admins only.
RegistryWriter = Admin
TeamWriter = Annotated[Principal, Depends(allow(Role.admin, Role.operator, Role.team_leader))]


def _own_team_writer(team_id: Id, principal: TeamWriter) -> Principal:
    owns_team(principal, team_id)
    return principal


# For routes under /teams/{team_id}: the role check and the own-team check, before the body is looked at.
OwnTeamWriter = Annotated[Principal, Depends(_own_team_writer)]

# The duty desk, and a drill controller playing it: api.common.exercise holds the controller to exercise data
# (drill incidents only). Incident intake and handling, mutual aid, dispatching teams, reserving supplies.
DeskOrDrill = Annotated[Principal, Depends(allow(Role.admin, Role.operator, Role.drill_controller))]
IncidentWriter = DeskOrDrill
MutualAidWriter = DeskOrDrill
Dispatcher = DeskOrDrill
Allocator = DeskOrDrill
# A dispatch's status is reported by the desk, a controller, or the leader of the dispatched team.
DispatchReporter = Annotated[
    Principal, Depends(allow(Role.admin, Role.operator, Role.team_leader, Role.drill_controller))
]

# Exercises are started and ended by the people who run them.
DrillController = Annotated[Principal, Depends(allow(Role.admin, Role.drill_controller))]
# Compensation statements show money owed to outside teams: the desk and observers (auditors) read them.
CompensationReader = Annotated[Principal, Depends(allow(Role.admin, Role.operator, Role.observer))]
