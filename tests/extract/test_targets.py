"""Every phrasing the issue names, as plans write it, becomes the right target (or none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulesengine.extract import extract_targets, extract_topics
from rulesengine.model import Basis, Comparator, Kind, Period, Target

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"


def targets(text: str, period: str = "2023") -> list[Target]:
    found = extract_targets(text, period)
    assert all(text[t.span.start : t.span.end] == t.quote for t in found)
    return found


def brief(text: str, period: str = "2023") -> list[tuple[str, float, str]]:
    return [(t.indicator, t.value, t.kind.value) for t in targets(text, period)]


def test_the_pair_form_gives_a_baseline_and_a_stretch() -> None:
    assert brief("规上工业增加值增长6%、力争10%,规下工业增加值增长7%、力争10%。") == [
        ("industrial_va_growth", 6, "baseline"),
        ("industrial_va_growth", 10, "stretch"),
        ("below_scale_industrial_va_growth", 7, "baseline"),
        ("below_scale_industrial_va_growth", 10, "stretch"),
    ]


@pytest.mark.parametrize("cue", ["力争", "争取", "努力实现", "奋斗目标:"])
def test_a_stretch_cue_opening_a_sentence_covers_every_target_in_it(cue: str) -> None:
    found = targets(f"{cue}规上工业增加值增长5.5%,制造业投资增长12%。")
    assert [t.kind for t in found] == [Kind.stretch, Kind.stretch]


def test_plain_and_ensured_targets_are_baselines_and_a_semicolon_ends_a_stretch() -> None:
    found = targets("确保制造业投资增长12%。力争新增未来工厂15家;新增绿色工厂100家。")
    assert [(t.indicator, t.kind) for t in found] == [
        ("manufacturing_investment_growth", Kind.baseline),
        ("future_factories", Kind.stretch),
        ("green_factories", Kind.baseline),
    ]


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("新增专精特新企业15家以上。", Comparator.gte),
        ("数字经济核心产业增加值突破1万亿元。", Comparator.gte),
        ("数字经济核心产业增加值超过5000亿元。", Comparator.gte),
        ("工业用地比例不低于30%。", Comparator.gte),
        ("规上工业亩均税收达到37万元/亩。", Comparator.gte),
        ("新增企业技术中心100家左右。", Comparator.approx),
        ("软件业务收入约3300亿元。", Comparator.approx),
        ("新增绿色工厂10家以内。", Comparator.lte),
        ("软件业务收入控制在3300亿元。", Comparator.lte),
        ("新增未来工厂15家。", Comparator.eq),
    ],
)
def test_comparators_before_and_after_the_number(text: str, comparator: Comparator) -> None:
    (t,) = targets(text)
    assert t.comparator is comparator


def test_ranges_keep_both_ends() -> None:
    (a,) = targets("培育专精特新企业2-3家。")
    (b,) = targets("新增省级工业设计中心8—10个。")
    assert (a.value, a.value_max, b.value, b.value_max) == (2, 3, 8, 10)


def test_respectively_distributes_values_over_a_list_of_indicators() -> None:
    found = targets("力争2023年规上工业亩均税收、亩均增加值分别较上年增长6%、5.5%以上。")
    assert [(t.indicator, t.value, t.comparator, t.kind) for t in found] == [
        ("tax_per_mu_growth", 6, Comparator.gte, Kind.stretch),
        ("va_per_mu_growth", 5.5, Comparator.gte, Kind.stretch),
    ]


def test_all_growing_by_one_rate_gives_each_indicator_that_rate() -> None:
    found = targets("规上工业增加值、制造业投资均增长12%左右。")
    assert {(t.indicator, t.value, t.comparator) for t in found} == {
        ("industrial_va_growth", 12, Comparator.approx),
        ("manufacturing_investment_growth", 12, Comparator.approx),
    }


def test_stock_and_flow_are_told_apart() -> None:
    (stock,) = targets("累计创建省级工业互联网平台500个以上。")
    (flow,) = targets("新增未来工厂15家。")
    (total,) = targets("规上工业企业总数达到2万家。")
    assert (stock.basis, flow.basis, total.basis) == (Basis.cumulative, Basis.annual, Basis.cumulative)
    assert total.indicator == "above_scale_enterprises_total", "a stock is not the flow of new ones"


def test_periods_come_from_the_plan_from_dao_year_and_from_quarters() -> None:
    (plain,) = targets("新增未来工厂15家。")
    (by2025,) = targets("到2025年,累计建成5G基站20万个。", "2021-2025")
    q1, q2 = targets("力争新建项目开工率一季度30%、二季度60%。")
    assert plain.period == Period.model_validate("2023")
    assert by2025.period == Period.model_validate("2025")
    assert (str(q1.period), str(q2.period)) == ("2023/Q1", "2023/Q2")
    assert q1.indicator == q2.indicator


def test_a_first_breakthrough_is_at_least_one_of_the_indicator() -> None:
    (t,) = targets("力争2023年实现省级“未来工厂”零的突破。")
    assert (t.indicator, t.value, t.unit, t.comparator, t.kind) == (
        "future_factories",
        1,
        "家",
        Comparator.gte,
        Kind.stretch,
    )


def test_a_table_row_names_its_indicator_in_the_first_cell() -> None:
    (t,) = targets("规上工业增加值 | 亿元 | 增长7%以上")
    assert (t.indicator, t.value, t.unit, t.comparator) == ("industrial_va_growth", 7, "%", Comparator.gte)


@pytest.mark.parametrize(
    "text",
    [
        "全面实施“415X”先进制造业集群培育工程,精准实施“8+4”政策体系。",
        "推进“1+N”企业服务体系迭代,山区26县协作,办好第八届中国设计智造大奖。",
        "发布日期:2023-05-24,2023年3月28日。",
        "去年全省规上工业增加值增长6.2%。",
        "2022年完成工业投资178.72亿元。",
        "支持18个国家级新型工业化产业示范基地建设。",
        "培育一批5亿元、10亿元以上头部企业。",
    ],
)
def test_names_dates_existing_counts_and_past_statistics_are_not_targets(text: str) -> None:
    assert targets(text) == []


def test_a_target_outside_the_catalog_is_kept_under_other() -> None:
    (t,) = targets("力争全年为市场主体减负2500亿元以上。")
    assert t.indicator.startswith("other:") and "减负" in t.indicator
    assert (t.value, t.unit, t.kind) == (2500, "亿元", Kind.stretch)


def test_a_star_rated_green_factory_is_not_the_catalog_green_factory() -> None:
    found = targets("新增国家级、省级绿色工厂3 家,三星级绿色工厂60家以上。")
    assert [t.indicator for t in found] == ["green_factories", "other:三星级绿色工厂"]


def test_a_region_subset_target_is_not_the_regions_own() -> None:
    (t,) = targets("山区26县新增规上工业企业2240家以上。")
    assert t.indicator.startswith("other:")


def test_the_spam_injected_cixi_page_yields_no_target_or_name_from_the_spam() -> None:
    text = (PLANS / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
    found = targets(text)
    assert len(found) >= 24
    assert not any("大发" in t.indicator for t in found)


def test_every_corpus_target_quote_is_the_text_at_its_span() -> None:
    for path in sorted(PLANS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        period = "2021-2025" if "2021-2025" in path.name else path.name.split("-")[1]
        for t in extract_targets(text, period):
            assert text[t.span.start : t.span.end] == t.quote, (path.name, t)


def test_topics_are_found_with_a_quote_around_the_keyword() -> None:
    text = (PLANS / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
    mentions = {m.topic: m for m in extract_topics(text)}
    assert {"专精特新", "未来工厂", "绿色制造", "亩均论英雄"} <= set(mentions)
    m = mentions["专精特新"]
    assert m.keyword in m.quote and text[m.span.start : m.span.end] == m.quote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("规模以上工业增加值比上年增长12%。", [("industrial_va_growth", 12, "baseline")]),
        ("确保技改投资较2022年增长15%以上。", [("tech_renovation_investment_growth", 15, "baseline")]),
        (
            "数字经济核心产业增加值、软件和信息技术服务业营业收入分别较上年增长13%、7.5%左右。",
            [("digital_core_va_growth", 13, "baseline"), ("software_revenue_growth", 7.5, "baseline")],
        ),
        (
            "2022年,全市制造业投资增长5.8%,今年力争增长5.5%。",
            [("manufacturing_investment_growth", 5.5, "stretch")],
        ),
        (
            "力争5G基站总数达到3200个以上,软件业务收入达到12亿元。",
            [("5g_base_stations", 3200, "stretch"), ("software_revenue", 12, "stretch")],
        ),
    ],
)
def test_shapes_the_synthetic_set_found_are_read_right(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert brief(text) == expected
