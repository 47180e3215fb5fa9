"""Vocabularies of enterprise responsibilities (seed §12); values are the wire format.

Kept beside `resources_db.enums` rather than in it: they belong to one domain
(enterprises, their plans on record and their drills).
"""

from enum import StrEnum


class EnterpriseCategory(StrEnum):
    """Decree 708 (2019) art. 8 para. 2 lists the high-risk categories; `other` is every other unit."""

    hazardous_goods = "hazardous_goods"  # 易燃易爆物品、危险化学品等危险物品的生产、经营、储存、运输单位
    mine = "mine"
    metal_smelting = "metal_smelting"
    urban_rail = "urban_rail"
    construction = "construction"
    crowded_place = "crowded_place"  # 宾馆、商场、娱乐场所、旅游景区等人员密集场所经营单位
    other = "other"


class DrillForm(StrEnum):
    tabletop = "tabletop"  # 桌面推演
    live = "live"  # 实战演练


class DrillScope(StrEnum):
    """Ministry Order 2 (2019) art. 33: comprehensive or special plans yearly, on-site schemes half-yearly."""

    comprehensive = "comprehensive"  # 综合应急预案
    special = "special"  # 专项应急预案
    on_site = "on_site"  # 现场处置方案


class RevisionTrigger(StrEnum):
    """Decree 708 (2019) art. 6: what obliges a unit to revise its plan."""

    law_changed = "law_changed"  # 法律、法规、规章、标准、上级预案中的有关规定发生变化
    command_changed = "command_changed"  # 应急指挥机构及其职责发生调整
    risk_changed = "risk_changed"  # 安全生产面临的风险发生重大变化
    resources_changed = "resources_changed"  # 重要应急资源发生重大变化
    drill_or_rescue_lesson = "drill_or_rescue_lesson"  # 在预案演练或者应急救援中发现需要修订预案的重大问题
    other = "other"  # 其他应当修订的情形
