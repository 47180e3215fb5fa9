"""Demo hazard sources (风险点) and emergency plans (预案).

Enterprises and people are fictional. Positions are SYNTHETIC: either the
fixed demo point given here or the jurisdiction's synthetic centre plus a
seeded offset; all inside lat 20.45–21.15, lon 109.70–110.35.
"""

from typing import Final, NamedTuple

from resources_db.enums import HazardKind as H
from resources_db.enums import IncidentType as IT
from resources_db.enums import RiskLevel as R


class PlanSpec(NamedTuple):
    title: str
    hazard_kinds: tuple[H, ...]
    incident_types: tuple[IT, ...]
    required_capabilities: dict[str, int]
    required_supplies: dict[str, int]


PLANS: Final[tuple[PlanSpec, ...]] = (
    PlanSpec(
        "液氨制冷企业氨泄漏事故应急预案",
        (H.ammonia_refrigeration,),
        (IT.ammonia_leak, IT.hazchem_leak),
        {"hazmat": 2, "decontamination": 1, "medical": 1},
        {"breathing_apparatus": 20, "protective_suits": 10, "medical_kits": 20},
    ),
    PlanSpec(
        "危险化学品储存泄漏事故应急预案",
        (H.hazchem_storage,),
        (IT.hazchem_leak, IT.fire),
        {"hazmat": 2, "fire_suppression": 2, "decontamination": 1, "medical": 1},
        {"absorbent": 500, "neutralizer": 200, "breathing_apparatus": 20, "protective_suits": 10},
    ),
    PlanSpec(
        "加油加气站火灾爆炸事故应急预案",
        (H.gas_station,),
        (IT.fire, IT.hazchem_leak),
        {"fire_suppression": 2, "medical": 1},
        {"fire_extinguishers": 30, "absorbent": 100},
    ),
    PlanSpec(
        "烟花爆竹仓储事故应急预案",
        (H.fireworks_store,),
        (IT.fireworks_explosion, IT.fire),
        {"fire_suppression": 2, "explosive_handling": 1, "medical": 2},
        {"fire_extinguishers": 40, "medical_kits": 30},
    ),
    PlanSpec(
        "非煤矿山（采石场）事故应急预案",
        (H.mine,),
        (IT.mine, IT.landslide),
        {"mine_rescue": 2, "rope_rescue": 1, "medical": 1},
        {"medical_kits": 20, "generators": 2},
    ),
    PlanSpec(
        "燃气及成品油管道事故应急预案",
        (H.pipeline,),
        (IT.gas_pipeline, IT.fire),
        {"gas_repair": 1, "fire_suppression": 1, "crowd_control": 1},
        {"fire_extinguishers": 20, "absorbent": 200},
    ),
    PlanSpec(
        "人员密集场所踩踏事故应急预案",
        (H.crowded_place,),
        (IT.crowd_crush,),
        {"crowd_control": 2, "medical": 2},
        {"medical_kits": 50},
    ),
    PlanSpec(
        "建筑施工坍塌事故应急预案",
        (H.construction_site,),
        (IT.construction_collapse,),
        {"structural_collapse": 1, "heavy_equipment": 1, "medical": 1},
        {"medical_kits": 20, "generators": 2, "flashlights": 20},
    ),
    PlanSpec(
        "渔港码头及渔船事故应急预案",
        (H.port_wharf,),
        (IT.water_rescue, IT.fire),
        {"water_rescue": 2, "boat": 2, "diving": 1, "medical": 1},
        {"life_jackets": 50, "lifebuoys": 20, "rubber_boats": 2},
    ),
    PlanSpec(
        "特种设备事故应急预案",
        (H.special_equipment,),
        (IT.special_equipment,),
        {"elevator_rescue": 1, "medical": 1},
        {"medical_kits": 10},
    ),
)

# Sources of these levels get the plan for their kind; blue (低风险) sources have none on file.
PLANNED_LEVELS: Final = (R.red, R.orange, R.yellow)


