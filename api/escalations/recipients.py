"""Who receives each step of the chain (生产安全事故报告和调查处理条例 art. 10), as data.

A step named by its level is the report that level's work-safety department
receives (the county's from the unit, art. 9; each higher one from the level
below, art. 11). Art. 10 sends it to the department one level up "and at the
same time reports to the people's government at that level", and the
department notifies the police, the labour department, the trade union and
the procuratorate. Since 2018 the work-safety departments are the emergency
management bureaus; Leizhou is the county-level city of Zhanjiang, Guangdong.
"""

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from resources_db.enums import EscalationLevel

L = EscalationLevel


@dataclass(frozen=True, slots=True)
class Body:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Recipients:
    report_to: Body
    government: Body
    notify: tuple[Body, ...]
    sender: Body


def _level(place_zh: str, place_en: str, *, ministry: bool = False, province: bool = False) -> tuple[Body, ...]:
    """(department, government, police, labour, trade union, procuratorate) of one administrative level."""
    if ministry:
        return (
            Body("应急管理部", "Ministry of Emergency Management"),
            Body("国务院", "the State Council"),
            Body("公安部", "Ministry of Public Security"),
            Body("人力资源和社会保障部", "Ministry of Human Resources and Social Security"),
            Body("中华全国总工会", "All-China Federation of Trade Unions"),
            Body("最高人民检察院", "Supreme People's Procuratorate"),
        )
    dept = "厅" if province else "局"
    dept_en = "Department" if province else "Bureau"
    return (
        Body(f"{place_zh}应急管理{dept}", f"{place_en} Emergency Management {dept_en}"),
        Body(f"{place_zh}人民政府", f"{place_en} People's Government"),
        Body(f"{place_zh}公安{dept}", f"{place_en} Public Security {dept_en}"),
        Body(f"{place_zh}人力资源和社会保障{dept}", f"{place_en} Human Resources and Social Security {dept_en}"),
        Body(f"{place_zh}总工会", f"{place_en} Federation of Trade Unions"),
        Body(f"{place_zh}人民检察院", f"{place_en} People's Procuratorate"),
    )


BODIES: Final = MappingProxyType(
    {
        L.county: _level("雷州市", "Leizhou"),
        L.city: _level("湛江市", "Zhanjiang"),
        L.province: _level("广东省", "Guangdong Provincial", province=True),
        L.national: _level("", "", ministry=True),
    }
)
LEVELS: Final = tuple(EscalationLevel)
UNIT: Final = Body("事故发生单位", "the unit where the accident happened")


def for_level(level: EscalationLevel) -> Recipients:
    """Recipients of the report that `level` receives, and who sends it (the level below, or the unit)."""
    dept, government, *notify = BODIES[level]
    i = LEVELS.index(level)
    sender = UNIT if i == 0 else BODIES[LEVELS[i - 1]][0]
    return Recipients(report_to=dept, government=government, notify=tuple(notify), sender=sender)
