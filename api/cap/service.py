"""Read what a CAP alert needs about one incident. Read-only."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.cap.render import AlertInput
from api.settings import Settings
from resources_db.models import Incident, Jurisdiction, TimelineEntry

# Timeline kinds written by the incident service for changes that bump the incident's version.
INCIDENT_CHANGES = ("incident.create", "incident.update", "incident.status")


def last_change_at(*, session: Session, incident: Incident) -> datetime:
    """When the incident itself last changed (dispatches and notes do not count), else when it was reported."""
    at = session.scalar(
        select(func.max(TimelineEntry.at)).where(
            TimelineEntry.incident_id == incident.id, TimelineEntry.kind.in_(INCIDENT_CHANGES)
        )
    )
    return at or incident.reported_at


def alert_input(*, session: Session, incident: Incident, settings: Settings) -> AlertInput:
    """The incident, its jurisdiction's names and the sender settings, as render() takes them."""
    place = session.get(Jurisdiction, incident.jurisdiction)
    return AlertInput(
        incident_id=incident.id,
        version=incident.version,
        title=incident.title,
        type=incident.type,
        status=incident.status,
        severity=incident.severity,
        lat=incident.lat,
        lon=incident.lon,
        address=incident.address,
        jurisdiction_zh=place.name_zh if place else incident.jurisdiction,
        jurisdiction_en=place.name_en if place else incident.jurisdiction,
        deaths=incident.deaths,
        serious_injuries=incident.serious_injuries,
        direct_loss_cny=incident.direct_loss_cny,
        drill_id=incident.drill_id,
        sent=last_change_at(session=session, incident=incident),
        sender=settings.cap_sender,
        sender_name=settings.cap_sender_name,
        radius_km=settings.cap_area_radius_km,
    )
