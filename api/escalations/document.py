"""The report of 生产安全事故报告和调查处理条例 art. 12, rendered from an incident's data. Pure.

Art. 12's six items: (1) an outline of the unit involved; (2) time, place and
the scene; (3) a brief account; (4) casualties caused or possibly caused,
the missing included, and the first estimate of direct loss; (5) measures
taken; (6) anything else to report. Art. 10 names the recipients
(api.escalations.recipients); art. 13 asks for a supplementary report of
what changed. The operator checks the draft and completes it (`completions`,
by item number); the document as filed is stored and never rendered again.
Times print in China Standard Time, the recipients' clock.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from api.cap.mapping import EVENT
from api.escalations.recipients import Body, for_level
from resources_db.enums import EscalationKind, EscalationLevel, IncidentType, Severity

CST = timezone(timedelta(hours=8), "CST")
SEVERITY_LABEL = {
    Severity.ordinary: ("一般事故", "ordinary accident"),
    Severity.major: ("较大事故", "major accident"),
    Severity.serious: ("重大事故", "serious accident"),
    Severity.especially_serious: ("特别重大事故", "especially serious accident"),
}
KIND_LABEL = {
    EscalationKind.report: ("事故快报", "Accident report"),
    EscalationKind.supplementary: ("事故补报", "Supplementary accident report"),
    EscalationKind.follow_up: ("事故续报", "Follow-up accident report"),
    EscalationKind.final: ("事故终报", "Final accident report"),
}
ITEM_TITLES = (
    ("事故发生单位概况", "Outline of the unit involved"),
    ("事故发生的时间、地点以及事故现场情况", "Time, place and the scene"),
    ("事故的简要经过", "Brief account"),
    (
        "已经造成或者可能造成的伤亡人数（包括下落不明的人数）和初步估计的直接经济损失",
        "Casualties caused or possibly caused (including the missing) and the first estimate of direct loss",
    ),
    ("已经采取的措施", "Measures taken"),
    ("其他应当报告的情况", "Anything else to report"),
)
# Figures a supplementary report compares (art. 13 casualty changes, with the loss and the grade they make).
FIGURES = ("deaths", "serious_injuries", "missing", "trapped", "at_risk", "evacuated", "direct_loss_cny", "severity")
FIGURE_LABEL = {
    "deaths": ("死亡", "dead"),
    "serious_injuries": ("重伤（含急性工业中毒）", "seriously injured (acute poisoning included)"),
    "missing": ("下落不明", "missing"),
    "trapped": ("被困", "trapped"),
    "at_risk": ("涉险", "at risk"),
    "evacuated": ("疏散转移", "evacuated"),
    "direct_loss_cny": ("直接经济损失（元）", "direct loss (CNY)"),
    "severity": ("事故等级", "grade"),
}
TO_COMPLETE = ("（待值班员核实补充）", "(to be checked and completed by the operator)")


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    enterprise: str
    responsible_person: str
    kind: str


@dataclass(frozen=True, slots=True)
class Measure:
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What the document says, gathered from the database by api.escalations.facts."""

    escalation_id: int
    level: EscalationLevel
    kind: EscalationKind
    sequence: int | None
    due_at: datetime
    incident_id: int
    title: str
    type: IncidentType
    occurred_at: datetime
    reported_at: datetime
    address: str | None
    lat: float
    lon: float
    jurisdiction_zh: str
    jurisdiction_en: str
    figures: dict[str, Any]
    near_miss: bool
    status: str
    drill_id: int | None
    unit: Unit | None
    measures: list[Measure] = field(default_factory=list)
    hazards_near: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _t(value: datetime) -> tuple[str, str]:
    local = value.astimezone(CST)
    return f"{local:%Y年%m月%d日%H时%M分}（北京时间）", f"{local:%Y-%m-%d %H:%M} China Standard Time"


def _body(b: Body) -> dict[str, str]:
    return {"zh": b.zh, "en": b.en}


def _figure(name: str, value: Any) -> tuple[str, str]:
    if name == "severity":
        zh, en = SEVERITY_LABEL[Severity(value)]
        return zh, en
    return (f"{value:,}", f"{value:,}") if name == "direct_loss_cny" else (str(value), str(value))


