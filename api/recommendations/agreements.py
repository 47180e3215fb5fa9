"""Teams under a service agreement with the enterprise whose hazard source the incident is at come first.

Decree 708 art. 10: a high-risk unit without a rescue team of its own signs
an agreement with a neighbouring professional team; that team knows the
site and is called first. An available agreement team is put at the head of
the ranked list with the reason "service agreement with …", whether or not
the distance ranking had it (it may sit beyond the shortlist). Read only.
"""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from api.common.geo import haversine_km
from api.recommendations.scene import Scene
from api.rules.recommend import EtaParams, RankedTeam, TeamCandidate, eta_minutes
from resources_db.capability_bits import codes_of
from resources_db.enums import TeamStatus
from resources_db.models import AgreementEnterprise, Enterprise, HazardSource, RescueTeam, ServiceAgreement

REASON = "service agreement with {enterprise} (Decree 708 art. 10)"

_AGREED = (
    select(
        RescueTeam.id,
        RescueTeam.name,
        RescueTeam.kind,
        RescueTeam.capability_mask,
        RescueTeam.home_jurisdiction,
        RescueTeam.base_lat,
        RescueTeam.base_lon,
        RescueTeam.personnel,
        Enterprise.name,
    )
    .join(ServiceAgreement, ServiceAgreement.team_id == RescueTeam.id)
    .join(AgreementEnterprise, AgreementEnterprise.agreement_id == ServiceAgreement.id)
    .join(Enterprise, Enterprise.id == AgreementEnterprise.enterprise_id)
    .join(HazardSource, HazardSource.enterprise_id == Enterprise.id)
    .where(
        HazardSource.id == bindparam("source_id"),
        RescueTeam.status == TeamStatus.available,
        ServiceAgreement.valid_from <= bindparam("today"),
        or_(ServiceAgreement.valid_to.is_(None), and_(ServiceAgreement.valid_to >= bindparam("today"))),
    )
    .order_by(RescueTeam.id)
    .distinct()
)


def first(
    *,
    session: Session,
    scene: Scene,
    ranked: Sequence[RankedTeam],
    required: frozenset[str],
    params: EtaParams,
    today: date,
    limit: int,
) -> list[RankedTeam]:
    """`ranked` with the available agreement teams of the incident's enterprise at its head, reason first."""
    if scene.hazard_source_id is None:
        return list(ranked)
    rows = session.connection().execute(_AGREED, {"source_id": scene.hazard_source_id, "today": today}).all()
    if not rows:
        return list(ranked)
    by_id = {r.team.id: r for r in ranked}
    head: list[RankedTeam] = []
    for team_id, name, kind, mask, home, lat, lon, personnel, enterprise in rows:
        reason = REASON.format(enterprise=enterprise)
        known = by_id.pop(team_id, None)
        if known is not None:
            head.append(
                RankedTeam(
                    known.team, known.distance_km, known.eta_minutes, known.covers, [reason, *known.reasons], False
                )
            )
            continue
        caps = frozenset(codes_of(mask)) & required
        km = haversine_km(scene.lat, scene.lon, lat, lon)
        team = TeamCandidate(team_id, name, kind, caps, TeamStatus.available, home, lat, lon, personnel)
        head.append(RankedTeam(team, km, eta_minutes(km, kind, params), sorted(caps), [reason], False))
    return [*head, *(r for r in ranked if r.team.id in by_id)][:limit]
