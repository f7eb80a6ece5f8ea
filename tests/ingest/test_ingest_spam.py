"""Injected gambling spam: one warning per distinct term, pointing at its first occurrence."""

from __future__ import annotations

from pathlib import Path

from rulesengine.ingest import find_injected_terms, read_document
from rulesengine.ingest.spam import load_spam_rules
from rulesengine.ruledata import rules_data


def test_the_cixi_document_warns_once_about_dafa_tiyu_with_the_span_of_its_first_use(
    cixi_path: Path, cixi_text: str
) -> None:
    document = read_document(cixi_path)
    injected = [w for w in document.warnings if w.code == "injected_term"]
    assert len(injected) == 1
    warning = injected[0]
    assert warning.start == cixi_text.index("大发体育")
    assert warning.end == warning.start + len("大发体育")
    assert document.text[warning.start : warning.end] == "大发体育"
    count = cixi_text.count("大发体育")
    assert count == 7
    assert "大发体育" in warning.message_zh and f"共 {count} 处" in warning.message_zh
    assert "大发体育" in warning.message_en and f"{count} times" in warning.message_en


def test_the_other_four_corpus_documents_raise_no_injected_term_warning(
    corpus_path: Path,
) -> None:
    warnings = [w for w in read_document(corpus_path).warnings if w.code == "injected_term"]
    if corpus_path.name.startswith("cixi"):
        assert len(warnings) == 1
    else:
        assert warnings == []


def test_each_distinct_term_gets_its_own_warning_in_order_of_first_appearance() -> None:
    text = "推动百家乐工业发展,澳门新葡京招商,百家乐再现,真人娱乐平台。"
    warnings = find_injected_terms(text)
    found = [text[w.start : w.end] for w in warnings if w.start is not None]
    assert found == ["百家乐", "澳门新葡京", "真人娱乐"]
    assert "2 times" in warnings[0].message_en
    assert "1 time " in warnings[1].message_en


def test_a_longer_term_wins_over_the_shorter_term_it_contains() -> None:
    [warning] = find_injected_terms("欢迎光临澳门新葡京")
    assert "澳门新葡京" in warning.message_zh


def test_latin_brand_names_match_in_any_case() -> None:
    assert len(find_injected_terms("访问BET365官网")) == 1


def test_patterns_catch_unlisted_brands_of_the_same_shape() -> None:
    [warning] = find_injected_terms("全市推进某某体育官网建设")
    assert "某某体育官网" in warning.message_zh


def test_legitimate_sports_and_enforcement_wording_is_not_flagged() -> None:
    text = "发展体育产业,规范体育彩票销售,建设智慧体育平台,严厉打击网络赌博;亚博会在昆明举办。"
    assert find_injected_terms(text) == []


def test_the_term_list_is_a_commented_data_file_with_the_cixi_term() -> None:
    source = rules_data().spam_terms.read_text(encoding="utf-8")
    assert source.startswith("#") and "慈溪" in source
    rules = load_spam_rules()
    assert "大发体育" in rules.terms
    for required in ("博彩", "赌场", "澳门新葡京", "开元棋牌", "真人娱乐", "彩票平台", "百家乐"):
        assert required in rules.terms
