"""Reports as Word documents (.docx): the 对标分析报告 an office sends upward.

Why Word: an analyst's finished work leaves the office as a document, not a spreadsheet. The
layout is the plain one official documents use — title in 小标题 style centered, body in a
Song/FangSong face, numbered sections, tables with a header row — built from the same
``CheckReport`` as the Markdown, Excel and CSV files, so the four never disagree. Text from a
document goes in as text runs: Word has no markup a quote could inject.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

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
from rulesengine.report.document import CheckReport

__all__ = ["check_docx"]

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


def _table(doc: object, head: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = doc.add_table(rows=1, cols=len(head))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)


def check_docx(report: CheckReport) -> bytes:
    """The check as a Word document: basic facts, counts, findings by category with the quotes of
    both sides (and their review, for a stored check), then the coverage table."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    _styles(doc)
    title = doc.add_heading(f"{report.title}对标分析报告", level=0)
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
            doc.add_heading(
                f"{number}. {indicator_name(f.indicator)}({SEVERITY_ZH[f.severity.value]}{state})", level=3
            )
            doc.add_paragraph(f.message)
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
