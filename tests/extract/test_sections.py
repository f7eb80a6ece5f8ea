"""A plan's structure says which numbers are last year's results: a review section, a progress
report, a paragraph opened by a past year, a five-year plan that has ended."""

from __future__ import annotations

from pathlib import Path

from rulesengine.evaluation import read_corpus_text
from rulesengine.extract import extract_targets
from rulesengine.extract.phrasing import default_phrasing
from rulesengine.extract.sections import Stance, read_sections
from rulesengine.model import Period

REAL = Path(__file__).resolve().parents[1] / "real"


def values(text: str, period: str) -> list[float]:
    return [t.value for t in extract_targets(text, period)]


def test_a_work_report_reviews_last_year_before_it_sets_this_years_targets() -> None:
    _, text = read_corpus_text(REAL / "texts" / "24_anhui_gzbg_2025_yaodian.txt")
    sections = read_sections(text, Period.model_validate("2025"), default_phrasing())
    assert [s.stance for s in sections.sections][:2] == [Stance.review, Stance.plan]
    found = {(t.indicator, t.value) for t in extract_targets(text, "2025")}
    assert ("industrial_va_growth", 7) in found and ("industrial_va_growth", 9) not in found


def test_a_heading_that_says_neither_inherits_its_parent_sections_stance() -> None:
    text = (
        "一、2024年工作回顾\n(一)工业方面\n规上工业增加值增长9%。\n二、2025年主要目标\n规上工业增加值增长7%。"
    )
    assert values(text, "2025") == [7]


def test_year_only_and_bare_lines_head_sections_on_news_pages() -> None:
    text = "2020年湖南\n\n交答卷!\n\n地区生产总值增长3.8%\n\n2021年目标\n\n地区生产总值增长6.5%以上"
    assert values(text, "2021") == [6.5]


def test_a_progress_report_of_the_year_so_far_holds_no_target() -> None:
    assert values("1-5月,规上工业增加值增长17.8%,全年力争增长12%。", "2023") == [12]


def test_a_paragraph_opened_by_a_past_year_holds_only_results() -> None:
    text = (
        "2023年,天津财税保持较快增长,一般公共预算收入达到2027.3亿元,增长9.8%。\n"
        "2024年,力争一般公共预算收入增长4%。"
    )
    assert values(text, "2024") == [4]


def test_an_ended_five_year_plan_is_the_past_and_the_next_one_the_future() -> None:
    past = "“十四五”期间,地区生产总值达到1.5万亿元、增长19.8%。人均地区生产总值增长25%左右。"
    assert values(past, "2026") == []
    future = "到“十五五”末,地区生产总值达到2万亿元。"
    (target,) = extract_targets(future, "2026")
    assert (target.value, target.period.end) == (20000, 2030)


def test_an_estimate_of_the_year_just_ended_opening_a_sentence_is_a_result() -> None:
    assert values("“预计全省地区生产总值达4.58万亿元,增长7.8%左右。", "2022") == []
    implied = "县2022年目标任务是:规上工业增加值达到10.86亿元,预计比上年增长24.8%。"
    assert 24.8 in values(implied, "2022")


def test_a_table_under_a_target_and_result_header_keeps_only_the_target_column() -> None:
    _, text = read_corpus_text(REAL / "texts" / "48_jiading_jihua_2023.txt")
    found = extract_targets(text, "2023")
    table = [t for t in found if "|" in t.quote]
    assert {t.value for t in table} >= {5.5, 8, 6, 5, 11}
    assert not {1248.3, 9.1, 2001.6} & {t.value for t in table}
