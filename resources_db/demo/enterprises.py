"""Demo enterprises on record: one per enterprise named by the demo hazard sources, with plans and drills.

Names are the fictional ones of hazards_data.py; credit codes are made up but
carry a valid GB 32100 check character. Dates count back from `today` with a
seeded generator, so the same share of units is overdue on any day: some
never drilled, some past their half-year, some plans unfiled or past their
three-year evaluation, some risk assessments older than three years.
"""

import random
from datetime import date, timedelta

from resources_db.credit_code import ALPHABET, check_character
from resources_db.demo import hazards_data
from resources_db.enterprise_enums import DrillForm, DrillScope, EnterpriseCategory
from resources_db.enums import HazardKind
from resources_db.models import Depot, EmergencyPlan, Enterprise, EnterpriseDrill, HazardSource

ENTERPRISE_SEED = 20_250_105
ACTOR = "demo-seed"
LEIZHOU_DIVISION = "440882"  # 雷州市, GB/T 2260
CITY_BUREAU = "雷州市应急管理局"
C = EnterpriseCategory

# Decree 708 art. 8 category and sector per hazard kind; a unit with several kinds takes the first category
# in CATEGORY_ORDER (the same table as migration 0005_enterprise).
CATEGORY_OF_KIND: dict[HazardKind, tuple[EnterpriseCategory, str]] = {
    HazardKind.hazchem_storage: (C.hazardous_goods, "危险化学品储存经营"),
    HazardKind.ammonia_refrigeration: (C.hazardous_goods, "涉氨制冷"),
    HazardKind.gas_station: (C.hazardous_goods, "成品油及燃气经营"),
    HazardKind.pipeline: (C.hazardous_goods, "燃气及油品管道输送"),
    HazardKind.fireworks_store: (C.hazardous_goods, "烟花爆竹经营储存"),
    HazardKind.mine: (C.mine, "非煤矿山"),
    HazardKind.construction_site: (C.construction, "建筑施工"),
    HazardKind.crowded_place: (C.crowded_place, "人员密集场所经营"),
    HazardKind.port_wharf: (C.other, "港口码头"),
    HazardKind.special_equipment: (C.other, "特种设备使用"),
}
CATEGORY_ORDER = (C.hazardous_goods, C.mine, C.construction, C.crowded_place, C.other)
DEPOT_OWNERS = {
    "雷州化工集中区企业应急物资库": "雷州恒通化工贸易有限公司",
    "雷州冷链企业联防应急物资库": "雷州南港冷链物流有限公司",
}


def _rng() -> random.Random:
    return random.Random(ENTERPRISE_SEED)  # noqa: S311  (reproducible demo data, nothing secret)


def _credit_code(rng: random.Random, name: str) -> str:
    # 12: public institutions (事业单位), 92: sole traders (个体工商户), 91: companies.
    if name.endswith(("管理处", "管理站", "中心", "办公室")):
        head = "12"
    elif name.endswith(("经营部", "零售店", "石场", "工程队", "农资站")):
        head = "92"
    else:
        head = "91"
    body = head + LEIZHOU_DIVISION + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def enterprises() -> list[Enterprise]:
    """One enterprise per distinct enterprise name of the hazard roster, in roster order."""
    rng = _rng()
    found: dict[str, Enterprise] = {}
    for spec in hazards_data.ROSTER:
        category, sector = CATEGORY_OF_KIND[spec.kind]
        row = found.get(spec.enterprise)
        if row is None:
            found[spec.enterprise] = row = Enterprise(
                name=spec.enterprise,
                credit_code=_credit_code(rng, spec.enterprise),
                jurisdiction=spec.jurisdiction,
                sector=sector,
                category=category,
                large_scale=False,
                contact_person=rng.choice(hazards_data.SURNAMES) + rng.choice(hazards_data.GIVEN_NAMES),
                contact_phone=f"0759-86{rng.randrange(100_000):05d}",
            )
        elif CATEGORY_ORDER.index(category) < CATEGORY_ORDER.index(row.category):
            row.category, row.sector = category, sector
        # Decree 708 art. 14: large hazardous-goods units (here: those with a red source) keep 24-hour duty.
        if spec.risk == "red" and row.category is C.hazardous_goods and not row.large_scale:
            row.large_scale = True
            row.duty_phone = f"0759-83{rng.randrange(100_000):05d}"
    return list(found.values())


