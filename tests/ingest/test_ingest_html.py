"""Web pages: visible body text only, one block per line, whatever the page's encoding."""

from __future__ import annotations

import pytest

from rulesengine.ingest import IngestError, read_bytes
from rulesengine.ingest.html import html_to_text

PAGE = """<!DOCTYPE html>
<html><head><title>2023年全省经信工作要点</title>
<style>.nav { color: red }</style>
<script>var tracker = "统计代码"; document.write("广告");</script>
</head>
<body>
<header>浙江省经济和信息化厅</header>
<nav><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></nav>
<div class="article">
  <h1>2023年全省经信工作要点</h1>
  <p>规上工业增加值增长<b>6%</b>左右,数字经济核心产业增加值增长10%以上。</p>
  <p>全年新增“专精特新”企业<span>1000家</span>。</p>
</div>
<noscript>请启用脚本</noscript>
<footer>版权所有 浙江省经济和信息化厅</footer>
</body></html>
"""


def test_script_style_nav_header_and_footer_are_dropped_from_the_text() -> None:
    document = read_bytes(PAGE.encode(), "page.html")
    assert document.format == "html"
    for gone in ("tracker", "统计代码", "广告", "color", "首页", "政务公开", "版权所有", "请启用脚本"):
        assert gone not in document.text
    assert document.text.split("\n") == [
        "2023年全省经信工作要点",
        "规上工业增加值增长6%左右,数字经济核心产业增加值增长10%以上。",
        "全年新增“专精特新”企业1000家。",
    ]


def test_a_line_break_in_the_source_between_chinese_characters_does_not_split_a_word() -> None:
    assert html_to_text("<p>规上\n    工业增加值增长 6%</p>") == "规上工业增加值增长 6%"


def test_table_rows_become_lines_with_cells_joined_by_bars() -> None:
    markup = (
        "<table><tr><th>指标</th><th>目标</th></tr>"
        "<tr><td>规上工业增加值增长</td><td><p>6%</p><p>力争10%</p></td></tr></table>"
    )
    assert html_to_text(markup).split("\n") == ["指标 | 目标", "规上工业增加值增长 | 6% 力争10%"]


def test_br_and_list_items_end_lines_and_hidden_elements_are_skipped() -> None:
    markup = "<p>一是优化政策<br>二是狠抓项目</p><ul><li>甲</li><li>乙</li></ul><div hidden>隐藏</div>"
    assert html_to_text(markup).split("\n") == ["一是优化政策", "二是狠抓项目", "甲", "乙"]


def test_a_gbk_page_declaring_gb2312_is_decoded_as_gb18030() -> None:
    markup = '<html><head><meta charset="gb2312"></head><body><p>慈溪市经信局</p></body></html>'
    document = read_bytes(markup.encode("gbk"), "gbk-page.htm")
    assert document.text == "慈溪市经信局"
    assert document.encoding == "gb18030"


def test_a_page_that_lies_about_its_charset_is_still_decoded() -> None:
    markup = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>规上工业增加值</p>'
    document = read_bytes(markup.encode("utf-8"), "liar.html")
    assert document.text == "规上工业增加值"
    assert document.encoding == "utf-8"


def test_a_page_with_nothing_but_navigation_is_refused_as_empty() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(b"<html><body><nav>home</nav><script>x()</script></body></html>", "nav.html")
    assert caught.value.code == "empty"
    assert "nav.html" in str(caught.value)
