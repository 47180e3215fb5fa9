"""Compensation statements: released real dispatches of teams under agreement, priced by `rules`. Read only.

Drill dispatches never cost anything (DESIGN §8): only `drill_id IS NULL`
rows count. Personnel is what each dispatch recorded when it was made, never
the team's current row, which its leader may edit.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.common.refs import require
from api.compensation import rules
from api.compensation.schemas import CompensationLine, CompensationReport, TeamStatement
from resources_db.enums import DispatchStatus
from resources_db.models import Dispatch, Enterprise, HazardSource, Incident, RescueTeam, ServiceAgreement


def _terms(session: Session, team_ids: list[int]) -> dict[int, list[rules.Terms]]:
    out: dict[int, list[rules.Terms]] = defaultdict(list)
    if not team_ids:
        return out
    for a in session.scalars(select(ServiceAgreement).where(ServiceAgreement.team_id.in_(team_ids))):
        out[a.team_id].append(
            rules.Terms(a.id, a.hourly_rate_per_person_cny, a.callout_fee_cny, a.valid_from, a.valid_to)
        )
    return out


PUBLIC_BUDGET = "public budget (no responsible enterprise on record)"


def _payers(session: Session, incident_ids: set[int]) -> dict[int, tuple[int, str]]:
    """incident id → (enterprise id, name) of the enterprise whose hazard source it was at (Decree 708 art. 19)."""
    if not incident_ids:
        return {}
    stmt = (
        select(Incident.id, Enterprise.id, Enterprise.name)
        .join(HazardSource, HazardSource.id == Incident.hazard_source_id)
        .join(Enterprise, Enterprise.id == HazardSource.enterprise_id)
        .where(Incident.id.in_(sorted(incident_ids)))
    )
    return {incident_id: (eid, name) for incident_id, eid, name in session.execute(stmt)}


def _statement(
    team: RescueTeam, dispatches: list[Dispatch], terms: list[rules.Terms], payers: dict[int, tuple[int, str]]
) -> TeamStatement:
    lines: list[CompensationLine] = []
    unpriced: list[int] = []
    for d in dispatches:
        assert d.released_at is not None  # the query asks for released dispatches
        chosen = rules.pick_agreement(terms, rules.local_date(d.dispatched_at))
        if chosen is None:
            unpriced.append(d.id)
            continue
        p = rules.price(chosen, rules.billed_hours(d.on_scene_at, d.released_at), d.personnel)
        payer_id, payer = payers.get(d.incident_id, (None, PUBLIC_BUDGET))
        lines.append(
            CompensationLine(
                dispatch_id=d.id,
                incident_id=d.incident_id,
                agreement_id=chosen.agreement_id,
                dispatched_at=d.dispatched_at,
                on_scene_at=d.on_scene_at,
                released_at=d.released_at,
                billed_hours=p.billed_hours,
                personnel=d.personnel,
                hourly_rate_per_person_cny=chosen.hourly_rate_per_person_cny,
                callout_fee_cny=chosen.callout_fee_cny,
                labour_cny=p.labour_cny,
                amount_cny=p.amount_cny,
                payer_enterprise_id=payer_id,
                payer=payer,
            )
        )
    return TeamStatement(
        team_id=team.id,
        team_name=team.name,
        team_kind=team.kind,
        lines=lines,
        dispatch_count=len(lines),
        billed_hours=rules.total([line.billed_hours for line in lines]),
        total_cny=rules.total([line.amount_cny for line in lines]),
        unpriced_dispatch_ids=unpriced,
    )


def report(
    *, session: Session, month: str, team_id: int | None, enterprise_id: int | None = None
) -> CompensationReport:
    """Statements per team for a `YYYY-MM` month (already validated by the caller); with `enterprise_id`, only
    the dispatches that enterprise pays for."""
    if team_id is not None:
        require(session, RescueTeam, team_id, field="query.team_id")
    if enterprise_id is not None:
        require(session, Enterprise, enterprise_id, field="query.enterprise_id")
    start, end = rules.month_bounds(*rules.parse_month(month))
    has_agreement = exists(select(ServiceAgreement.id).where(ServiceAgreement.team_id == RescueTeam.id))
    stmt = (
        select(Dispatch, RescueTeam)
        .join(RescueTeam, RescueTeam.id == Dispatch.team_id)
        .where(
            Dispatch.status == DispatchStatus.released,
            Dispatch.drill_id.is_(None),
            Dispatch.released_at >= start,
            Dispatch.released_at < end,
            has_agreement,
        )
        .order_by(RescueTeam.id, Dispatch.released_at, Dispatch.id)
    )
    if team_id is not None:
        stmt = stmt.where(Dispatch.team_id == team_id)
    if enterprise_id is not None:
        stmt = (
            stmt.join(Incident, Incident.id == Dispatch.incident_id)
            .join(HazardSource, HazardSource.id == Incident.hazard_source_id)
            .where(HazardSource.enterprise_id == enterprise_id)
        )
    by_team: dict[int, tuple[RescueTeam, list[Dispatch]]] = {}
    for d, team in session.execute(stmt):
        by_team.setdefault(team.id, (team, []))[1].append(d)
    terms = _terms(session, list(by_team))
    payers = _payers(session, {d.incident_id for _, ds in by_team.values() for d in ds})
    statements = [_statement(team, ds, terms[tid], payers) for tid, (team, ds) in by_team.items()]
    return CompensationReport(
        month=month,
        timezone=rules.LOCAL_TZ.tzname(None) or "Asia/Shanghai",
        period_start=start,
        period_end=end,
        rounding=rules.ROUNDING,
        statements=statements,
        total_cny=rules.total([s.total_cny for s in statements]),
    )


CSV_COLUMNS = (
    "row",
    "month",
    "team_id",
    "team_name",
    "dispatch_id",
    "incident_id",
    "agreement_id",
    "dispatched_at",
    "on_scene_at",
    "released_at",
    "billed_hours",
    "personnel",
    "hourly_rate_per_person_cny",
    "callout_fee_cny",
    "labour_cny",
    "amount_cny",
    "payer_enterprise_id",
    "payer",
)


def _local(at: Any) -> str:
    return at.astimezone(rules.LOCAL_TZ).isoformat() if at is not None else ""


def csv_rows(r: CompensationReport) -> Iterator[dict[str, Any]]:
    """One `line` row per priced dispatch, then a `team_total` row per team; times in local time with offset."""
    for s in r.statements:
        team = {"month": r.month, "team_id": s.team_id, "team_name": s.team_name}
        for line in s.lines:
            values = line.model_dump()
            values.update({k: _local(values[k]) for k in ("dispatched_at", "on_scene_at", "released_at")})
            yield {"row": "line", **team, **values}
        yield {"row": "team_total", **team, "billed_hours": s.billed_hours, "amount_cny": s.total_cny}