def own_templates(plans: list[EmergencyPlan]) -> None:
    """The per-kind plans of hazards_data are the city bureau's own special plans."""
    for plan in plans:
        plan.owner_body = CITY_BUREAU
        plan.edition = "2024版"
        plan.issued_on = date(2024, 3, 1)


def link(hazards: list[HazardSource], depots: list[Depot], rows: list[Enterprise], today: date) -> None:
    """Hazard sources and enterprise depots to their enterprise (ids needed); each source's last risk assessment."""
    rng = _rng()
    by_name = {e.name: e for e in rows}
    for source in hazards:
        source.enterprise_id = by_name[source.enterprise].id
        # About one in six is past the three-year cycle (seed §19).
        source.last_risk_assessment_on = today - timedelta(days=rng.randint(60, 1_300))
    for depot in depots:
        owner = DEPOT_OWNERS.get(depot.name)
        depot.enterprise_id = by_name[owner].id if owner else None


def plans(rows: list[Enterprise], templates: list[EmergencyPlan], today: date) -> dict[int, EmergencyPlan]:
    """Each high-risk unit's own plan, by enterprise id (ids needed): some unfiled, some past evaluation."""
    rng = _rng()
    template_for = {k: p for p, spec in zip(templates, hazards_data.PLANS, strict=True) for k in spec.hazard_kinds}
    kind_of = {spec.enterprise: spec.kind for spec in reversed(hazards_data.ROSTER)}
    out: dict[int, EmergencyPlan] = {}
    for e in rows:
        if e.category is C.other:
            continue
        template = template_for[kind_of[e.name]]
        issued = today - timedelta(days=rng.randint(45, 1_400))
        due_evaluation = issued + timedelta(days=1_095)
        out[e.id] = EmergencyPlan(
            title=f"{e.name}生产安全事故应急预案",
            hazard_kinds=list(template.hazard_kinds),
            incident_types=list(template.incident_types),
            required_capabilities=dict(template.required_capabilities),
            required_supplies=dict(template.required_supplies),
            owner_enterprise_id=e.id,
            edition=f"{issued.year}版",
            issued_on=issued,
            # One in eight never filed; about half of those older than three years never evaluated.
            filed_on=None if rng.random() < 0.125 else issued + timedelta(days=rng.randint(5, 25)),
            evaluated_on=due_evaluation - timedelta(days=20) if due_evaluation < today and rng.random() < 0.5 else None,
        )
    return out


def drills(rows: list[Enterprise], plan_of: dict[int, EmergencyPlan], today: date) -> list[EnterpriseDrill]:
    """Every unit's last reported drill (plans need ids): about one in eight never drilled, one in five late."""
    rng = random.Random(ENTERPRISE_SEED + 1)  # noqa: S311
    out: list[EnterpriseDrill] = []
    for e in rows:
        months = 12 if e.category is C.other else 6
        roll = rng.random()
        if roll < 0.12:
            continue
        late = roll < 0.35
        days_ago = rng.randint(months * 31 + 5, months * 31 + 120) if late else rng.randint(5, months * 30 - 40)
        held = today - timedelta(days=days_ago)
        plan = plan_of.get(e.id)
        out.append(
            EnterpriseDrill(
                enterprise_id=e.id,
                held_on=held,
                form=DrillForm.live if rng.random() < 0.6 else DrillForm.tabletop,
                scope=DrillScope.on_site,
                plan_id=plan.id if plan else None,
                summary=f"{e.name}现场处置方案演练（演示数据）",
                findings="通讯联络与疏散引导衔接需加强" if rng.random() < 0.5 else None,
                reported_on=held + timedelta(days=rng.randint(1, 4)),
                recorded_by=ACTOR,
            )
        )
    return out