def _items(f: Facts) -> list[tuple[str, str]]:
    when_zh, when_en = _t(f.occurred_at)
    place = f.address or f"{f.lat:.5f}, {f.lon:.5f}"
    type_zh, type_en = EVENT[f.type]
    grade_zh, grade_en = SEVERITY_LABEL[Severity(f.figures["severity"])]
    if f.unit is None:
        unit = (
            f"事故发生单位未在风险源台账登记{TO_COMPLETE[0]}",
            f"The unit is not on the hazard register {TO_COMPLETE[1]}",
        )
    else:
        unit = (
            f"{f.unit.enterprise}（{f.unit.name}，类型 {f.unit.kind}），负责人 {f.unit.responsible_person}",
            f"{f.unit.enterprise} ({f.unit.name}, kind {f.unit.kind}), responsible person {f.unit.responsible_person}",
        )
    fig = f.figures
    casualties = (
        f"死亡 {fig['deaths']} 人，重伤（含急性工业中毒）{fig['serious_injuries']} 人，下落不明 {fig['missing']} 人，"
        f"被困 {fig['trapped']} 人，涉险 {fig['at_risk']} 人，疏散转移 {fig['evacuated']} 人；"
        f"初步估计直接经济损失 {fig['direct_loss_cny']:,} 元。按现有数字为{grade_zh}。",
        f"{fig['deaths']} dead, {fig['serious_injuries']} seriously injured (acute poisoning included), "
        f"{fig['missing']} missing, {fig['trapped']} trapped, {fig['at_risk']} at risk, {fig['evacuated']} evacuated; "
        f"first estimate of direct loss CNY {fig['direct_loss_cny']:,}. On these figures: {grade_en}.",
    )
    measures = (
        "；".join(m.zh for m in f.measures) or f"尚无调派记录{TO_COMPLETE[0]}",
        "; ".join(m.en for m in f.measures) or f"No dispatch recorded yet {TO_COMPLETE[1]}",
    )
    other_zh: list[str] = []
    other_en: list[str] = []
    if f.near_miss:
        other_zh.append("达到较大涉险事故标准")
        other_en.append("meets the threshold of a major near-miss")
    if f.hazards_near:
        other_zh.append("1 公里内重大/较大风险源：" + "、".join(f.hazards_near))
        other_en.append("red/orange hazard sources within 1 km: " + ", ".join(f.hazards_near))
    if f.drill_id is not None:
        other_zh.append(f"演练（演练编号 {f.drill_id}），非真实事故")
        other_en.append(f"EXERCISE (drill {f.drill_id}), not a real accident")
    return [
        unit,
        (
            f"{when_zh}，{f.jurisdiction_zh}{place}；现场：{f.title}",
            f"{when_en}, {place}, {f.jurisdiction_en}; scene: {f.title}",
        ),
        (
            f"{type_zh}。{f.title}。{_t(f.reported_at)[0]}接报，当前状态 {f.status}。",
            f"{type_en}. {f.title}. Report received {_t(f.reported_at)[1]}; status now {f.status}.",
        ),
        casualties,
        measures,
        ("；".join(other_zh) or "无", "; ".join(other_en) or "none"),
    ]


def render(f: Facts, completions: dict[int, str] | None = None) -> dict[str, Any]:
    """The document as JSON, with the printable Chinese text and its English rendering."""
    to = for_level(f.level)
    kind_zh, kind_en = KIND_LABEL[f.kind]
    if f.sequence is not None:
        kind_zh, kind_en = f"{kind_zh}（第 {f.sequence} 次）", f"{kind_en} no. {f.sequence}"
    items = []
    for number, ((title_zh, title_en), (text_zh, text_en)) in enumerate(zip(ITEM_TITLES, _items(f), strict=True), 1):
        added = (completions or {}).get(number)
        if added:
            text_zh, text_en = f"{text_zh} 值班员补充：{added}", f"{text_en} Operator's addition: {added}"
        items.append({"number": number, "title_zh": title_zh, "title_en": title_en, "zh": text_zh, "en": text_en})
    changes = [
        {"field": c["field"], "before": c["before"], "after": c["after"]}
        for c in f.changes
        if c["before"] != c["after"]
    ]
    doc: dict[str, Any] = {
        "escalation_id": f.escalation_id,
        "incident_id": f.incident_id,
        "kind": f.kind.value,
        "level": f.level.value,
        "sequence": f.sequence,
        "title_zh": kind_zh,
        "title_en": kind_en,
        "sender": _body(to.sender),
        "recipients": {
            "report_to": _body(to.report_to),
            "same_level_government": _body(to.government),
            "notify": [_body(b) for b in to.notify],
        },
        "due_at": f.due_at.isoformat(),
        "due_text": dict(zip(("zh", "en"), _t(f.due_at), strict=True)),
        "is_drill": f.drill_id is not None,
        "figures": dict(f.figures),
        "items": items,
        "changes": changes,
    }
    doc["text_zh"] = _text(doc, "zh")
    doc["text_en"] = _text(doc, "en")
    return doc


def _text(doc: dict[str, Any], lang: str) -> str:
    zh = lang == "zh"
    r = doc["recipients"]
    numbers = ("一", "二", "三", "四", "五", "六")
    sep = "、" if zh else ", "
    lines = [
        ("【演练】" if zh else "[EXERCISE] ") * doc["is_drill"] + doc[f"title_{lang}"],
        ("报送：" if zh else "To: ") + r["report_to"][lang],
        ("同时报告：" if zh else "Also to: ") + r["same_level_government"][lang],
        ("通知：" if zh else "Notify: ") + sep.join(b[lang] for b in r["notify"]),
        ("报告单位：" if zh else "From: ") + doc["sender"][lang],
        ("报告时限：" if zh else "Due: ") + doc["due_text"][lang],
        "",
    ]
    for item, n in zip(doc["items"], numbers, strict=True):
        head = f"{n}、{item['title_zh']}：" if zh else f"{item['number']}. {item['title_en']}: "
        lines.append(head + item[lang])
    if doc["changes"]:
        lines.append("")
        lines.append("自上次报告以来的变化：" if zh else "Changed since the last report:")
        for c in doc["changes"]:
            label = FIGURE_LABEL[c["field"]][0 if zh else 1]
            before, after = (
                _figure(c["field"], c["before"])[0 if zh else 1],
                _figure(c["field"], c["after"])[0 if zh else 1],
            )
            lines.append(f"  {label}：{before} → {after}" if zh else f"  {label}: {before} → {after}")
    return "\n".join(lines)
