"""Deterministic Leizhou demo data for `ercp seed-demo` / `ercp demo`.

All coordinates are SYNTHETIC demo points inside lat 20.45–21.15,
lon 109.70–110.35; team, enterprise and person names are fictional. The data
tables live in places.py, teams_data.py, supplies_data.py and hazards_data.py;
builders.py turns them into rows with fixed-seed generators, so every run
produces the same data, except supply expiry dates, which count from today.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resources_db.demo import builders, places
from resources_db.demo import enterprises as demo_enterprises
from resources_db.enums import MovementReason
from resources_db.models import (
    Depot,
    EmergencyPlan,
    Enterprise,
    HazardSource,
    Jurisdiction,
    RescueTeam,
    StockMovement,
    SupplyItem,
    User,
)

ACTOR = "demo-seed"

COUNTED: dict[str, Any] = {
    "jurisdictions": Jurisdiction,
    "teams": RescueTeam,
    "users": User,
    "depots": Depot,
    "supply_items": SupplyItem,
    "hazard_sources": HazardSource,
    "plans": EmergencyPlan,
    "enterprises": Enterprise,
}


def counts(session: Session) -> dict[str, int]:
    """Rows per demo table, as they are in the database now."""
    return {key: session.scalar(select(func.count()).select_from(model)) or 0 for key, model in COUNTED.items()}


def seed_demo(
    session: Session,
    *,
    password_hash: str,
    progress: Callable[[str], object] = print,
    today: date | None = None,
) -> dict[str, int]:
    """Add the demo data and flush (the caller commits); add nothing if it is already there.

    `password_hash` is used for every demo user. `today` anchors the expiry dates (default: today).
    """
    # Any of these names present means an earlier seed ran, and inserting again would hit unique usernames.
    markers = [name for name, _ in builders.STAFF] + ["leader-001"]
    if session.scalar(select(User.username).where(User.username.in_(markers)).limit(1)) is not None:
        progress("demo data already present (demo users exist); nothing added")
        return counts(session)

    existing = set(session.scalars(select(Jurisdiction.code)))
    session.add_all(j for j in builders.jurisdictions() if j.code not in existing)
    session.flush()
    progress(f"jurisdictions: city, towns/streets and neighbours ({len(places.JURISDICTIONS)})")

    today = today or date.today()
    plans = builders.plans()
    demo_enterprises.own_templates(plans)
    enterprises = demo_enterprises.enterprises()
    session.add_all([*plans, *enterprises])
    session.flush()
    hazards = builders.hazard_sources(plans)
    depots = builders.depots()
    demo_enterprises.link(hazards, depots, enterprises, today)
    session.add_all(hazards)
    session.flush()
    own_plans = demo_enterprises.plans(enterprises, plans, today)
    session.add_all(own_plans.values())
    session.flush()
    drills = demo_enterprises.drills(enterprises, own_plans, today)
    session.add_all(drills)
    session.flush()
    progress(f"emergency plans: {len(plans) + len(own_plans)}, hazard sources: {len(hazards)}")
    progress(f"enterprises: {len(enterprises)}, their drills on record: {len(drills)}")

    _seed_teams_and_users(session, password_hash, progress)

    session.add_all(depots)
    session.flush()
    items = builders.supply_items(depots, today)
    session.add_all(items)
    session.flush()
    session.add_all(
        StockMovement(
            supply_item_id=item.id,
            delta=item.quantity_on_hand,
            reason=MovementReason.receive,
            actor=ACTOR,
            note="opening stock (demo)",
        )
        for item in items
        if item.quantity_on_hand > 0
    )
    session.flush()
    progress(f"depots: {len(depots)}, supply items: {len(items)} (opening stock on the ledger)")
    return counts(session)


def _seed_teams_and_users(session: Session, password_hash: str, progress: Callable[[str], object]) -> None:
    # Users go in first so each team is inserted with its leader_user_id: setting it afterwards
    # would be an UPDATE and start every demo team at version 2.
    staff = builders.staff_users(password_hash)
    teams = builders.teams()
    leaders = builders.leader_users(password_hash, len(teams))
    session.add_all(staff + leaders)
    session.flush()
    for team, leader in zip(teams, leaders, strict=True):
        team.leader_user_id = leader.id
    session.add_all(teams)
    session.flush()
    for team, leader in zip(teams, leaders, strict=True):
        leader.team_id = team.id
    session.flush()
    progress(f"rescue teams: {len(teams)}, users: {len(staff)} staff + {len(leaders)} team leaders")
