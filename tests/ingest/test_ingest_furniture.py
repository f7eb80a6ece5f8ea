"""Page furniture: reported as line spans for extractors to skip, never removed."""

from __future__ import annotations

from pathlib import Path

from rulesengine.ingest import furniture_lines


def lines_at(text: str) -> list[str]:
    return [text[start:end] for start, end in furniture_lines(text)]


def test_the_zhejiang_breadcrumb_metadata_and_buttons_are_furniture(zhejiang_text: str) -> None:
    found = lines_at(zhejiang_text)
    assert found[:3] == [
        "当前位置: 首页",
        "> 政务公开 > 政府信息公开目录 > 计划总结",
        "索引号: 002482904/2023-00263 发布日期: 2023-03-03 发布机构: 省经信厅 公开方式: 主动公开",
    ]
    assert found[-1] == "打印本页 关闭窗口"
    assert "2023年全省经信工作要点" not in found


def test_a_label_alone_on_its_line_makes_the_next_line_its_value(cixi_text: str) -> None:
    found = lines_at(cixi_text)
    assert found[:4] == ["索引号:", "11330282734267548D/2023-176439", "发布机构:", "市经信局"]
    assert "市经信局2023年工作思路" not in found


def test_no_sentence_with_a_target_is_ever_taken_for_furniture(corpus_path: Path) -> None:
    text = corpus_path.read_text(encoding="utf-8")
    for line in lines_at(text):
        assert "增长" not in line and "。" not in line, line


def test_spans_exclude_the_newline_and_survive_crlf_line_endings() -> None:
    text = "当前位置:首页\r\n规上工业增加值增长6%。\r\n打印本页\r\n"
    spans = furniture_lines(text)
    assert [text[s:e] for s, e in spans] == ["当前位置:首页", "打印本页"]
    assert all("\r" not in text[s:e] and "\n" not in text[s:e] for s, e in spans)


def test_spaced_out_labels_in_a_table_row_are_recognised() -> None:
    text = "索 引 号 | 757009218/2024-21098 | 发文日期 | 2024-02-15 |\n---|---|---|---|\n正文"
    assert lines_at(text) == ["索 引 号 | 757009218/2024-21098 | 发文日期 | 2024-02-15 |", "---|---|---|---|"]
