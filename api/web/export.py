"""A check as a file a reviewer can send on: Markdown, or an Excel workbook.

Both are built from the same ``CheckReport`` the check page shows, so a download never says
something the page does not. Document text is untrusted here as well:

* Markdown: quotes and messages are backslash-escaped (CommonMark escapes any ASCII
  punctuation), so a plan's ``<script>`` or ``[link](…)`` stays text when the file is rendered;
* Excel: openpyxl stores a string that starts with ``=`` as a formula, so every text cell is
  forced to the string type — a plan cannot put a formula in a reviewer's spreadsheet.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from api.schemas import CheckPublic, FindingPublic, ParentRef
from api.web.data import Column, Coverage
from api.web.present import (
    CATEGORY_ORDER,
    CATEGORY_ZH,
    COVERAGE_ZH,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    STATUS_ORDER,
    STATUS_ZH,
    indicator_name,
)
from rulesengine.cells import display_width, excel_text

__all__ = ["CheckReport", "markdown", "workbook"]


@dataclass(frozen=True)
class CheckReport:
    """Everything an export holds: the check, its plans, its findings, the coverage matrix."""

    check: CheckPublic
    title: str
    columns: Sequence[Column]
    findings: Sequence[FindingPublic]
    coverage: Coverage

    @property
    def county(self) -> Column:
        return self.columns[0]


def _cite(plan: ParentRef) -> str:
    """浙江省 2023《2023年全省经信工作要点》, or without the 《》 when the plan has no title."""
    return f"{plan.region_name} {plan.period}" + (f"《{plan.title}》" if plan.title else "")


def _local(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


# -- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&])")
_MD_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+])(?=\s|$)")


def md(text: str) -> str:
    """Text safe in Markdown prose or a table cell: one line, and nothing in it makes markup.

    Escapes what can start a tag, link, emphasis, code, heading, table cell or entity, plus a
    list marker at the start; leaves ``.``/``-`` inside text alone so 5.5% stays readable.
    """
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", flat
    )


def _quotes(finding: FindingPublic, role: str) -> list[str]:
    return [f"{f.region}:{f.quote}" for f in finding.facts if f.role == role]


def markdown(report: CheckReport) -> str:
    """The check as Markdown: versions, counts, then findings by category with both quotes."""
    c = report.check
    lines = [
        f"# 对标检查报告:{md(report.title)}",
        "",
        f"- 检查编号:{c.id}(规划 `{c.plan_id}` 第 {c.plan_revision} 版)",
        f"- 上级规划:{'、'.join(md(_cite(p)) for p in c.parents) or '无'}",
        f"- 规则包版本:{md(c.rule_pack_version)};指标目录版本:{md(c.catalog_version)}",
        f"- 运行:{md(c.created_by)},{_local(c.created_at)}",
        "",
        "| 严重性 | 数量 | " + " | ".join(STATUS_ZH[s] for s in STATUS_ORDER) + " |",
        "|---|---:|" + "---:|" * len(STATUS_ORDER),
    ]
    for sev in SEVERITY_ORDER:
        group = [f for f in report.findings if f.severity.value == sev]
        counts = [sum(1 for f in group if f.status.value == s) for s in STATUS_ORDER]
        lines.append(f"| {SEVERITY_ZH[sev]} | {len(group)} | " + " | ".join(map(str, counts)) + " |")
    lines.append("")
    for category in CATEGORY_ORDER:
        group = [f for f in report.findings if f.category.value == category]
        if not group:
            continue
        lines += [f"## {CATEGORY_ZH[category]}({len(group)})", ""]
        for f in group:
            lines += [
                f"### {md(indicator_name(f.indicator))} · {SEVERITY_ZH[f.severity.value]} · "
                f"{STATUS_ZH[f.status.value]}",
                "",
                md(f.message),
                "",
                f"- 规则:`{f.rule_id}` 第 {f.rule_version} 版;问题编号 {f.id}",
            ]
            for label, role in (("县级原文", "county"), ("上级原文", "parent")):
                for quote in _quotes(f, role):
                    lines.append(f"- {label}:{md(quote)}")
            if f.comment:
                lines.append(f"- 审核意见({md(f.updated_by)}):{md(f.comment)}")
            lines.append("")
    lines += ["## 指标覆盖", "", _coverage_table(report.coverage), ""]
    return "\n".join(lines)


def _coverage_table(cov: Coverage) -> str:
    head = "| 指标 | " + " | ".join(md(c.label) for c in cov.columns) + " |"
    rule = "|---|" + "---|" * len(cov.columns)
    rows = []
    for row in cov.rows:
        if row.empty:
            continue
        cells = []
        for cell in row.cells:
            text = md(cell.text or "—")
            if cell.state:
                text += f"({cell.state_zh})"
            cells.append(text)
        rows.append(f"| {md(row.name)} | " + " | ".join(cells) + " |")
    return "\n".join([head, rule, *rows])


# -- Excel -----------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_STATE_FILL = {
    "aligned": "D7F0DD",
    "weaker": "FCE8C3",
    "missing": "F8D3D0",
    "mismatch": "E4DDF4",
    "conflict": "E4DDF4",
}
_MAX_WIDTH = 60


def _put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    cell: Cell = excel_text(ws.cell(row=row, column=column, value=value))  # never a formula
    return cell


def _table(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    widths = [display_width(h) for h in header]
    for j, h in enumerate(header, start=1):
        cell = _put(ws, 1, j, h)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, values in enumerate(rows, start=2):
        for j, value in enumerate(values, start=1):
            cell = _put(ws, i, j, value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            longest = max((display_width(part) for part in str(value or "").split("\n")), default=0)
            widths[j - 1] = max(widths[j - 1], longest)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, width + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"


FINDING_HEADER = (
    "问题编号",
    "严重性",
    "类别",
    "指标",
    "指标编号",
    "说明",
    "县级原文",
    "上级原文",
    "审核状态",
    "审核意见",
    "审核人",
    "更新时间",
    "规则",
    "规则版本",
)


def workbook(report: CheckReport) -> bytes:
    """The check as .xlsx: 问题清单 (findings with both quotes and review status), 指标覆盖, 检查信息."""
    wb = Workbook()
    findings = wb.active
    assert findings is not None
    findings.title = "问题清单"
    _table(
        findings,
        FINDING_HEADER,
        [
            (
                f.id,
                SEVERITY_ZH[f.severity.value],
                CATEGORY_ZH[f.category.value],
                indicator_name(f.indicator),
                f.indicator,
                f.message,
                "\n".join(_quotes(f, "county")),
                "\n".join(_quotes(f, "parent")),
                STATUS_ZH[f.status.value],
                f.comment or "",
                f.updated_by,
                _local(f.updated_at),
                f.rule_id,
                f.rule_version,
            )
            for f in report.findings
        ],
    )
    cov = wb.create_sheet("指标覆盖")
    header = [
        "指标",
        "指标编号",
        *(f"{c.label}({'县级' if c.role == 'county' else '上级'})" for c in report.columns),
    ]
    rows = [
        [
            row.name,
            row.indicator,
            *(
                "\n".join(
                    filter(None, [cell.text or "—", *cell.notes, cell.state_zh and f"〔{cell.state_zh}〕"])
                )
                for cell in row.cells
            ),
        ]
        for row in report.coverage.rows
    ]
    _table(cov, header, rows)
    for i, row in enumerate(report.coverage.rows, start=2):
        for j, cell in enumerate(row.cells, start=3):
            if cell.state:
                cov.cell(row=i, column=j).fill = PatternFill("solid", fgColor=_STATE_FILL[cell.state])
    legend_row = len(rows) + 3
    _put(cov, legend_row, 1, "图例")
    for j, (state, label) in enumerate(COVERAGE_ZH.items(), start=2):
        _put(cov, legend_row, j, label).fill = PatternFill("solid", fgColor=_STATE_FILL[state])
    info = wb.create_sheet("检查信息")
    c = report.check
    _table(
        info,
        ("项目", "内容"),
        [
            ("规划", report.title),
            ("检查编号", c.id),
            ("规划版本", f"{c.plan_id} 第 {c.plan_revision} 版"),
            (
                "上级规划",
                "\n".join(f"{_cite(p)} 第 {p.revision} 版" for p in c.parents),
            ),
            ("规则包版本", c.rule_pack_version),
            ("指标目录版本", c.catalog_version),
            ("运行人", c.created_by),
            ("运行时间", _local(c.created_at)),
            *((f"{SEVERITY_ZH[s]}数量", c.counts_by_severity.get(s, 0)) for s in SEVERITY_ORDER),
            *((f"{STATUS_ZH[s]}数量", c.counts_by_status.get(s, 0)) for s in STATUS_ORDER),
        ],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
