"""Page layout shared by OCR and OFD: lines from positioned glyphs, wrapped lines joined,
double reads dropped, and low-confidence characters kept as spans a reviewer is sent to."""

from __future__ import annotations

from rulesengine.ingest import Document
from rulesengine.ingest.layout import Glyph, Run, assemble
from rulesengine.ingest.ocr import ocr_warnings
from rulesengine.model import PlanWarning

H = 30.0  # character height in px
LEFT, RIGHT = 100.0, 1000.0


def run(text: str, x: float, y: float, *, page: int = 1, confidence: float = 0.99, width: float = H) -> Run:
    """A run of text starting at x on the line whose top is y, each character ``width`` wide."""
    glyphs = tuple(Glyph(ch, x + i * width, x + (i + 1) * width, confidence) for i, ch in enumerate(text))
    return Run(page=page, glyphs=glyphs, y0=y, y1=y + H)


def full_line(text: str, y: float, *, indent: bool = False, page: int = 1) -> Run:
    """A line that runs to the right margin, its characters spread to fill it."""
    x = LEFT + (2 * H if indent else 0)
    return run(text, x, y, page=page, width=(RIGHT - x) / len(text))


def test_a_line_the_page_wrapped_is_joined_to_the_next_unindented_line() -> None:
    laid = assemble(
        [
            [
                full_line("坚定不移推动制造业高质量发展,推动县域经济", 100, indent=True),
                full_line("向都市经济跃升,打好稳增扩投增效、平台产业", 150),
                run("提质组合拳。", LEFT, 200),
                run("(二)致力增量提质", LEFT + 2 * H, 250),
            ]
        ],
        unit="px",
    )
    assert laid.text.split("\n") == [
        "坚定不移推动制造业高质量发展,推动县域经济向都市经济跃升,打好稳增扩投增效、平台产业提质组合拳。",
        "(二)致力增量提质",
    ]


def test_an_indented_line_or_a_wide_gap_starts_a_new_paragraph_even_after_a_full_line() -> None:
    lines = [
        full_line("规上工业增加值增长6%、力争10%,规下工业增加值", 100, indent=True),
        full_line("一是优化政策稳增长聚焦传统行业转型升级和龙头", 150, indent=True),
        full_line("企业梯队培育老旧区块改造提升未来产业谋划布局", 200),
        full_line("网页截图里段落之间没有缩进而是空出一行的距离", 300),
    ]
    assert assemble([lines], unit="px").text.split("\n") == [
        "规上工业增加值增长6%、力争10%,规下工业增加值",
        "一是优化政策稳增长聚焦传统行业转型升级和龙头企业梯队培育老旧区块改造提升未来产业谋划布局",
        "网页截图里段落之间没有缩进而是空出一行的距离",
    ]


def test_a_sentence_carried_over_a_page_break_stays_whole() -> None:
    page1 = [full_line("数字经济核心产业增加值占", 1500 + 50 * i, indent=(i == 0)) for i in range(2)]
    page2 = [run("GDP比重达10%以上。", LEFT, 120, page=2)]
    page1[1] = full_line("全市上下数字经济核心产业增加值占", 1550)
    text = assemble([page1, page2], unit="px").text
    assert text.endswith("全市上下数字经济核心产业增加值占GDP比重达10%以上。")


def test_two_boxes_that_read_the_same_strip_keep_the_surer_character() -> None:
    # OCR's detector cut the line at 力 and both boxes read it; the cut one scored 0.41
    first = Run(1, (*run("增长6%、", 100, 100).glyphs, Glyph("力", 250, 280, 0.41)), 100, 130)
    second = run("力争10%", 254, 100)
    laid = assemble([[first, second]], unit="px")
    assert laid.text == "增长6%、力争10%"
    assert laid.doubtful == ()  # the doubtful duplicate was dropped, not flagged


def test_a_wide_gap_within_a_line_is_a_table_cell_and_a_small_one_a_space_only_between_latin() -> None:
    row = [run("规上工业增加值增长", 100, 100), run("6%", 600, 100), run("10%", 800, 100)]
    words = [run("dcmm", 100, 200, width=15), run("test", 100 + 4 * 15 + 10, 200, width=15)]
    cjk = [run("两化", 100, 300), run("融合", 100 + 2 * H + 10, 300)]
    assert assemble([row + words + cjk], unit="px").text.split("\n") == [
        "规上工业增加值增长 | 6% | 10%",
        "dcmm test",
        "两化融合",
    ]


def test_every_box_points_at_the_text_it_produced_on_its_page() -> None:
    runs = [run("规上工业增加值增长6%", 100, 100), run("力争10%", 100, 200, page=2)]
    laid = assemble([[runs[0]], [runs[1]]], unit="pt")
    assert [(laid.text[b.start : b.end], b.page, b.unit) for b in laid.boxes] == [
        ("规上工业增加值增长6%", 1, "pt"),
        ("力争10%", 2, "pt"),
    ]
    assert laid.boxes[0].x0 == 100 and laid.boxes[0].y1 == 130


def test_low_confidence_characters_become_spans_that_flag_overlapping_quotes() -> None:
    unsure = Run(
        1,
        (
            *run("制造业投资增长", 100, 100).glyphs,
            Glyph("1", 310, 325, 0.42),
            Glyph("0", 325, 340, 0.55),
            Glyph("%", 340, 360, 0.97),
        ),
        100,
        130,
    )
    sure = run("力争38%", 100 + 2 * H, 200)  # indented: a paragraph of its own
    laid = assemble([[unsure, sure]], unit="px", low_confidence=0.8)
    assert laid.text == "制造业投资增长10%\n力争38%"
    assert laid.doubtful == ((7, 9, 1),)
    warnings = ocr_warnings(laid, pages=1)
    assert [w.code for w in warnings] == ["ocr_text", "ocr_low_confidence"]
    assert "1 处把握不大" in warnings[0].message_zh
    assert warnings[1].message_zh == "第 1 页此处识别把握不大:「10」,请对照原件核对。"
    document = Document(
        text=laid.text, source_name="scan.png", format="image", warnings=warnings, boxes=laid.boxes
    )
    quote = document.text.index("制造业投资增长10%")
    assert document.needs_double_check(quote, quote + len("制造业投资增长10%"))
    other = document.text.index("力争38%")
    assert not document.needs_double_check(other, other + len("力争38%"))
    assert [b.confidence for b in document.locate(quote, quote + 3)] == [
        round((7 * 0.99 + 0.42 + 0.55 + 0.97) / 10, 4)
    ]


def test_a_document_without_ocr_needs_no_double_check() -> None:
    document = Document(
        text="规上工业增加值增长6%",
        source_name="plan.txt",
        format="txt",
        warnings=(PlanWarning(code="mixed_encoding", message_zh="混合", message_en="mixed", start=0, end=4),),
    )
    assert not document.needs_double_check(0, 11)
    assert document.locate(0, 11) == ()
