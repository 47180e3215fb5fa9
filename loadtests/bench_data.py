"""Synthetic Leizhou resource library for the benchmark, generated from a fixed seed.

Coordinates are synthetic points in the bounding box of DESIGN §4, not real
locations. The vocabularies are copied here on purpose: this package is an
HTTP client and imports no server package (DESIGN §2); a renamed value shows
up as 422s in the load step, not as a silent mismatch.
"""

import csv
import io
import random
import uuid
from typing import Any

LAT_RANGE = (20.45, 21.15)
LON_RANGE = (109.70, 110.35)

# (code, 中文名, English name, kind): Leizhou's towns and streets, and the neighbours for mutual aid.
JURISDICTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("leicheng", "雷城街道", "Leicheng Street", "street"),
    ("xincheng", "新城街道", "Xincheng Street", "street"),
    ("xihu", "西湖街道", "Xihu Street", "street"),
    ("fucheng", "附城镇", "Fucheng Town", "town"),
    ("baisha", "白沙镇", "Baisha Town", "town"),
    ("shentang", "沈塘镇", "Shentang Town", "town"),
    ("kelu", "客路镇", "Kelu Town", "town"),
    ("yangjia", "杨家镇", "Yangjia Town", "town"),
    ("tangjia", "唐家镇", "Tangjia Town", "town"),
    ("qishui", "企水镇", "Qishui Town", "town"),
    ("jijia", "纪家镇", "Jijia Town", "town"),
    ("songzhu", "松竹镇", "Songzhu Town", "town"),
    ("nanxing", "南兴镇", "Nanxing Town", "town"),
    ("leigao", "雷高镇", "Leigao Town", "town"),
    ("dongli", "东里镇", "Dongli Town", "town"),
    ("tiaofeng", "调风镇", "Tiaofeng Town", "town"),
    ("longmen", "龙门镇", "Longmen Town", "town"),
    ("yingli", "英利镇", "Yingli Town", "town"),
    ("beihe", "北和镇", "Beihe Town", "town"),
    ("wushi", "乌石镇", "Wushi Town", "town"),
    ("qindou", "覃斗镇", "Qindou Town", "town"),
    ("suixi", "遂溪县", "Suixi County", "neighbor"),
    ("xuwen", "徐闻县", "Xuwen County", "neighbor"),
    ("mazhang", "麻章区", "Mazhang District", "neighbor"),
)
NEIGHBOURS = frozenset(code for code, _, _, kind in JURISDICTIONS if kind == "neighbor")
NEIGHBOUR_TEAM_SHARE = 0.05  # mutual-aid teams: listed by recommendations, not dispatchable without a request

# Team kind → the capabilities such a team plausibly holds (a team gets 1–4 of them).
KIND_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "fire_rescue": ("fire_suppression", "search_rescue", "rope_rescue", "vehicle_extrication", "hazmat"),
    "enterprise_fulltime": ("fire_suppression", "hazmat", "decontamination", "gas_repair"),
    "social": ("search_rescue", "water_rescue", "boat", "medical", "logistics", "crowd_control"),
    "medical": ("medical", "logistics"),
    "hazmat": ("hazmat", "decontamination", "fire_suppression", "explosive_handling"),
    "mine_rescue": ("mine_rescue", "structural_collapse", "rope_rescue", "medical"),
    "water_rescue": ("water_rescue", "boat", "diving", "flood_pumping"),
    "utility": ("power_repair", "gas_repair", "elevator_rescue", "heavy_equipment"),
    "militia": ("search_rescue", "flood_pumping", "crowd_control", "logistics", "heavy_equipment"),
}
INCIDENT_TYPES = (
    "fire",
    "road_traffic",
    "construction_collapse",
    "hazchem_leak",
    "mine",
    "water_rescue",
    "ammonia_leak",
    "fireworks_explosion",
    "gas_pipeline",
    "special_equipment",
    "crowd_crush",
    "typhoon_flood",
    "landslide",
    "other",
)
SUPPLY_CATEGORIES = (
    ("sandbags", "编织袋 sandbags", "bag"),
    ("life_jackets", "救生衣 life jackets", "piece"),
    ("pumps", "排涝泵 pumps", "set"),
    ("generators", "发电机 generators", "set"),
    ("tents", "帐篷 tents", "piece"),
    ("absorbent", "吸附棉 absorbent", "kg"),
    ("breathing_apparatus", "空气呼吸器 breathing apparatus", "set"),
    ("medical_kits", "急救包 medical kits", "kit"),
)
# What an emergency plan for a chemical leak asks of the depots: the supply half of a recommendation.
LEAK_SUPPLIES = {"absorbent": 200, "breathing_apparatus": 20, "pumps": 4}
SUPPLY_CSV_COLUMNS = ("id", "depot_id", "category", "name", "unit", "quantity_on_hand", "quantity_reserved",
                      "min_reserve", "expires_on")  # fmt: skip
