from fastapi import APIRouter, Response

from api.auth.permissions import Reader
from api.cap import render, service
from api.common.ids import Id
from api.deps import SessionDep, SettingsDep
from api.incidents import service as incidents
from api.routing import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute, prefix="/incidents", tags=["cap"])


@router.get(
    "/{incident_id:int}/cap",
    response_class=Response,
    responses={200: {"content": {render.MEDIA_TYPE: {}}, "description": "a CAP 1.2 alert (XML)"}},
)
def incident_cap_alert(incident_id: Id, session: SessionDep, settings: SettingsDep, _: Reader) -> Response:
    """The incident as an OASIS CAP 1.2 alert; drill incidents have `status` Exercise."""
    incident = incidents.get_or_raise(session=session, incident_id=incident_id)
    body = render.render(service.alert_input(session=session, incident=incident, settings=settings))
    return Response(body, media_type=render.MEDIA_TYPE, headers={"ETag": f'"{incident.version}"'})
