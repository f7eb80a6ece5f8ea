"""Reports as Word documents (.docx): the 对标分析报告 an office sends upward.

Why Word: an analyst's finished work leaves the office as a document, not a spreadsheet. The
layout is the plain one official documents use — title in 小标题 style centered, body in a
Song/FangSong face, numbered sections, tables with a header row — built from the same
``CheckReport`` as the Markdown, Excel and CSV files, so the four never disagree. Text from a
document goes in as text runs: Word has no markup a quote could inject.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from rulesengine.labels import (
    CATEGORY_ORDER,
    CATEGORY_ZH,
    REVIEW_ORDER,
    REVIEW_ZH,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    fact_line,
    indicator_name,
)
from rulesengine.report import province
from rulesengine.report.cells import docx_text
from rulesengine.report.document import CheckReport

__all__ = ["check_docx", "province_docx"]

_BODY_FONT = "仿宋"
_HEADING_FONT = "黑体"
_NUMBERS = "一二三四五六七八九十"


def _east_asian(run: object, font: str) -> None:
    """Word picks a CJK font from w:eastAsia, which python-docx's ``font.name`` does not set."""
    from docx.oxml.ns import qn

    r_pr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _styles(doc: object) -> None:
    from docx.shared import Pt

    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = _BODY_FONT
    normal.font.size = Pt(12)
    _east_asian(normal, _BODY_FONT)
    for level in (1, 2, 3):
        style = doc.styles[f"Heading {level}"]  # type: ignore[attr-defined]
        style.font.name = _HEADING_FONT
        style.font.color.rgb = None
        _east_asian(style, _HEADING_FONT)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@lru_cache(maxsize=65536)
def _cell_xml(text: str, bold: bool = False) -> str:
    """A w:tc whose one paragraph holds ``text`` literally: escaped, control characters shown as
    pictures (``cells.docx_text``), line breaks and tabs as Word's own w:br and w:tab.

    Cached: a province's tables repeat most of their cells (marks, states, city and parent
    names), and this is most of the time it takes to write them."""
    if not text:
        return "<w:tc><w:p/></w:tc>"
    body = escape(docx_text(text))
    if "\n" in body or "\t" in body or "\r" in body:
        lines = []
        for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            parts = (f'<w:t xml:space="preserve">{part}</w:t>' if part else "" for part in line.split("\t"))
            lines.append("<w:tab/>".join(parts))
        body = "<w:br/>".join(lines)
    else:
        body = f'<w:t xml:space="preserve">{body}</w:t>'
    return f"<w:tc><w:p><w:r>{'<w:rPr><w:b/></w:rPr>' if bold else ''}{body}</w:r></w:p></w:tc>"


def _row_xml(cells: Iterable[object], *, header: bool = False) -> str:
    head = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    body = "".join(_cell_xml(v if isinstance(v, str) else "" if v is None else str(v), header) for v in cells)
    return f"<w:tr>{head}{body}</w:tr>"


def _table(
    doc: object,
    head: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float] = (),
) -> None:
    """A table with a header row Word repeats on every page. The rows are written as XML and
    parsed once, not added through python-docx (whose ``add_row`` and ``cell.text`` walk the
    table again for each row and cell): a province's matrix has thousands. ``widths`` are
    relative column widths, fixed so Word need not measure every cell to lay the table out."""
    from docx.oxml import parse_xml

    table = doc.add_table(rows=0, cols=len(head))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    if widths:
        table.autofit = False
        grid = table._tbl.tblGrid.gridCol_lst
        total_width = sum(int(g.w) for g in grid)
        for g, share in zip(grid, widths, strict=True):
            g.w = int(total_width * share / sum(widths))
    xml = [f'<w:tbl xmlns:w="{_W_NS}">', _row_xml(head, header=True)]
    xml += [_row_xml(row) for row in rows]
    xml.append("</w:tbl>")
    table._tbl.extend(list(parse_xml("".join(xml))))


def _paragraph(doc: object, text: str) -> None:
    doc.add_paragraph(docx_text(text))  # type: ignore[attr-defined]


def _heading(doc: object, text: str, level: int) -> Any:
    return doc.add_heading(docx_text(text), level=level)  # type: ignore[attr-defined]