TEAM_CSV_COLUMNS = ("name", "kind", "capabilities", "personnel", "home_jurisdiction", "base_lat", "base_lon")


def point(rng: random.Random) -> tuple[float, float]:
    return round(rng.uniform(*LAT_RANGE), 5), round(rng.uniform(*LON_RANGE), 5)


def jurisdiction_payloads(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for code, zh, en, kind in JURISDICTIONS:
        lat, lon = point(rng)
        out.append({"code": code, "name_zh": zh, "name_en": en, "kind": kind, "center_lat": lat, "center_lon": lon})
    return out


def depot_payloads(n: int, rng: random.Random) -> list[dict[str, Any]]:
    home = [code for code, *_ in JURISDICTIONS if code not in NEIGHBOURS]
    out = []
    for i in range(1, n + 1):
        lat, lon = point(rng)
        operator = "gov" if rng.random() < 0.7 else "enterprise"
        out.append({"name": f"储备库 depot {i:05d}", "jurisdiction": rng.choice(home), "lat": lat, "lon": lon,
                    "operator": operator})  # fmt: skip
    return out


def supply_csv(depot_ids: list[int], per_depot: int, rng: random.Random) -> bytes:
    """One sheet (the supply import's columns) with `per_depot` items of different categories in each depot."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SUPPLY_CSV_COLUMNS)
    for depot_id in depot_ids:
        for category, name, unit in rng.sample(SUPPLY_CATEGORIES, per_depot):
            on_hand = rng.randint(0, 500)
            writer.writerow(("", depot_id, category, name, unit, on_hand, "", rng.randint(0, 100), ""))
    return buf.getvalue().encode("utf-8")


def team_csv(n: int, rng: random.Random) -> bytes:
    """One roster of `n` teams; a few belong to neighbouring counties (mutual aid)."""
    home = [code for code, *_ in JURISDICTIONS if code not in NEIGHBOURS]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TEAM_CSV_COLUMNS)
    kinds = list(KIND_CAPABILITIES)
    for i in range(1, n + 1):
        kind = rng.choice(kinds)
        pool = KIND_CAPABILITIES[kind]
        caps = rng.sample(pool, rng.randint(1, min(4, len(pool))))
        jurisdiction = rng.choice(sorted(NEIGHBOURS)) if rng.random() < NEIGHBOUR_TEAM_SHARE else rng.choice(home)
        lat, lon = point(rng)
        writer.writerow((f"队{i:05d}", kind, ";".join(caps), rng.randint(4, 60), jurisdiction, lat, lon))
    return buf.getvalue().encode("utf-8")


def incident_payload(rng: random.Random, seq: int) -> dict[str, Any]:
    """A report as the intake desk would send it; casualties are rare, so most grade `ordinary`."""
    lat, lon = point(rng)
    kind = rng.choice(INCIDENT_TYPES)
    hurt = rng.random() < 0.1
    return {
        "title": f"bench {kind} #{seq}",
        "type": kind,
        "lat": lat,
        "lon": lon,
        "address": "synthetic location",
        "deaths": rng.randint(0, 4) if hurt else 0,
        "serious_injuries": rng.randint(0, 12) if hurt else 0,
    }


def idempotency_key() -> str:
    return uuid.uuid4().hex