class HazardSpec(NamedTuple):
    name: str
    kind: H
    risk: R
    jurisdiction: str
    enterprise: str
    at: tuple[float, float] | None = None  # fixed synthetic point; None: near the jurisdiction centre


ROSTER: Final[tuple[HazardSpec, ...]] = (
    # Ammonia refrigeration cold stores (the seeded red one sits in Leicheng, by the city centre).
    HazardSpec(
        "南港冷链物流中心液氨冷库",
        H.ammonia_refrigeration,
        R.red,
        "leicheng",
        "雷州南港冷链物流有限公司",
        (20.915, 110.095),
    ),
    HazardSpec("新城水产冷冻厂液氨制冷车间", H.ammonia_refrigeration, R.orange, "xincheng", "雷州新城水产冷冻有限公司"),
    HazardSpec("企水渔港冷冻厂", H.ammonia_refrigeration, R.orange, "qishui", "雷州企水海丰冷冻有限公司"),
    HazardSpec("乌石渔港制冰冷库", H.ammonia_refrigeration, R.yellow, "wushi", "雷州乌石制冰有限公司"),
    HazardSpec("客路果蔬保鲜冷库", H.ammonia_refrigeration, R.yellow, "kelu", "雷州客路农产品冷链有限公司"),
    HazardSpec("东里水产品冷库", H.ammonia_refrigeration, R.blue, "dongli", "雷州东里水产有限公司"),
    # Hazardous chemicals storage, the larger ones near the city centre.
    HazardSpec("城北液氯储罐区", H.hazchem_storage, R.red, "xincheng", "雷州华盛化工有限公司", (20.905, 110.100)),
    HazardSpec(
        "雷城危险化学品中转仓库", H.hazchem_storage, R.red, "leicheng", "雷州安达危化品储运有限公司", (20.920, 110.080)
    ),
    HazardSpec(
        "附城化工原料仓库", H.hazchem_storage, R.orange, "fucheng", "雷州恒通化工贸易有限公司", (20.895, 110.070)
    ),
    HazardSpec("西湖油漆溶剂仓库", H.hazchem_storage, R.orange, "xihu", "雷州彩虹涂料经营部"),
    HazardSpec("白沙农药经营仓库", H.hazchem_storage, R.yellow, "baisha", "雷州丰收农资有限公司"),
    HazardSpec("沈塘化肥仓库", H.hazchem_storage, R.blue, "shentang", "雷州沈塘农资站"),
    HazardSpec("遂溪化工仓储基地", H.hazchem_storage, R.orange, "suixi", "遂溪东方化工仓储有限公司"),
    # Fuel and gas stations.
    HazardSpec("雷州大道加油站", H.gas_station, R.yellow, "leicheng", "雷州城南石油有限公司"),
    HazardSpec("新城LNG加气站", H.gas_station, R.orange, "xincheng", "雷州清能燃气有限公司"),
    HazardSpec("客路加油站", H.gas_station, R.yellow, "kelu", "雷州客路石油经营部"),
    HazardSpec("龙门加油站", H.gas_station, R.blue, "longmen", "雷州龙门石油经营部"),
    HazardSpec("英利加油站", H.gas_station, R.blue, "yingli", "雷州英利石油经营部"),
    HazardSpec("北和加油站", H.gas_station, R.yellow, "beihe", "雷州北和石油经营部"),
    HazardSpec("调风加油站", H.gas_station, R.blue, "tiaofeng", "雷州调风石油经营部"),
    # Fireworks.
    HazardSpec("雷高烟花爆竹仓库", H.fireworks_store, R.red, "leigao", "雷州瑞祥烟花爆竹有限公司"),
    HazardSpec("附城烟花爆竹批发仓库", H.fireworks_store, R.orange, "fucheng", "雷州喜庆烟花爆竹批发部"),
    HazardSpec("南兴烟花爆竹仓库", H.fireworks_store, R.orange, "nanxing", "雷州南兴烟花爆竹经营部"),
    HazardSpec("杨家烟花爆竹零售点", H.fireworks_store, R.yellow, "yangjia", "雷州杨家烟花爆竹零售店"),
    # Quarries.
    HazardSpec("英利玄武岩采石场", H.mine, R.orange, "yingli", "雷州英利石材开采有限公司"),
    HazardSpec("杨家建筑石料矿", H.mine, R.orange, "yangjia", "雷州杨家矿业有限公司"),
    HazardSpec("龙门采石场", H.mine, R.yellow, "longmen", "雷州龙门石场"),
    HazardSpec("纪家取土场", H.mine, R.blue, "jijia", "雷州纪家土石方工程队"),
    # Pipelines.
    HazardSpec("城区天然气高压管道", H.pipeline, R.orange, "leicheng", "雷州清能燃气有限公司"),
    HazardSpec("成品油管道白沙段", H.pipeline, R.orange, "baisha", "粤西成品油管道有限公司"),
    HazardSpec("客路燃气门站", H.pipeline, R.yellow, "kelu", "雷州清能燃气有限公司"),
    HazardSpec("新城中压燃气管网", H.pipeline, R.yellow, "xincheng", "雷州清能燃气有限公司"),
    # Crowded places.
    HazardSpec("雷城步行街商圈", H.crowded_place, R.orange, "leicheng", "雷城街道商圈管理办公室"),
    HazardSpec("西湖公园", H.crowded_place, R.yellow, "xihu", "雷州西湖公园管理处"),
    HazardSpec("雷州市体育馆", H.crowded_place, R.yellow, "xincheng", "雷州市体育运动中心"),
    HazardSpec("雷州汽车客运站", H.crowded_place, R.yellow, "xincheng", "雷州汽车运输有限公司"),
    HazardSpec("古城景区", H.crowded_place, R.blue, "leicheng", "雷州古城旅游管理有限公司"),
    # Construction sites.
    HazardSpec("城区在建高层住宅工地", H.construction_site, R.yellow, "xincheng", "雷州宏建建设工程有限公司"),
    HazardSpec("雷州大道高架施工段", H.construction_site, R.orange, "xihu", "粤西路桥建设有限公司"),
    HazardSpec("客路安置房工地", H.construction_site, R.blue, "kelu", "雷州安居建设有限公司"),
    HazardSpec("南兴水闸除险加固工程", H.construction_site, R.yellow, "nanxing", "雷州水利工程有限公司"),
    # Ports and wharves.
    HazardSpec("乌石港渔船码头", H.port_wharf, R.orange, "wushi", "雷州乌石港务有限公司"),
    HazardSpec("企水渔港", H.port_wharf, R.orange, "qishui", "雷州企水渔港管理站"),
    HazardSpec("覃斗渔港", H.port_wharf, R.yellow, "qindou", "雷州覃斗渔港管理站"),
    HazardSpec("东里渔港码头", H.port_wharf, R.yellow, "dongli", "雷州东里渔港管理站"),
    # Special equipment.
    HazardSpec("城区商场观光电梯", H.special_equipment, R.blue, "leicheng", "雷州天汇商业管理有限公司"),
    HazardSpec("西湖公园大型游乐设施", H.special_equipment, R.yellow, "xihu", "雷州欢乐游乐设备有限公司"),
    HazardSpec("新城水产厂压力容器", H.special_equipment, R.yellow, "xincheng", "雷州新城水产冷冻有限公司"),
    HazardSpec("乌石港门座起重机", H.special_equipment, R.blue, "wushi", "雷州乌石港务有限公司"),
)

# Fictional responsible persons are drawn from these with a seeded generator.
SURNAMES: Final = ("陈", "林", "黄", "李", "吴", "王", "梁", "莫", "邓", "蔡", "许", "何", "杨", "庞", "符")
GIVEN_NAMES: Final = ("建华", "志强", "海波", "秀梅", "国庆", "丽娟", "文军", "少华", "德明", "小燕", "永康", "振东")
