"""Demo jurisdictions and depots.

SYNTHETIC COORDINATES: every point here is made up for the demo. They sit
inside the box lat 20.45–21.15, lon 109.70–110.35 and only roughly follow
the layout of the Leizhou peninsula; they are not surveyed locations.
"""

from typing import Final, NamedTuple

from resources_db.enums import DepotOperator, JurisdictionKind

LAT_MIN: Final = 20.45
LAT_MAX: Final = 21.15
LON_MIN: Final = 109.70
LON_MAX: Final = 110.35


class Place(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    kind: JurisdictionKind
    lat: float  # synthetic
    lon: float  # synthetic


_C, _S, _T, _N = JurisdictionKind.city, JurisdictionKind.street, JurisdictionKind.town, JurisdictionKind.neighbor

# All centres are synthetic demo points (see the module docstring).
JURISDICTIONS: Final[tuple[Place, ...]] = (
    Place("leizhou", "雷州市", "Leizhou City", _C, 20.910, 110.090),
    Place("leicheng", "雷城街道", "Leicheng Street", _S, 20.914, 110.085),
    Place("xincheng", "新城街道", "Xincheng Street", _S, 20.900, 110.110),
    Place("xihu", "西湖街道", "Xihu Street", _S, 20.930, 110.060),
    Place("fucheng", "附城镇", "Fucheng Town", _T, 20.880, 110.050),
    Place("baisha", "白沙镇", "Baisha Town", _T, 20.950, 110.160),
    Place("shentang", "沈塘镇", "Shentang Town", _T, 20.850, 110.130),
    Place("kelu", "客路镇", "Kelu Town", _T, 21.050, 110.100),
    Place("yangjia", "杨家镇", "Yangjia Town", _T, 21.000, 110.000),
    Place("tangjia", "唐家镇", "Tangjia Town", _T, 20.980, 109.840),
    Place("qishui", "企水镇", "Qishui Town", _T, 20.850, 109.780),
    Place("jijia", "纪家镇", "Jijia Town", _T, 20.740, 109.900),
    Place("songzhu", "松竹镇", "Songzhu Town", _T, 20.820, 109.960),
    Place("nanxing", "南兴镇", "Nanxing Town", _T, 20.830, 110.200),
    Place("leigao", "雷高镇", "Leigao Town", _T, 20.740, 110.220),
    Place("dongli", "东里镇", "Dongli Town", _T, 20.700, 110.300),
    Place("tiaofeng", "调风镇", "Tiaofeng Town", _T, 20.620, 110.200),
    Place("longmen", "龙门镇", "Longmen Town", _T, 20.630, 109.980),
    Place("yingli", "英利镇", "Yingli Town", _T, 20.550, 110.050),
    Place("beihe", "北和镇", "Beihe Town", _T, 20.800, 109.800),
    Place("wushi", "乌石镇", "Wushi Town", _T, 20.530, 109.850),
    Place("qindou", "覃斗镇", "Qindou Town", _T, 20.610, 109.890),
    # Neighbours are placed just inside the demo box, not at their real seats.
    Place("suixi", "遂溪县", "Suixi County", _N, 21.120, 110.150),
    Place("xuwen", "徐闻县", "Xuwen County", _N, 20.470, 110.150),
    Place("mazhang", "麻章区", "Mazhang District", _N, 21.100, 110.300),
)

CENTRES: Final[dict[str, tuple[float, float]]] = {p.code: (p.lat, p.lon) for p in JURISDICTIONS}


class DepotSpec(NamedTuple):
    name: str
    jurisdiction: str
    operator: DepotOperator
    profile: str  # a key of supplies_data.PROFILES


_GOV, _ENT = DepotOperator.gov, DepotOperator.enterprise

# Depot positions are derived from the (synthetic) jurisdiction centre plus a seeded offset.
DEPOTS: Final[tuple[DepotSpec, ...]] = (
    DepotSpec("雷州市应急物资储备库", "leicheng", _GOV, "general"),
    DepotSpec("雷州市防汛物资仓库", "xihu", _GOV, "general"),
    DepotSpec("雷州市三防物资储备库白沙分库", "baisha", _GOV, "general"),
    DepotSpec("客路镇应急物资储备点", "kelu", _GOV, "general"),
    DepotSpec("龙门镇应急物资储备点", "longmen", _GOV, "general"),
    DepotSpec("遂溪县应急物资储备库", "suixi", _GOV, "general"),
    DepotSpec("乌石镇海上救援物资库", "wushi", _GOV, "flood"),
    DepotSpec("企水镇防风物资储备点", "qishui", _GOV, "flood"),
    DepotSpec("东里镇防汛物资储备点", "dongli", _GOV, "flood"),
    DepotSpec("徐闻县防汛物资储备库", "xuwen", _GOV, "flood"),
    DepotSpec("雷州化工集中区企业应急物资库", "fucheng", _ENT, "hazchem"),
    DepotSpec("雷州冷链企业联防应急物资库", "leicheng", _ENT, "hazchem"),
)
