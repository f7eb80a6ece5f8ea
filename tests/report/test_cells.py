"""One rule for spreadsheet cells: text a plan wrote never runs as a formula; CJK is wide."""

from __future__ import annotations

from openpyxl import Workbook

from rulesengine.report.cells import csv_text, display_width, excel_text, md


def test_display_width_counts_cjk_twice() -> None:
    assert display_width("慈溪市 2023") == 11
    assert display_width("abc") == 3


def test_csv_cells_that_look_like_formulas_get_a_quote_and_others_are_unchanged() -> None:
    assert csv_text("=HYPERLINK(1).txt") == "'=HYPERLINK(1).txt"
    assert csv_text("@cmd") == "'@cmd" and csv_text("-1") == "'-1"
    assert csv_text("慈溪市") == "慈溪市" and csv_text("") == ""


def test_an_excel_cell_with_formula_text_stays_a_string_and_numbers_stay_numbers() -> None:
    sheet = Workbook().active
    assert sheet is not None
    text = excel_text(sheet.cell(row=1, column=1, value='=HYPERLINK("x","y")'))
    number = excel_text(sheet.cell(row=1, column=2, value=12))
    assert (text.data_type, text.value) == ("s", '=HYPERLINK("x","y")')
    assert number.data_type == "n"


def test_markdown_text_from_a_document_makes_no_markup() -> None:
    assert md("<b>[x](y)</b> 5.5%") == "\\<b\\>\\[x\\](y)\\</b\\> 5.5%"
    assert md("1. 列表") == "1\\. 列表" and md("- 列表") == "\\- 列表"
    assert md("第一行\n第二行 | 表格") == "第一行 第二行 \\| 表格"
