"""Pages as they are found read like plain simplified text, and every quote is still the
original's: traditional script, pinyin glosses, full-width digits, look-alikes, PDF spaces and
line breaks (tests/real holds each of these as found)."""

from __future__ import annotations

from pathlib import Path

from rulesengine.evaluation import read_corpus_text
from rulesengine.extract import extract_targets
from rulesengine.extract.textlayer import normalize

REAL = Path(__file__).resolve().parents[1] / "real"


def test_traditional_script_with_pinyin_glosses_reads_as_simplified() -> None:
    normal = normalize("經(jīng)濟增長6 . 5%左右,城鎮(zhèn)新增就業(yè)6.9萬人")
    assert normal.text == "经济增长6.5%左右,城镇新增就业6.9万人"


def test_a_span_of_the_normal_text_maps_back_to_the_original_characters() -> None:
    original = "規上工業增加值增長 ５％ 以上"
    normal = normalize(original)
    start = normal.text.index("5")
    a, b = normal.to_original(start, start + 2)
    assert original[a:b] == "５％"


def test_look_alikes_from_other_scripts_become_the_chinese_character() -> None:
    assert normalize("力争カ増長エ业").text == "力争力增长工业"


def test_spaces_stay_between_latin_words_and_around_table_cells() -> None:
    for text in ("Micro LED 2023 2024", "规上工业增加值 | 亿元 | 增长7%以上"):
        assert normalize(text).text == text


def test_a_pdf_line_wrapped_mid_phrase_is_joined_but_a_heading_line_is_not() -> None:
    wrapped = "2023 年,实施技术创新项目 300 个以上, 新增省级首台\n(套)装备20 个以上。"
    heading = "一、2024年工作回顾\n全省地区生产总值增长5.8%"
    assert "首台(套)装备20个以上" in normalize(wrapped).text
    assert "\n" in normalize(heading).text


def test_every_target_of_a_traditional_script_plan_quotes_the_original(tmp_path: Path) -> None:
    for name in ("22_suizhou_jingxin_2025_fanti", "54_hefei_gzbg_2025", "64_pingdingshan_gzbg_2025_fanti"):
        _, text = read_corpus_text(REAL / "texts" / f"{name}.txt")
        found = extract_targets(text, "2025")
        assert found, name
        assert all(text[t.span.start : t.span.end] == t.quote for t in found)
        assert any(ch in "".join(t.quote for t in found) for ch in "業長經億規產萬")
