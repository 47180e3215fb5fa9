"""`GET /api/v1/situation`: the full snapshot a board loads before it follows the event feed.

How a client combines the two (DESIGN §9): load this snapshot, then open the
websocket with `since=<seq>&epoch=<epoch>`. Every event with seq ≤ `seq` is
already in the snapshot. Some events with seq > `seq` may be too: the relay
numbers an event in a transaction after the change's own, so a change can be
committed (and seen here) before its event is numbered. Clients therefore
apply events idempotently, comparing the entity `version` carried by both the
snapshot rows and the event data and skipping events not newer than what they
hold.
"""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from api.auth.permissions import Reader
from api.common.drills import DrillScopeDep
from api.deps import SessionDep
from api.situation import service
from api.situation.schemas import Situation, TeamsSection
from resources_db.base import utcnow

router = APIRouter(prefix="/situation", tags=["situation"])


@router.get("", response_model=Situation)
def get_situation(
    session: SessionDep,
    _: Reader,
    scope: DrillScopeDep,
    positions: Annotated[bool, Query(description="include every team's position (false for light clients)")] = True,
) -> Response:
    """Active incidents, teams, supplies below minimum, reporting deadlines and drills, as of event `seq`."""
    service.begin_snapshot(session=session)
    seq, epoch = service.log_position(session=session)
    now = utcnow()
    situation = Situation(
        seq=seq,
        epoch=epoch,
        generated_at=now,
        incidents=service.incidents(session=session, scope=scope),
        teams=TeamsSection(counts=service.team_counts(session=session), positions=None),
        supplies_below_min=service.supplies_below_min(session=session),
        escalations=service.escalations(session=session, scope=scope, now=now),
        drills=service.drills(session=session, scope=scope),
    )
    team_positions = service.team_positions(session=session) if positions else None
    session.rollback()
    body = situation.model_dump(mode="json")
    # Positions (10,000 teams) skip the models: plain rows, serialised once by orjson.
    body["teams"]["positions"] = team_positions
    return Response(orjson.dumps(body), media_type="application/json")
