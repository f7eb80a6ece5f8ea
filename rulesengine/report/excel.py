"""Reports as Excel workbooks: any list of sheets (``save_workbook``, ``workbook_bytes``) and a
check (``check_sheets``).

One writer for every workbook we make: header row in bold on a fill, columns as wide as their
widest line (CJK counts twice, capped), the header frozen and filterable, and every text cell
forced to the string type (``cells.excel_text``) so a document's ``=…`` is never a formula.
Written in openpyxl's write-only mode: a batch summary may have thousands of rows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rulesengine.labels import COVERAGE_ZH, PLAN_ROLE_ZH, REVIEW_ORDER, REVIEW_ZH, SEVERITY_ORDER, SEVERITY_ZH
from rulesengine.report.cells import display_width, excel_text
from rulesengine.report.document import FINDING_HEAD, CheckReport, finding_rows

__all__ = ["STATE_FILL", "Sheet", "check_sheets", "save_workbook", "workbook_bytes"]

_HEADER_FILL = "DDE4EE"
_MAX_WIDTH = 60
STATE_FILL = {
    "aligned": "D7F0DD",
    "weaker": "FCE8C3",
    "missing": "F8D3D0",
    "mismatch": "E4DDF4",
    "conflict": "E4DDF4",
    "dismissed": "ECEFF3",
}
"""The fill of a coverage cell by its state, the same colors as the coverage page."""


@dataclass(frozen=True)
class Sheet:
    """One sheet: a header, its rows, and optionally fills by (row, column) from 0 under the
    header, and rows after a blank line (a legend) with their own fills."""

    name: str
    head: Sequence[str]
    rows: Sequence[Sequence[object]]
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)
    after: Sequence[Sequence[tuple[object, str]]] = ()
    wrap: bool = True


def _widths(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[int]:
    widths = [display_width(h) for h in head]
    for row in rows:
        for i, value in enumerate(row):
            text = "" if value is None else str(value)
            if len(text) >= _MAX_WIDTH:  # every character is at least one column wide
                widths[i] = _MAX_WIDTH
            elif 2 * len(text) > widths[i]:  # else it cannot be wider than what we have
                widths[i] = max(widths[i], *(display_width(part) for part in text.split("\n")))
    return [min(w, _MAX_WIDTH) + 2 for w in widths]


def _write(book: Any, sheet: Sheet) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet.name)
    for i, width in enumerate(_widths(sheet.head, sheet.rows), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(sheet.head)))}{max(1, len(sheet.rows) + 1)}"
    fills = {color: PatternFill("solid", fgColor=color) for color in {*sheet.fills.values(), _HEADER_FILL}}
    top = Alignment(vertical="top", wrap_text=True) if sheet.wrap else None

    def cell(value: object, color: str | None = None) -> Any:
        c = excel_text(WriteOnlyCell(ws, value=value))
        if top is not None and isinstance(value, str):
            c.alignment = top
        if color:
            c.fill = fills.setdefault(color, PatternFill("solid", fgColor=color))
        return c

    header = []
    for h in sheet.head:
        c = cell(h, _HEADER_FILL)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    for r, row in enumerate(sheet.rows):
        ws.append([cell(v, sheet.fills.get((r, j))) for j, v in enumerate(row)])
    if sheet.after:
        ws.append([])
        for extra in sheet.after:
            ws.append([cell(v, color or None) for v, color in extra])


def _book(sheets: Sequence[Sheet]) -> Any:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        _write(book, sheet)
    return book


def save_workbook(target: Path | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write the sheets as one .xlsx file (a path or a binary stream)."""
    _book(sheets).save(target)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    save_workbook(buffer, sheets)
    return buffer.getvalue()


def check_sheets(report: CheckReport) -> list[Sheet]:
    """The check as sheets: 问题清单 (findings with both quotes and review), 指标覆盖, 检查信息."""
    findings = Sheet("问题清单", FINDING_HEAD, finding_rows(report))
    sheets = [findings]
    cov = report.coverage
    if cov is not None:
        head = ["指标", "指标编号", *(f"{c.label}({PLAN_ROLE_ZH.get(c.role, c.role)})" for c in cov.columns)]
        rows: list[list[object]] = []
        fills: dict[tuple[int, int], str] = {}
        for i, row in enumerate(cov.rows):
            texts = []
            for j, c in enumerate(row.cells):
                state = c.state_zh and f"〔{c.state_zh}〕"
                texts.append("\n".join(filter(None, [c.text or "—", *c.notes, state])))
                if c.state:
                    fills[(i, j + 2)] = STATE_FILL[c.state]
            rows.append([row.name, row.indicator, *texts])
        legend = [("图例", ""), *((label, STATE_FILL[state]) for state, label in COVERAGE_ZH.items())]
        sheets.append(Sheet("指标覆盖", head, rows, fills, after=[legend]))
    info: list[tuple[str, object]] = [
        ("规划", report.title),
        (
            "上级规划",
            "\n".join(p.cite + (f" 第 {p.revision} 版" if report.reviewed else "") for p in report.parents),
        ),
        ("规则包版本", report.rule_pack_version),
        ("指标目录版本", report.catalog_version),
        *report.details,
        *((f"{SEVERITY_ZH[s]}数量", report.counts(s)) for s in SEVERITY_ORDER),
    ]
    if report.reviewed:
        info += [(f"{REVIEW_ZH[s]}数量", sum(f.status == s for f in report.findings)) for s in REVIEW_ORDER]
    sheets.append(Sheet("检查信息", ("项目", "内容"), info))
    return sheets
