"""Counts that borrow their verb from a neighbour, computing power in P, and fractions as shares.

Each shape is shown on a sentence taken verbatim from a corpus plan (checked by `corpus()`) and
on a variant written for the test; the negative cases are real sentences the shape must leave.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rulesengine.extract import extract_targets
from rulesengine.model import Comparator, Target

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"
_CORPUS = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PLANS.glob("*.txt")))


def corpus(sentence: str) -> str:
    """The sentence, after checking that a corpus plan says it word for word."""
    assert sentence in _CORPUS, sentence
    return sentence


def targets(text: str, period: str = "2023") -> list[Target]:
    found = extract_targets(text, period)
    assert all(text[t.span.start : t.span.end] == t.quote for t in found)
    return found


def others(text: str) -> list[tuple[float, str, str, str]]:
    """(value, unit, kind, quote) of the uncatalogued targets of text, in order."""
    found = targets(text)
    assert all(t.indicator.startswith("other:") for t in found), found
    return [(t.value, t.unit, t.kind.value, t.quote) for t in found]


# -- computing power: P and EFLOPS are units, not the letters of a name ---------------------


def test_computing_power_in_p_is_a_target_next_to_the_racks() -> None:
    text = corpus("夯实算力基础设施,力争数据中心标准机架达到17万架,算力超过10000P。")
    racks, power = targets(text)
    assert (racks.value, racks.unit) == (170000, "架")
    assert (power.indicator, power.value, power.unit, power.comparator, power.kind.value) == (
        "other:算力",
        10000,
        "P",
        Comparator.gte,
        "stretch",
    )
    assert power.quote == "算力超过10000P"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("全省算力规模达到3EFLOPS以上。", 3000),
        ("算力总规模达1.2万P。", 12000),
        ("新增算力500PFLOPS。", 500),
    ],
)
def test_computing_power_in_eflops_or_wan_p_is_read_in_p(text: str, value: float) -> None:
    (t,) = targets(text)
    assert (t.value, t.unit) == (value, "P")


# -- 和/及: the second count shares the commitment verb of the first ------------------------


def test_a_count_after_he_shares_the_verb_of_the_count_before_it() -> None:
    text = corpus("持续推进化工围江治理攻坚,确保完成5家沿江化工企业关改搬转和2家危化品搬迁改造任务。")
    assert others(text) == [
        (5, "家", "baseline", "5家沿江化工企业关改搬转"),
        (2, "家", "baseline", "2家危化品搬迁改造任务"),
    ]


def test_a_quoted_name_after_he_is_kept_whole() -> None:
    text = corpus("培育15个优势制造业集群和50个百亿级“新星”产业群。")
    assert others(text) == [
        (15, "个", "baseline", "15个优势制造业集群"),
        (50, "个", "baseline", "50个百亿级“新星”产业群"),
    ]


def test_a_count_after_ji_in_a_stretch_sentence_is_a_stretch_too() -> None:
    assert others("力争新建3个数字化转型促进中心及5家公共服务平台。") == [
        (3, "个", "stretch", "3个数字化转型促进中心"),
        (5, "家", "stretch", "5家公共服务平台"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        corpus("支持18个国家级新型工业化产业示范基地和2个国家级先进制造业集群建设"),
        corpus("抓好数字经济领域12个“万亩千亿”新产业平台、18个省级创新发展试验区和30个特色小镇建设。"),
        "新建一批数字工厂,支持5家龙头企业和2家链主企业。",
    ],
)
def test_counts_joined_by_he_after_a_verb_of_support_stay_descriptions(text: str) -> None:
    assert targets(text) == []


# -- 等N个X: the count right after 等 closes an enumeration the verb governs ---------------


def test_a_count_after_deng_closing_an_enumeration_of_names_is_a_target() -> None:
    text = corpus(
        "打造新一代信息技术、汽车及零部件、绿色化工、现代纺织和服装等4个世界级先进制造业集群,"
        "培育15个优势制造业集群和50个百亿级“新星”产业群。"
    )
    assert [(v, q) for v, _, _, q in others(text)] == [
        (4, "4个世界级先进制造业集群"),
        (15, "15个优势制造业集群"),
        (50, "50个百亿级“新星”产业群"),
    ]


def test_an_adverb_before_the_verb_of_the_enumeration_is_allowed() -> None:
    assert others("力争培育高端装备、生物医药和新材料等3个千亿级产业集群。") == [
        (3, "个", "stretch", "3个千亿级产业集群"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        corpus("认真落实汽车、机械、电子、化工、冶金、建材、轻工等7个行业稳增长工作方案。"),
        corpus("支持青田、龙游、永嘉等3个先行区加强探索创新,丰富协作路径。"),
        "新建一批数字工厂,聚焦汽车、化工等2个行业开展诊断。",
    ],
)
def test_an_enumeration_without_a_commitment_verb_in_its_clause_gives_no_target(text: str) -> None:
    assert targets(text) == []


# -- fractions: 三分之一 is a share of 33.33 % -----------------------------------------------


def test_a_fraction_a_project_share_must_reach_is_a_percentage() -> None:
    text = corpus("联合发展改革、商务等部门加强新兴产业重大项目招引,确保每年制造业项目数不低于三分之一;")
    (t,) = targets(text)
    assert t.indicator.startswith("other:") and "制造业项目" in t.indicator
    assert (t.value, t.unit, t.comparator, t.kind.value) == (33.33, "%", Comparator.gte, "baseline")
    assert t.quote.endswith("不低于三分之一")


@pytest.mark.parametrize(("fraction", "percent"), [("三分之一", "33.33%"), ("四分之三", "75%")])
def test_a_fraction_reads_as_the_same_target_as_its_percentage(fraction: str, percent: str) -> None:
    (a,) = targets(f"工业用地比例不低于{fraction}。")
    (b,) = targets(f"工业用地比例不低于{percent}。")
    assert (a.indicator, a.value, a.unit, a.comparator) == (b.indicator, b.value, b.unit, b.comparator)
    assert a.indicator == "industrial_land_share"


def test_a_fraction_with_a_trailing_zuoyou_keeps_its_comparator() -> None:
    (t,) = targets("高新技术产业增加值占规上工业比重达到三分之二左右。")
    assert (t.value, t.unit, t.comparator) == (66.67, "%", Comparator.approx)
