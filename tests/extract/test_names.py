"""A target outside the catalog gets the same name in any plan, so the check can pair them."""

from __future__ import annotations

from rulesengine.extract import extract_targets


def name_of(text: str, period: str = "2024") -> str:
    (target,) = extract_targets(text, period)
    return target.indicator


def test_region_words_and_predicates_leave_the_same_name_in_a_county_and_its_province() -> None:
    county = name_of("全县实际利用内资增长10%以上。")
    province = name_of("2024年,全省实际利用内资力争增长8%左右。")
    assert county == province == "other:实际利用内资增长"


def test_a_named_region_before_the_subject_is_no_part_of_its_name() -> None:
    assert name_of("湖南全省造林面积达到120万亩。") == "other:造林面积"


def test_regional_wordings_take_the_catalogs_canonical_form() -> None:
    assert name_of("规模以上工业企业研发机构覆盖率达到60%。") == name_of(
        "规上工业企业研发机构覆盖率达到60%。"
    )


def test_nouns_inside_a_name_stay_and_growth_is_said_once() -> None:
    assert name_of("高新技术产业投资增长20%。") == "other:高新技术产业投资增长"
