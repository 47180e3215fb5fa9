from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.auth.permissions import Reader
from api.common.ids import Id
from api.deps import SessionDep, SettingsDep
from api.errors import InvalidInput
from api.recommendations import scene, service
from api.recommendations.schemas import Recommendation, parse_supplies
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/incidents", tags=["recommendations"])

MAX_TEAMS = 200
MAX_RADIUS_KM = 500


async def extra_supplies(
    supplies: Annotated[
        str | None,
        Query(
            max_length=4000,
            description="more supplies wanted, `category:qty,category:qty`; added to the emergency plan's",
            examples=["sandbags:200,life_jackets:50"],
        ),
    ] = None,
) -> dict[str, int]:
    # Async although it awaits nothing: a sync dependency would cost a threadpool hop per request.
    if supplies is None:
        return {}
    try:
        return parse_supplies(supplies)
    except ValueError as exc:
        raise InvalidInput(f"invalid supplies: {exc}", [{"field": "query.supplies", "message": str(exc)}]) from exc


ExtraSupplies = Annotated[dict[str, int], Depends(extra_supplies)]


@router.get("/{incident_id:int}/recommendations", response_model=Recommendation)
def recommend_for_incident(
    incident_id: Id,
    session: SessionDep,
    settings: SettingsDep,
    _: Reader,
    supplies: ExtraSupplies,
    limit: Annotated[
        int,
        Query(ge=1, le=MAX_TEAMS, description="teams listed; the fastest holder of each capability is kept beyond it"),
    ] = 20,
    radius_km: Annotated[
        float | None,
        Query(gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False, description="team search radius; default from settings"),
    ] = None,
) -> Response:
    """Teams and supplies to send, each with reasons, and a proposed team set covering every required capability.

    Drill incidents get recommendations from the same (real) resource library.
    """
    incident = scene.scene_or_raise(session=session, incident_id=incident_id)
    found = service.recommend(
        session=session,
        incident=incident,
        settings=settings,
        limit=limit,
        radius_km=radius_km or settings.recommend_radius_km,
        extra_supplies=supplies,
    )
    # Serialised here, as FastAPI would (by alias, pydantic's JSON), but without validating the
    # model against `response_model` again in a second threadpool hop; the OpenAPI schema stays.
    return Response(found.model_dump_json(by_alias=True), media_type="application/json")
