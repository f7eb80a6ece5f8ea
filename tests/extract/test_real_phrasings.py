"""Phrasings met on real pairs (issue 12), each read the way its labeller and analyst read it."""

from __future__ import annotations

from rulesengine.extract import extract_targets
from rulesengine.extract.relative import extract_relatives


def pairs(text: str) -> list[tuple[str, float]]:
    return [(t.indicator, t.value) for t in extract_targets(text, "2024")]


def test_a_total_after_a_flow_is_the_stock_of_the_same_indicator() -> None:
    got = pairs("新增规上工业企业1500家、总数突破2万家。")
    assert got == [("new_above_scale_enterprises", 1500.0), ("above_scale_enterprises_total", 20000.0)]


def test_a_comparable_basis_word_does_not_hide_the_indicator() -> None:
    assert pairs("一般公共预算收入同口径增长5.5%左右。") == [("budget_revenue_growth", 5.5)]


def test_urban_and_rural_split_over_two_numbers() -> None:
    got = pairs("城乡居民人均可支配收入分别增长5.5%、6.5%。")
    assert got == [("urban_income_growth", 5.5), ("rural_income_growth", 6.5)]


def test_an_industrial_total_is_not_the_regions_gdp() -> None:
    assert not [i for i, _ in pairs("工业经济总量突破5000亿元。") if i == "gdp"]


def test_relative_commitments_name_their_indicator_or_the_binding_ones() -> None:
    got = [
        (r.indicator, r.relation, r.binding)
        for r in extract_relatives(
            "进出口总额增速不低于全省平均水平，居民收入增长与经济增长同步，完成上级下达的约束性指标任务，"
            "實際使用外資增速高於全國平均水平。"
        )
    ]
    assert ("foreign_trade_growth", "upper", False) in got
    assert ("disposable_income_growth", "economy", False) in got
    assert ("", "upper", True) in got
    assert any(r == "national" for _, r, _ in got)  # traditional characters read through the text layer


def test_a_target_quoted_and_then_listed_among_the_main_goals_is_a_target() -> None:
    text = (
        "聚焦今年,浙江省政府工作报告将“生产总值增长5.5%左右”列入建议主要预期目标,"
        "并提出力争规上工业增加值增长6%以上。"
    )
    assert ("gdp_growth", 5.5) in pairs(text)
