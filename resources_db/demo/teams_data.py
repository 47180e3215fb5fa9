"""Demo rescue teams: a roster of fictional teams with their core capabilities.

Names are invented for the demo. Bases are SYNTHETIC: the loader places each
team near its jurisdiction's synthetic centre (places.py) with a seeded offset.
"""

from typing import Final, NamedTuple

from resources_db.enums import Capability as C
from resources_db.enums import TeamKind as K


class TeamSpec(NamedTuple):
    name: str
    kind: K
    jurisdiction: str
    core: tuple[C, ...]
    out_of_service: bool = False


# Capabilities a team of the kind may also have; the loader adds a seeded few to the core ones.
OPTIONAL: Final[dict[K, tuple[C, ...]]] = {
    K.fire_rescue: (C.rope_rescue, C.structural_collapse, C.elevator_rescue, C.water_rescue, C.heavy_equipment),
    K.enterprise_fulltime: (C.decontamination, C.medical, C.search_rescue),
    K.social: (C.rope_rescue, C.medical, C.logistics, C.boat),
    K.medical: (C.logistics,),
    K.hazmat: (C.fire_suppression, C.medical),
    K.mine_rescue: (C.rope_rescue, C.structural_collapse, C.medical),
    K.water_rescue: (C.search_rescue, C.flood_pumping, C.diving),
    K.utility: (C.logistics,),
    K.militia: (C.search_rescue, C.heavy_equipment),
}

_FIRE = (C.fire_suppression, C.vehicle_extrication, C.search_rescue)
_MILITIA = (C.flood_pumping, C.logistics, C.crowd_control)

