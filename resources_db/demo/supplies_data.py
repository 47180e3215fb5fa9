"""Demo supply catalogue: what a depot of each profile stocks, in which unit and how much."""

from typing import Final, NamedTuple


class SupplySpec(NamedTuple):
    category: str
    name: str
    unit: str
    low: int  # quantity range of a normally stocked depot
    high: int
    min_reserve: int
    shelf_life_days: int | None  # None: does not expire


CATALOGUE: Final[dict[str, SupplySpec]] = {
    s.category: s
    for s in (
        SupplySpec("sandbags", "编织沙袋", "bag", 3000, 12000, 3000, None),
        SupplySpec("life_jackets", "救生衣", "piece", 150, 600, 150, 1825),
        SupplySpec("lifebuoys", "救生圈", "piece", 40, 200, 40, None),
        SupplySpec("rubber_boats", "冲锋舟/橡皮艇", "boat", 2, 12, 2, None),
        SupplySpec("pumps", "移动排涝泵", "set", 6, 30, 6, None),
        SupplySpec("generators", "柴油发电机组", "set", 4, 20, 4, None),
        SupplySpec("tents", "救灾帐篷", "tent", 50, 300, 50, None),
        SupplySpec("blankets", "棉被", "piece", 200, 1500, 200, None),
        SupplySpec("flashlights", "强光手电", "piece", 50, 300, 50, None),
        SupplySpec("drinking_water", "瓶装饮用水", "case", 200, 900, 200, 365),
        SupplySpec("instant_food", "方便食品", "case", 150, 700, 150, 270),
        SupplySpec("medical_kits", "急救包", "kit", 100, 500, 100, 1095),
        SupplySpec("absorbent", "吸附棉", "kg", 200, 1200, 200, None),
        SupplySpec("breathing_apparatus", "正压式空气呼吸器", "set", 20, 80, 20, None),
        SupplySpec("protective_suits", "重型防化服", "set", 10, 60, 10, 1825),
        SupplySpec("neutralizer", "酸碱中和剂", "kg", 100, 800, 100, 730),
        SupplySpec("fire_extinguishers", "干粉灭火器", "unit", 50, 400, 50, 1825),
    )
}

PROFILES: Final[dict[str, tuple[str, ...]]] = {
    "general": tuple(CATALOGUE),
    "flood": (
        "sandbags",
        "life_jackets",
        "lifebuoys",
        "rubber_boats",
        "pumps",
        "generators",
        "tents",
        "blankets",
        "flashlights",
        "drinking_water",
        "instant_food",
        "medical_kits",
    ),
    "hazchem": (
        "absorbent",
        "breathing_apparatus",
        "protective_suits",
        "neutralizer",
        "fire_extinguishers",
        "medical_kits",
        "generators",
        "flashlights",
    ),
}

# How many items are deliberately short of their reserve, or about to expire, so the board has work to show.
LOW_STOCK_ITEMS: Final = 14
EXPIRING_ITEMS: Final = 14
EXPIRING_WITHIN_DAYS: Final = 30
