"""Reasons an enterprise's plan may need revising now (Decree 708 art. 6: important emergency resources changed).

Worked out on read from the resources the plan counts on: a team under a
current service agreement with the enterprise that is out of service, and
supply items in the enterprise's own depots below their reserve. Read only.
"""

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.common.schemas import ReadModel
from resources_db.enterprise_enums import RevisionTrigger
from resources_db.enums import TeamStatus
from resources_db.models import AgreementEnterprise, Depot, Enterprise, RescueTeam, ServiceAgreement, SupplyItem


class RevisionReason(ReadModel):
    trigger: RevisionTrigger
    reason: str
    team_id: int | None = None
    supply_item_id: int | None = None


def reasons(*, session: Session, enterprise: Enterprise, today: date) -> list[RevisionReason]:
    """What in the enterprise's resources has changed enough that its plan should be considered for revision."""
    current = and_(
        ServiceAgreement.valid_from <= today,
        or_(ServiceAgreement.valid_to.is_(None), ServiceAgreement.valid_to >= today),
    )
    teams = session.execute(
        select(RescueTeam.id, RescueTeam.name)
        .join(ServiceAgreement, ServiceAgreement.team_id == RescueTeam.id)
        .join(AgreementEnterprise, AgreementEnterprise.agreement_id == ServiceAgreement.id)
        .where(AgreementEnterprise.enterprise_id == enterprise.id, current)
        .where(RescueTeam.status == TeamStatus.out_of_service)
        .distinct()
        .order_by(RescueTeam.id)
    ).all()
    items = session.execute(
        select(SupplyItem.id, SupplyItem.name, SupplyItem.quantity_on_hand, SupplyItem.min_reserve, Depot.name)
        .join(Depot, Depot.id == SupplyItem.depot_id)
        .where(Depot.enterprise_id == enterprise.id, SupplyItem.quantity_on_hand < SupplyItem.min_reserve)
        .order_by(SupplyItem.id)
    ).all()
    out = [
        RevisionReason(
            trigger=RevisionTrigger.resources_changed,
            reason=f"rescue team {name} under service agreement is out of service",
            team_id=team_id,
        )
        for team_id, name in teams
    ]
    out += [
        RevisionReason(
            trigger=RevisionTrigger.resources_changed,
            reason=f"{item} in depot {depot} is below its reserve ({on_hand} < {minimum})",
            supply_item_id=item_id,
        )
        for item_id, item, on_hand, minimum, depot in items
    ]
    return out
