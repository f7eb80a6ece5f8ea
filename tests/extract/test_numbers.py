"""Number spans: found one at a time, converted one at a time, names and dates left alone."""

from __future__ import annotations

import pytest

from rulesengine.extract.numbers import find_numbers, parse_number
from rulesengine.model import Comparator


def only(text: str) -> tuple[float, float | None, str | None, Comparator | None]:
    found = find_numbers(text)
    assert len(found) == 1, found
    n = found[0]
    return n.value, n.value_max, n.unit, n.comparator


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("累计建成5G基站20万个", 200000, "个"),
        ("突破1万亿元", 10000, "亿元"),
        ("3.5万亿元", 35000, "亿元"),
        ("腾出用地5万亩", 50000, "亩"),
        ("用能120万吨标煤", 120, "万吨标煤"),
        ("亩均税收达37万元/亩", 37, "万元/亩"),
        ("软件业务收入达3300亿。", 3300, "亿元"),
        ("绿色工厂3 家,", 3, "家"),
        ("工业机器人800台(套)。", 800, "台(套)"),
        ("新增专精特新企业三十家", 30, "家"),
        ("腾出低效工业用地100平方公里", 150000, "亩"),
        ("增长5.5%", 5.5, "%"),
    ],
)
def test_a_number_with_its_unit_resolves_wan_and_yi(text: str, value: float, unit: str) -> None:
    got_value, _, got_unit, _ = only(text)
    assert (got_value, got_unit) == (value, unit)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("培育2-3家", 2, 3), ("新增8—10个", 8, 10), ("建设3～5个", 3, 5)],
)
def test_a_range_keeps_both_ends(text: str, low: float, high: float) -> None:
    value, value_max, _, _ = only(text)
    assert (value, value_max) == (low, high)


@pytest.mark.parametrize(
    ("text", "comparator"),
    [("100家以上", Comparator.gte), ("60项左右", Comparator.approx), ("50万吨标煤以内", Comparator.lte)],
)
def test_a_comparator_after_the_number_is_read(text: str, comparator: Comparator) -> None:
    assert only(text)[3] is comparator


@pytest.mark.parametrize(
    "text",
    [
        "“415X”先进制造业集群",
        "“8+4”政策体系",
        "“1+N”工业互联网平台体系",
        "第八届中国设计智造大奖",
        "2023年3月28日",
        "5G网络",
        "第三产业",
        "M0用地",
        "山区26县",
        "发布日期:2023-05-24",
    ],
)
def test_numbers_inside_names_and_dates_are_not_mentions(text: str) -> None:
    assert find_numbers(text) == []


def test_a_first_breakthrough_counts_as_at_least_one() -> None:
    (n,) = find_numbers("省级“未来工厂”零的突破")
    assert (n.value, n.comparator, n.is_first) == (1.0, Comparator.gte, True)


def test_a_rank_is_a_value_no_greater_than_it() -> None:
    value, _, unit, comparator = only("数字经济总量稳居全国前三")
    assert (value, unit, comparator) == (3, "名", Comparator.lte)


def test_a_count_followed_by_its_noun_is_marked_so() -> None:
    (n,) = find_numbers("培育10个“新星”产业群")
    assert n.followed_by_noun


def test_parse_number_reads_arabic_and_chinese_and_rejects_words() -> None:
    assert parse_number("178.72") == 178.72
    assert parse_number("一百二十") == 120
    with pytest.raises(ValueError):
        parse_number("规上")


@pytest.mark.parametrize(
    ("text", "value", "comparator"),
    [
        ("确保每年制造业项目数不低于三分之一;", 33.33, None),
        ("占比超过二分之一", 50, None),
        ("四分之三以上", 75, Comparator.gte),
        ("三分之二左右", 66.67, Comparator.approx),
        ("百分之五", 5, None),
        ("百分之百", 100, None),
    ],
)
def test_a_chinese_fraction_is_one_share_in_percent(
    text: str, value: float, comparator: Comparator | None
) -> None:
    assert only(text) == (value, None, "%", comparator)


@pytest.mark.parametrize(
    ("text", "value"),
    [("算力超过10000P。", 10000), ("算力达到3EFLOPS", 3000), ("算力1.2万P,", 12000)],
)
def test_computing_power_units_are_letters_that_are_not_a_name(text: str, value: float) -> None:
    assert only(text)[:3] == (value, None, "P")


@pytest.mark.parametrize("text", ["型号100PX", "10000PUE", "P2P平台", "5G基站"])
def test_a_letter_unit_glued_to_more_letters_or_digits_is_a_name(text: str) -> None:
    assert find_numbers(text) == []