def _title(doc: object, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    title = _heading(doc, text, 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        _east_asian(run, _HEADING_FONT)


def check_docx(report: CheckReport) -> bytes:
    """The check as a Word document: basic facts, counts, findings by category with the quotes of
    both sides (and their review, for a stored check), then the coverage table."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    _styles(doc)
    title = _heading(doc, f"{report.title}对标分析报告", 0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        _east_asian(run, _HEADING_FONT)

    section = iter(_NUMBERS)
    doc.add_heading(f"{next(section)}、基本情况", level=1)
    facts = [
        ("被检查规划", report.county.cite),
        ("上级规划", "、".join(p.cite for p in report.parents) or "无"),
        ("规则包版本", report.rule_pack_version),
        ("指标目录版本", report.catalog_version),
        *report.details,
    ]
    _table(doc, ("项目", "内容"), facts)

    doc.add_heading(f"{next(section)}、发现概况", level=1)
    head = ["严重性", "数量", *((REVIEW_ZH[s] for s in REVIEW_ORDER) if report.reviewed else ())]
    rows = []
    for sev in SEVERITY_ORDER:
        group = [f for f in report.findings if f.severity.value == sev]
        by_status = [sum(f.status == s for f in group) for s in REVIEW_ORDER] if report.reviewed else []
        rows.append([SEVERITY_ZH[sev], len(group), *by_status])
    _table(doc, head, rows)

    doc.add_heading(f"{next(section)}、问题清单", level=1)
    if not report.findings:
        doc.add_paragraph("未发现问题。")
    number = 0
    for category in CATEGORY_ORDER:
        group = [f for f in report.findings if f.category.value == category]
        if not group:
            continue
        doc.add_heading(f"({CATEGORY_ZH[category]},{len(group)} 项)", level=2)
        for f in group:
            number += 1
            state = f" · {f.review.status_zh}" if f.review is not None else ""
            _heading(
                doc, f"{number}. {indicator_name(f.indicator)}({SEVERITY_ZH[f.severity.value]}{state})", 3
            )
            _paragraph(doc, f.message)
            quotes = [("县级原文" if x.role == "county" else "上级原文", fact_line(x)) for x in f.facts]
            if f.review is not None and f.review.comment:
                who = f"({f.review.reviewed_by})" if f.review.reviewed_by else ""
                quotes.append((f"审核意见{who}", f.review.comment))
            quotes.append(("规则", f"{f.rule_id} 第 {f.rule_version} 版"))
            _table(doc, ("", "内容"), quotes)

    if report.coverage is not None:
        doc.add_heading(f"{next(section)}、指标覆盖", level=1)
        cov_rows = [
            [row.name, *((c.text or "—") + (f"({c.state_zh})" if c.state else "") for c in row.cells)]
            for row in report.coverage.rows
            if not row.empty
        ]
        _table(doc, ("指标", *(c.label for c in report.coverage.columns)), cov_rows)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


_MATRIX_COLUMNS = 6
"""Indicator columns per table of the province matrix: with the county, its city and its open
gaps they fill a landscape A4 page and stay readable; more columns make more tables."""


def _page(section: object, *, landscape: bool) -> None:
    """A4, the paper an office prints on, upright or on its side."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    long, short = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    section.page_width, section.page_height = (long, short) if landscape else (short, long)  # type: ignore[attr-defined]


def province_docx(report: province.ProvinceReport) -> bytes:
    """The province as a Word document: basic facts, the summary, the findings that compare
    counties, the matrix of every county against the parents' headline indicators (a landscape
    section, several tables when the columns do not fit one), the findings by category with both
    sides' quotes, and the plans that could not be checked."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    doc = Document()
    _styles(doc)
    _page(doc.sections[0], landscape=False)
    _title(doc, report.title)

    _heading(doc, "基本情况", 1)
    _table(doc, ("项目", "内容"), province.basic_facts(report), widths=(1, 4))

    section = iter(_NUMBERS)
    s = report.summary
    _heading(doc, f"{next(section)}、总体情况", 1)
    _paragraph(doc, province.summary_sentence(report))
    _table(doc, ("严重性", "发现数"), [(SEVERITY_ZH[k], n) for k, n in s.by_severity.items()])
    _table(doc, ("类别", "发现数"), [(CATEGORY_ZH[k], s.by_category.get(k, 0)) for k in CATEGORY_ORDER])

    _heading(doc, f"{next(section)}、跨县发现", 1)
    if not report.cross:
        _paragraph(doc, "无跨县发现。")
    for rule_id, group in province.cross_by_rule(report):
        _heading(doc, f"({rule_id},{len(group)} 项)", 2)
        for number, f in enumerate(group, 1):
            _heading(doc, f"{number}. {province.finding_title(f)}", 3)
            _paragraph(doc, f.message)
            _table(doc, ("依据", "原文与审核"), province.fact_rows(f), widths=(1, 8))

    landscape = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, landscape=True)
    _heading(doc, f"{next(section)}、各县对标情况", 1)
    _paragraph(doc, province.matrix_legend(report))
    shown = province.matrix_columns(report)
    for start in range(0, max(len(shown), 1), _MATRIX_COLUMNS):
        chunk = shown[start : start + _MATRIX_COLUMNS]
        head, rows = province.matrix(report, chunk)
        _table(doc, head, rows, widths=(2, 1.5, 1, *(2 for _ in chunk)))

    _heading(doc, f"{next(section)}、问题清单", 1)
    listed = province.finding_list(report)
    if not listed:
        _paragraph(doc, "未发现问题。")
    for category, rows in listed:
        _heading(doc, f"({CATEGORY_ZH[category]},{len(rows)} 项)", 2)
        _table(doc, province.FINDING_LIST_HEAD, rows, widths=(0.8, 1.5, 1.8, 0.8, 4, 4, 1, 0.8))

    _heading(doc, f"{next(section)}、未能检查的规划", 1)
    if report.unchecked:
        _table(doc, ("文件", "原因"), [(u.file, u.reason) for u in report.unchecked], widths=(1, 3))
    else:
        _paragraph(doc, "无。")

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
