"""Service agreements under which outside rescue teams are called out and paid (seed §12). Callers commit.

Who may hold one: `social` teams (社会救援力量) and `enterprise_fulltime`
teams (企业专职), the two kinds not paid from the public budget when the
government calls them out; public teams (fire_rescue, militia, ...) get 422.
A team may hold several agreements over time (renewals, rate changes); the
newest becomes its `agreement_id`, and compensation prices each dispatch
with the agreement valid on its date (api.compensation.rules.pick_agreement).
"""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.agreements.schemas import AgreementCreate
from api.audit import service as audit
from api.changes import record_change
from api.common.refs import get_or_404, require
from api.deps import Principal
from api.errors import InvalidInput
from resources_db.enums import TeamKind
from resources_db.models import AgreementEnterprise, Enterprise, RescueTeam, ServiceAgreement

CONTRACTED_KINDS = frozenset({TeamKind.social, TeamKind.enterprise_fulltime})


def snapshot(a: ServiceAgreement) -> dict[str, Any]:
    return {
        "team_id": a.team_id,
        "hourly_rate_per_person_cny": a.hourly_rate_per_person_cny,
        "callout_fee_cny": a.callout_fee_cny,
        "valid_from": a.valid_from,
        "valid_to": a.valid_to,
        "enterprise_ids": a.enterprise_ids,
    }


def get_or_raise(*, session: Session, agreement_id: int) -> ServiceAgreement:
    """The agreement, or 404."""
    return get_or_404(session, ServiceAgreement, agreement_id, what="service agreement")


def filtered(*, team_id: int | None) -> Select[Any]:
    """Agreements, optionally of one team."""
    stmt = select(ServiceAgreement)
    return stmt.where(ServiceAgreement.team_id == team_id) if team_id is not None else stmt


def create(*, session: Session, principal: Principal, data: AgreementCreate) -> ServiceAgreement:
    """Record an agreement and make it the team's current one (the team's version moves, so its ETag does)."""
    team: RescueTeam = require(session, RescueTeam, data.team_id, field="body.team_id")
    if team.kind not in CONTRACTED_KINDS:
        message = f"team {team.id} is {team.kind.value}; agreements are for social or enterprise_fulltime teams"
        raise InvalidInput(message, [{"field": "body.team_id", "message": message}])
    for i, enterprise_id in enumerate(data.enterprise_ids):
        require(session, Enterprise, enterprise_id, field=f"body.enterprise_ids.{i}")
    served = [AgreementEnterprise(enterprise_id=e) for e in sorted(set(data.enterprise_ids))]
    row = ServiceAgreement(**data.model_dump(exclude={"enterprise_ids"}), served=served)
    session.add(row)
    session.flush()
    before_team = {"agreement_id": team.agreement_id}
    team.agreement_id = row.id
    session.flush()  # the versioned UPDATE of the team
    record_change(
        session,
        principal=principal,
        action="agreement.create",
        entity="service_agreement",
        entity_id=row.id,
        before=None,
        after=snapshot(row),
        event_type="agreement.created",
        event_data={"id": row.id, **snapshot(row), "team_version": team.version, "version": row.version},
        drill_id=None,
    )
    # The team row changed too: its own audit row, so the team's history shows the new agreement.
    audit.record(
        session,
        principal=principal,
        action="team.update",
        entity="rescue_team",
        entity_id=team.id,
        before=before_team,
        after={"agreement_id": row.id},
    )
    return row