ROSTER: Final[tuple[TeamSpec, ...]] = (
    # Fire and rescue: city stations, town full-time brigades, neighbours for mutual aid.
    TeamSpec("雷州市消防救援大队雷城站", K.fire_rescue, "leicheng", (*_FIRE, C.rope_rescue)),
    TeamSpec(
        "雷州市消防救援大队新城特勤站",
        K.fire_rescue,
        "xincheng",
        (*_FIRE, C.hazmat, C.decontamination, C.rope_rescue, C.elevator_rescue),
    ),
    TeamSpec("雷州市消防救援大队西湖站", K.fire_rescue, "xihu", (*_FIRE, C.elevator_rescue)),
    TeamSpec("附城镇专职消防队", K.fire_rescue, "fucheng", _FIRE),
    TeamSpec("白沙镇专职消防队", K.fire_rescue, "baisha", _FIRE),
    TeamSpec("沈塘镇专职消防队", K.fire_rescue, "shentang", _FIRE),
    TeamSpec("客路镇专职消防队", K.fire_rescue, "kelu", _FIRE),
    TeamSpec("杨家镇专职消防队", K.fire_rescue, "yangjia", _FIRE),
    TeamSpec("企水镇专职消防队", K.fire_rescue, "qishui", _FIRE),
    TeamSpec("松竹镇专职消防队", K.fire_rescue, "songzhu", _FIRE),
    TeamSpec("南兴镇专职消防队", K.fire_rescue, "nanxing", _FIRE),
    TeamSpec("调风镇专职消防队", K.fire_rescue, "tiaofeng", _FIRE),
    TeamSpec("龙门镇专职消防队", K.fire_rescue, "longmen", _FIRE),
    TeamSpec("英利镇专职消防队", K.fire_rescue, "yingli", _FIRE),
    TeamSpec("乌石镇专职消防队", K.fire_rescue, "wushi", _FIRE, out_of_service=True),
    TeamSpec("遂溪县消防救援大队", K.fire_rescue, "suixi", (*_FIRE, C.structural_collapse)),
    TeamSpec("徐闻县消防救援大队", K.fire_rescue, "xuwen", (*_FIRE, C.rope_rescue)),
    TeamSpec("麻章区消防救援大队", K.fire_rescue, "mazhang", (*_FIRE, C.hazmat)),
    # Hazardous chemicals.
    TeamSpec("雷州市危化品应急救援队", K.hazmat, "leicheng", (C.hazmat, C.decontamination)),
    TeamSpec("雷州化工集中区危化处置队", K.hazmat, "xincheng", (C.hazmat, C.decontamination, C.explosive_handling)),
    TeamSpec("湛江危化品救援麻章中队", K.hazmat, "mazhang", (C.hazmat, C.decontamination)),
    TeamSpec("遂溪危化品应急处置队", K.hazmat, "suixi", (C.hazmat, C.decontamination)),
    # Enterprise full-time brigades.
    TeamSpec("雷州冷链冷库企业专职救援队", K.enterprise_fulltime, "leicheng", (C.fire_suppression, C.hazmat)),
    TeamSpec(
        "雷州化工集中区企业专职消防队",
        K.enterprise_fulltime,
        "fucheng",
        (C.fire_suppression, C.hazmat, C.decontamination),
    ),
    TeamSpec("乌石港务企业专职消防队", K.enterprise_fulltime, "wushi", (C.fire_suppression, C.boat)),
    TeamSpec("北和糖厂企业专职消防队", K.enterprise_fulltime, "beihe", (C.fire_suppression,)),
    TeamSpec("覃斗盐场企业专职救援队", K.enterprise_fulltime, "qindou", (C.fire_suppression, C.search_rescue)),
    TeamSpec("雷高烟花爆竹仓储企业专职队", K.enterprise_fulltime, "leigao", (C.fire_suppression, C.explosive_handling)),
    TeamSpec("雷州电梯维保企业应急救援队", K.enterprise_fulltime, "xincheng", (C.elevator_rescue,)),
    # Social (volunteer) rescue.
    TeamSpec("雷州蓝天救援队", K.social, "leicheng", (C.search_rescue, C.water_rescue, C.rope_rescue)),
    TeamSpec("雷州红十字救援队", K.social, "xihu", (C.search_rescue, C.medical)),
    TeamSpec("雷州志愿救援协会", K.social, "xincheng", (C.search_rescue, C.logistics)),
    TeamSpec("乌石海上义务救援队", K.social, "wushi", (C.water_rescue, C.boat)),
    TeamSpec("企水渔民互助救援队", K.social, "qishui", (C.water_rescue, C.boat)),
    TeamSpec("东里海岸志愿救援队", K.social, "dongli", (C.water_rescue, C.search_rescue)),
    TeamSpec("徐闻山海救援队", K.social, "xuwen", (C.search_rescue, C.rope_rescue)),
    TeamSpec("遂溪山地救援队", K.social, "suixi", (C.search_rescue, C.rope_rescue)),
    # Medical.
    TeamSpec("雷州市人民医院急救队", K.medical, "leicheng", (C.medical,)),
    TeamSpec("雷州市中医院急救队", K.medical, "xincheng", (C.medical,)),
    TeamSpec("雷州市急救中心西湖分站", K.medical, "xihu", (C.medical,)),
    TeamSpec("客路镇卫生院急救队", K.medical, "kelu", (C.medical,)),
    TeamSpec("龙门镇卫生院急救队", K.medical, "longmen", (C.medical,)),
    TeamSpec("麻章区人民医院急救队", K.medical, "mazhang", (C.medical,)),
    TeamSpec("徐闻县人民医院急救队", K.medical, "xuwen", (C.medical,)),
    # Mine rescue (quarries).
    TeamSpec("雷州矿山救护队", K.mine_rescue, "yangjia", (C.mine_rescue, C.rope_rescue)),
    TeamSpec("英利采石场矿山救护队", K.mine_rescue, "yingli", (C.mine_rescue,), out_of_service=True),
    TeamSpec("遂溪矿山救护中队", K.mine_rescue, "suixi", (C.mine_rescue, C.structural_collapse)),
    # Water rescue.
    TeamSpec("雷州海上搜救乌石站", K.water_rescue, "wushi", (C.water_rescue, C.boat, C.diving)),
    TeamSpec("企水港水上救援队", K.water_rescue, "qishui", (C.water_rescue, C.boat, C.diving)),
    TeamSpec("覃斗水上救援队", K.water_rescue, "qindou", (C.water_rescue, C.boat)),
    TeamSpec("东里水上救援队", K.water_rescue, "dongli", (C.water_rescue, C.boat)),
    TeamSpec("南渡河水上救援队", K.water_rescue, "baisha", (C.water_rescue, C.boat, C.diving)),
    TeamSpec("调风水上救援队", K.water_rescue, "tiaofeng", (C.water_rescue, C.boat), out_of_service=True),
    # Power and gas repair.
    TeamSpec("雷州供电抢修一队", K.utility, "leicheng", (C.power_repair,)),
    TeamSpec("雷州供电抢修二队", K.utility, "nanxing", (C.power_repair,)),
    TeamSpec("纪家供电抢修队", K.utility, "jijia", (C.power_repair,)),
    TeamSpec("徐闻供电抢修队", K.utility, "xuwen", (C.power_repair,)),
    TeamSpec("雷州燃气抢修队", K.utility, "xincheng", (C.gas_repair,)),
    TeamSpec("客路燃气抢修站", K.utility, "kelu", (C.gas_repair,)),
    # Militia.
    TeamSpec("雷州市民兵应急连", K.militia, "leicheng", _MILITIA),
    TeamSpec("雷州市民兵工兵排", K.militia, "fucheng", (C.heavy_equipment, C.structural_collapse, C.logistics)),
    TeamSpec("唐家镇民兵应急排", K.militia, "tangjia", _MILITIA),
    TeamSpec("纪家镇民兵应急排", K.militia, "jijia", _MILITIA),
    TeamSpec("松竹镇民兵应急排", K.militia, "songzhu", _MILITIA),
    TeamSpec("雷高镇民兵应急排", K.militia, "leigao", _MILITIA),
    TeamSpec("北和镇民兵应急排", K.militia, "beihe", _MILITIA),
    TeamSpec("东里镇民兵应急排", K.militia, "dongli", _MILITIA),
    TeamSpec("英利镇民兵应急排", K.militia, "yingli", _MILITIA),
)
