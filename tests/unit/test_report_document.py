"""The art. 12 report rendered from hand-made facts: six items, art. 10 recipients per level, the grade per figures,
the supplementary report's changes, and the operator's completions."""

from datetime import UTC, datetime
from typing import Any

import pytest

from api.escalations.document import Facts, Measure, Unit, render
from resources_db.enums import EscalationKind, EscalationLevel, IncidentType, Severity

OCCURRED = datetime(2024, 9, 6, 14, 20, tzinfo=UTC)  # 22:20 in Leizhou: typhoon Yagi's landfall time


def facts(**overrides: Any) -> Facts:
    figures = {
        "deaths": 1,
        "serious_injuries": 2,
        "missing": 4,
        "trapped": 0,
        "at_risk": 0,
        "evacuated": 0,
        "direct_loss_cny": 2_500_000,
        "severity": "ordinary",
    }
    figures.update(overrides.pop("figures", {}))
    values: dict[str, Any] = {
        "escalation_id": 7,
        "level": EscalationLevel.county,
        "kind": EscalationKind.report,
        "sequence": None,
        "due_at": datetime(2024, 9, 6, 15, 20, tzinfo=UTC),
        "incident_id": 3,
        "title": "渔船走锚搁浅",
        "type": IncidentType.water_rescue,
        "occurred_at": OCCURRED,
        "reported_at": datetime(2024, 9, 6, 14, 31, tzinfo=UTC),
        "address": "企水港",
        "lat": 20.78,
        "lon": 109.79,
        "jurisdiction_zh": "企水镇",
        "jurisdiction_en": "Qishui",
        "figures": figures,
        "near_miss": True,
        "status": "responding",
        "drill_id": None,
        "unit": Unit("企水渔港", "企水镇渔业合作社", "陈某", "port_wharf"),
        "measures": [Measure("调派 水上救援一队（on_scene）", "dispatched water team 1 (on_scene)")],
        "hazards_near": [],
    }
    values.update(overrides)
    return Facts(**values)


def test_the_six_items_of_art_12() -> None:
    doc = render(facts())
    assert [i["number"] for i in doc["items"]] == [1, 2, 3, 4, 5, 6]
    texts = [i["zh"] for i in doc["items"]]
    assert texts[0] == "企水镇渔业合作社（企水渔港，类型 port_wharf），负责人 陈某"
    assert texts[1] == "2024年09月06日22时20分（北京时间），企水镇企水港；现场：渔船走锚搁浅"
    assert texts[2] == "水上救援。渔船走锚搁浅。2024年09月06日22时31分（北京时间）接报，当前状态 responding。"
    assert texts[3] == (
        "死亡 1 人，重伤（含急性工业中毒）2 人，下落不明 4 人，被困 0 人，涉险 0 人，疏散转移 0 人；"
        "初步估计直接经济损失 2,500,000 元。按现有数字为一般事故。"
    )
    assert texts[4] == "调派 水上救援一队（on_scene）"
    assert texts[5] == "达到较大涉险事故标准"
    assert doc["items"][3]["en"].startswith("1 dead, 2 seriously injured (acute poisoning included), 4 missing")
    assert "四、已经造成或者可能造成的伤亡人数（包括下落不明的人数）" in doc["text_zh"]
    assert "4. Casualties caused or possibly caused (including the missing)" in doc["text_en"]
    assert doc["changes"] == []


@pytest.mark.parametrize(
    ("severity", "zh", "en"),
    [
        (Severity.ordinary, "一般事故", "ordinary accident"),
        (Severity.major, "较大事故", "major accident"),
        (Severity.serious, "重大事故", "serious accident"),
        (Severity.especially_serious, "特别重大事故", "especially serious accident"),
    ],
)
def test_the_grade_is_named_in_item_4(severity: Severity, zh: str, en: str) -> None:
    doc = render(facts(figures={"severity": severity.value}))
    assert doc["items"][3]["zh"].endswith(f"按现有数字为{zh}。")
    assert doc["items"][3]["en"].endswith(f"On these figures: {en}.")


@pytest.mark.parametrize(
    ("level", "to", "government", "sender"),
    [
        (EscalationLevel.county, "雷州市应急管理局", "雷州市人民政府", "事故发生单位"),
        (EscalationLevel.city, "湛江市应急管理局", "湛江市人民政府", "雷州市应急管理局"),
        (EscalationLevel.province, "广东省应急管理厅", "广东省人民政府", "湛江市应急管理局"),
        (EscalationLevel.national, "应急管理部", "国务院", "广东省应急管理厅"),
    ],
)
def test_art_10_recipients_per_level(level: EscalationLevel, to: str, government: str, sender: str) -> None:
    doc = render(facts(level=level))
    r = doc["recipients"]
    assert (r["report_to"]["zh"], r["same_level_government"]["zh"], doc["sender"]["zh"]) == (to, government, sender)
    # Police, labour department, trade union, procuratorate.
    assert len(r["notify"]) == 4
    assert [n for n in r["notify"] if "检察院" in n["zh"]]
    assert f"报送：{to}" in doc["text_zh"]


def test_unknown_unit_and_no_measures_ask_the_operator() -> None:
    doc = render(facts(unit=None, measures=[], near_miss=False))
    assert "待值班员核实补充" in doc["items"][0]["zh"]
    assert "to be checked and completed by the operator" in doc["items"][4]["en"]
    assert doc["items"][5]["zh"] == "无"


def test_supplementary_lists_exactly_what_changed() -> None:
    changes = [
        {"field": "deaths", "before": 1, "after": 3},
        {"field": "missing", "before": 4, "after": 2},
        {"field": "serious_injuries", "before": 2, "after": 2},
        {"field": "severity", "before": "ordinary", "after": "major"},
    ]
    doc = render(facts(kind=EscalationKind.supplementary, changes=changes))
    assert doc["title_zh"] == "事故补报"
    assert [c["field"] for c in doc["changes"]] == ["deaths", "missing", "severity"]
    assert "  死亡：1 → 3" in doc["text_zh"]
    assert "  grade: ordinary accident → major accident" in doc["text_en"]


def test_completions_and_follow_up_numbers_and_drills() -> None:
    doc = render(facts(kind=EscalationKind.follow_up, sequence=2, drill_id=5), {5: "已转移 34 名船员"})
    assert doc["title_zh"] == "事故续报（第 2 次）"
    assert doc["items"][4]["zh"].endswith("值班员补充：已转移 34 名船员")
    assert doc["text_zh"].startswith("【演练】事故续报（第 2 次）")
    assert "EXERCISE (drill 5)" in doc["items"][5]["en"]
