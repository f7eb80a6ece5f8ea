"""Sentences and clauses keep spans into the original text and never split decimals or lists."""

from __future__ import annotations

from rulesengine.extract.clauses import split_clauses, split_sentences


def test_sentences_end_at_chinese_stops_and_line_breaks_and_keep_spans() -> None:
    text = "规上工业增加值增长5.5%。制造业投资增长12%!\n新增未来工厂15家"
    sentences = split_sentences(text)
    assert [s.text.rstrip("。!\n") for s in sentences] == [
        "规上工业增加值增长5.5%",
        "制造业投资增长12%",
        "新增未来工厂15家",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_clauses_split_at_commas_of_both_widths_but_not_at_list_marks_or_decimals() -> None:
    text = "规上工业增加值增长6%、力争10%,规下工业增加值增长7.5%，制造业投资增长10%;1,000家。"
    (sentence,) = split_sentences(text)
    clauses = [text[a:b].rstrip(",，;") for a, b in split_clauses(sentence)]
    assert clauses[0] == "规上工业增加值增长6%、力争10%"
    assert clauses[1] == "规下工业增加值增长7.5%"
    assert "1,000家" in clauses[-1]
