"""The Leizhou demo data: contents, ledger consistency, idempotency and determinism, on each backend.

Each test database here is private (the shared one already holds conflicting rows).
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.passwords import hash_password
from api.common.geo import haversine_km
from api.compliance import service as compliance
from api.compliance.schemas import ComplianceKind, ComplianceStatus
from resources_db.credit_code import problem
from resources_db.demo.loader import seed_demo
from resources_db.engine import make_engine, make_session_factory
from resources_db.enterprise_enums import EnterpriseCategory
from resources_db.enums import Capability, JurisdictionKind, RiskLevel, Role, TeamKind, TeamStatus
from resources_db.migrate import upgrade
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
from tests.backends import fresh_database

TOWNS_AND_STREETS = {
    "雷城街道",
    "新城街道",
    "西湖街道",
    "附城镇",
    "白沙镇",
    "沈塘镇",
    "客路镇",
    "杨家镇",
    "唐家镇",
    "企水镇",
    "纪家镇",
    "松竹镇",
    "南兴镇",
    "雷高镇",
    "东里镇",
    "调风镇",
    "龙门镇",
    "英利镇",
    "北和镇",
    "乌石镇",
    "覃斗镇",
}
NEIGHBOURS = {"遂溪县", "徐闻县", "麻章区"}
CITY_CENTRE = (20.91, 110.09)
TODAY = date.today()


@dataclass
class Seeded:
    engine: Engine
    factory: sessionmaker[Session]
    summary: dict[str, int]
    progress: list[str]


@pytest.fixture(scope="module")
def password_hash() -> str:
    # One argon2 hash for the module: hashing per user would make these tests slow.
    return hash_password("demo")


@contextmanager
def _seed_fresh(backend: str, tmp_dir: Path, password_hash: str) -> Iterator[Seeded]:
    with fresh_database(backend, tmp_dir) as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        try:
            factory = make_session_factory(engine)
            lines: list[str] = []
            with factory() as session:
                summary = seed_demo(session, password_hash=password_hash, progress=lines.append, today=TODAY)
                session.commit()
            yield Seeded(engine, factory, summary, lines)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[Seeded]:
    with _seed_fresh(backend, tmp_path_factory.mktemp("demo"), password_hash) as s:
        yield s


@pytest.fixture
def session(seeded: Seeded) -> Iterator[Session]:
    with seeded.factory() as s:
        yield s


def _table_counts(session: Session) -> dict[str, int]:
    models = (Jurisdiction, RescueTeam, User, Depot, SupplyItem, StockMovement, HazardSource, EmergencyPlan)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models}


def _digest(session: Session) -> str:
    teams = [
        (t.name, t.kind.value, t.capabilities, t.base_lat, t.base_lon, t.personnel, t.status.value, t.contact_phone)
        for t in session.scalars(select(RescueTeam).order_by(RescueTeam.name))
    ]
    hazards = [
        (h.name, h.kind.value, h.risk_level.value, h.lat, h.lon, h.jurisdiction, h.enterprise, h.responsible_person)
        for h in session.scalars(select(HazardSource).order_by(HazardSource.name))
    ]
    return hashlib.sha256(json.dumps([teams, hazards], ensure_ascii=False).encode()).hexdigest()


def test_summary_meets_the_thresholds_and_matches_the_tables(seeded: Seeded, session: Session) -> None:
    minimum = {"jurisdictions": 25, "teams": 60, "users": 64, "depots": 8, "supply_items": 150, "hazard_sources": 40}
    minimum["plans"] = 5
    minimum["enterprises"] = 40
    assert set(seeded.summary) == set(minimum)
    for key, low in minimum.items():
        assert seeded.summary[key] >= low, key
    tables = _table_counts(session)
    assert seeded.summary["teams"] == tables["rescue_teams"]
    assert seeded.summary["supply_items"] == tables["supply_items"]
    assert seeded.summary["users"] == tables["users"] == 4 + tables["rescue_teams"]
    assert seeded.progress, "the loader reports progress"


def test_jurisdictions_are_the_city_its_towns_and_streets_and_three_neighbours(session: Session) -> None:
    rows = {j.name_zh: j for j in session.scalars(select(Jurisdiction))}
    assert set(rows) >= TOWNS_AND_STREETS | NEIGHBOURS
    assert {j.code: j.kind for j in rows.values() if j.kind == JurisdictionKind.city} == {
        "leizhou": JurisdictionKind.city
    }
    for name in TOWNS_AND_STREETS:
        assert rows[name].kind == (JurisdictionKind.street if name.endswith("街道") else JurisdictionKind.town)
    assert {rows[n].kind for n in NEIGHBOURS} == {JurisdictionKind.neighbor}
    assert (rows["雷城街道"].code, rows["白沙镇"].code, rows["遂溪县"].code) == ("leicheng", "baisha", "suixi")
    assert rows["白沙镇"].name_en == "Baisha Town"


def test_every_coordinate_is_inside_the_synthetic_demo_box(session: Session) -> None:
    points = [(j.center_lat, j.center_lon) for j in session.scalars(select(Jurisdiction))]
    points += [(t.base_lat, t.base_lon) for t in session.scalars(select(RescueTeam))]
    points += [(d.lat, d.lon) for d in session.scalars(select(Depot))]
    points += [(h.lat, h.lon) for h in session.scalars(select(HazardSource))]
    outside = [p for p in points if not (20.45 <= p[0] <= 21.15 and 109.70 <= p[1] <= 110.35)]
    assert not outside


def test_teams_cover_every_kind_and_capability(session: Session) -> None:
    teams = list(session.scalars(select(RescueTeam)))
    assert {t.kind for t in teams} == set(TeamKind)
    assert {c for t in teams for c in t.capabilities} == {c.value for c in Capability}
    assert all(6 <= t.personnel <= 60 for t in teams)
    assert all(t.contact_phone and t.contact_phone.startswith("0759-88") for t in teams)
    statuses = Counter(t.status for t in teams)
    assert 2 <= statuses[TeamStatus.out_of_service] <= 4
    assert statuses[TeamStatus.available] == len(teams) - statuses[TeamStatus.out_of_service]
    kinds = {j.code: j.kind for j in session.scalars(select(Jurisdiction))}
    assert any(kinds[t.home_jurisdiction] == JurisdictionKind.neighbor for t in teams), "mutual-aid teams"


def test_at_least_three_available_hazmat_teams_within_15_km_of_the_city(session: Session) -> None:
    near = [
        t
        for t in session.scalars(select(RescueTeam).where(RescueTeam.status == TeamStatus.available))
        if "hazmat" in t.capabilities and haversine_km(*CITY_CENTRE, t.base_lat, t.base_lon) <= 15
    ]
    assert len(near) >= 3


def test_each_team_has_exactly_one_leader_and_points_at_them(session: Session) -> None:
    users = list(session.scalars(select(User)))
    leaders = [u for u in users if u.role == Role.team_leader]
    by_team = Counter(u.team_id for u in leaders)
    teams = list(session.scalars(select(RescueTeam).order_by(RescueTeam.id)))
    assert all(by_team[t.id] == 1 for t in teams)
    assert len(leaders) == len(teams)
    leader_of = {u.team_id: u for u in leaders}
    assert all(t.leader_user_id == leader_of[t.id].id for t in teams)
    assert [leader_of[t.id].username for t in teams] == [f"leader-{i:03d}" for i in range(1, len(teams) + 1)]
    staff = {u.username: u.role for u in users if u.role != Role.team_leader}
    assert staff == {
        "admin": Role.admin,
        "operator": Role.operator,
        "observer": Role.observer,
        "controller": Role.drill_controller,
    }
    assert len({u.password_hash for u in users}) == 1


def test_every_supply_item_equals_its_ledger(session: Session) -> None:
    sums = select(StockMovement.supply_item_id, func.sum(StockMovement.delta)).group_by(StockMovement.supply_item_id)
    ledger: dict[int, int] = {row[0]: row[1] for row in session.execute(sums)}
    items = list(session.scalars(select(SupplyItem)))
    mismatched = [
        (i.id, i.quantity_on_hand, ledger.get(i.id, 0)) for i in items if i.quantity_on_hand != ledger.get(i.id, 0)
    ]
    assert not mismatched
    assert all(i.quantity_reserved == 0 for i in items)
    assert {"sandbags", "life_jackets", "pumps", "generators", "tents", "absorbent"} <= {i.category for i in items}
    assert {"breathing_apparatus", "medical_kits"} <= {i.category for i in items}


def test_some_items_are_short_of_reserve_and_some_expire_within_30_days(session: Session) -> None:
    items = list(session.scalars(select(SupplyItem)))
    assert sum(i.quantity_on_hand < i.min_reserve for i in items) >= 10
    soon = [i for i in items if i.expires_on is not None and TODAY <= i.expires_on <= TODAY + timedelta(days=30)]
    assert len(soon) >= 10
    assert not [i for i in items if i.expires_on is not None and i.expires_on < TODAY], "nothing already expired"


def test_hazard_sources_span_the_risk_levels_and_link_plans(session: Session) -> None:
    sources = list(session.scalars(select(HazardSource)))
    assert {s.risk_level for s in sources} == set(RiskLevel)
    assert len({s.kind for s in sources}) >= 8
    assert all(s.enterprise and s.responsible_person for s in sources)
    ammonia = [
        s
        for s in sources
        if s.kind == "ammonia_refrigeration"
        and s.risk_level == RiskLevel.red
        and s.jurisdiction == "leicheng"
        and haversine_km(20.915, 110.095, s.lat, s.lon) <= 1
    ]
    assert ammonia
    central = [
        s
        for s in sources
        if s.kind == "hazchem_storage"
        and s.risk_level in (RiskLevel.red, RiskLevel.orange)
        and haversine_km(*CITY_CENTRE, s.lat, s.lon) <= 5
    ]
    assert central
    plans = {p.id: p for p in session.scalars(select(EmergencyPlan))}
    linked = {s.plan_id for s in sources if s.plan_id is not None}
    assert len(linked) >= 5
    assert linked <= set(plans)
    ammonia_plan = plans[ammonia[0].plan_id or 0]
    assert "ammonia_leak" in ammonia_plan.incident_types
    assert ammonia_plan.required_capabilities["hazmat"] == 2
    assert ammonia_plan.required_supplies["breathing_apparatus"] >= 20


def test_a_second_seed_adds_nothing(seeded: Seeded, password_hash: str) -> None:
    with seeded.factory() as s:
        before = _table_counts(s)
    lines: list[str] = []
    with seeded.factory() as s:
        again = seed_demo(s, password_hash=password_hash, progress=lines.append)
        s.commit()
    with seeded.factory() as s:
        assert _table_counts(s) == before
    assert again == seeded.summary
    assert lines
    assert "already" in lines[0]


def test_two_fresh_databases_get_identical_data(
    seeded: Seeded, backend: str, tmp_path: Path, password_hash: str
) -> None:
    with _seed_fresh(backend, tmp_path, password_hash) as other, seeded.factory() as a, other.factory() as b:
        assert _digest(a) == _digest(b)
        assert other.summary == seeded.summary


def test_every_hazard_source_belongs_to_the_enterprise_it_names(session: Session) -> None:
    enterprises = {e.id: e for e in session.scalars(select(Enterprise))}
    sources = list(session.scalars(select(HazardSource)))
    assert len(enterprises) >= 40
    assert all(enterprises[s.enterprise_id or 0].name == s.enterprise for s in sources)
    assert [e.credit_code for e in enterprises.values() if problem(e.credit_code or "")] == []
    large = [e for e in enterprises.values() if e.large_scale]
    assert large
    assert all(e.duty_phone for e in large)
    assert {d.name for d in session.scalars(select(Depot).where(Depot.enterprise_id.is_not(None)))} == {
        "雷州化工集中区企业应急物资库",
        "雷州冷链企业联防应急物资库",
    }
    owned = list(session.scalars(select(EmergencyPlan).where(EmergencyPlan.owner_enterprise_id.is_not(None))))
    assert len(owned) >= 20
    assert all(p.owner_body is None for p in owned)


def test_the_demo_shows_leizhou_hazardous_goods_units_overdue(session: Session) -> None:
    report = compliance.report(
        session=session,
        today=TODAY,
        kinds=set(ComplianceKind),
        statuses={ComplianceStatus.overdue},
        jurisdiction="leizhou",
        category=EnterpriseCategory.hazardous_goods.value,
    )
    kinds = {i.kind for i in report.items}
    assert ComplianceKind.drill in kinds
    assert ComplianceKind.risk_assessment in kinds
    assert "suixi" not in report.by_jurisdiction  # a neighbour, not Leizhou
    assert sum(c.overdue for c in report.by_jurisdiction.values()) == len(report.items) >= 5
    print(f"demo compliance: overdue items={len(report.items)} kinds={sorted(k.value for k in kinds)}")
