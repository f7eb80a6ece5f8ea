"""Which indicators a plan names by their own words: narrower than a topic, so a rule that asks
"does the county speak of 企业技术中心?" is not answered by 「创新中心」."""

from __future__ import annotations

import shutil
from pathlib import Path

from rulesengine.check import PlanFacts, check_plan
from rulesengine.extract import extract_topics
from rulesengine.extract.mentions import extract_mentions
from rulesengine.plans import plan_from_text
from rulesengine.rulebook import load_rulebook
from rulesengine.ruledata import rules_data

CIXI = Path(__file__).resolve().parents[2] / "examples" / "plans" / "cixi-2023-jingxin-gongzuo-silu.txt"


def test_a_topic_word_is_not_a_mention_of_every_indicator_of_that_topic() -> None:
    text = "打造全球智能家电创新中心。"
    assert any(m.topic == "创新" for m in extract_topics(text))
    assert [m.indicator for m in extract_mentions(text)] == []


def test_an_indicator_named_by_a_synonym_is_mentioned_with_its_clause() -> None:
    text = "加快创新平台建设，新增省级企业技术中心，推动企业研发。"
    (mention,) = extract_mentions(text)
    assert (mention.indicator, mention.keyword) == ("enterprise_tech_centers", "省级企业技术中心")
    assert mention.quote == "新增省级企业技术中心"
    assert text[mention.span.start : mention.span.end] == mention.quote


def test_the_longest_word_wins_and_short_abbreviations_are_not_mentions() -> None:
    found = {m.indicator: m.keyword for m in extract_mentions(CIXI.read_text(encoding="utf-8"))}
    assert found["industrial_va_growth"] == "规上工业增加值增长"
    assert "high_tech_enterprises" not in found  # 高企 only inside 提高企业核心竞争力
    assert "enterprise_tech_centers" not in found


def test_a_rule_joins_a_parent_target_to_the_counties_mention_of_that_indicator(tmp_path: Path) -> None:
    data = rules_data()
    pack, specs = tmp_path / "pack", tmp_path / "specs"
    shutil.copytree(data.pack, pack)
    shutil.copytree(data.specs, specs)
    (pack / "mentioned_only.yaml").write_text(
        """\
id: mentioned_only
version: 1
title: 县级只提及、未量化上级的量化目标
severity: info
category: gap
reference: 试验:指标提及。
specs: [mentioned_only.feature]
message: "{parent.region}对{indicator_name}设了目标，{county.region}只提到「{mention.keyword}」。"
when:
  parent: {type: target, role: parent}
  county: {type: plan, role: county}
  mention: {type: mention, role: county, indicator: $parent.indicator}
unless:
  target: {type: target, role: county, indicator: $parent.indicator}
""",
        encoding="utf-8",
    )
    (specs / "mentioned_only.feature").write_text(
        "# language: zh-CN\n功能: 试验\n\n  场景: 不应报告\n    当运行对标检查\n"
        "    那么不应报告规则 mentioned_only\n",
        encoding="utf-8",
    )
    book = load_rulebook(pack, specs_dir=specs)
    parent = PlanFacts.from_plan(
        plan_from_text("2023年新增省级企业技术中心30家。", region="浙江省", period="2023")
    )

    def findings(county_text: str) -> list[str]:
        county = PlanFacts.from_plan(plan_from_text(county_text, region="慈溪市", period="2023"))
        return [f.message for f in check_plan(county, [parent], rulebook=book).by_rule("mentioned_only")]

    assert findings("积极培育企业技术中心。") == [
        "浙江省对企业技术中心设了目标，慈溪市只提到「企业技术中心」。"
    ]
    assert findings("打造全球智能家电创新中心。") == []
    assert findings("新增省级企业技术中心2家。") == []
