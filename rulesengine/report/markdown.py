"""Reports as Markdown: a check (``check_markdown``) and any table of rows (``table``).

Every text that came from a document — titles, quotes, messages, file names — goes through
``cells.md``, so a plan's ``<script>`` or ``[link](…)`` stays text wherever the file is rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

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
from rulesengine.report.cells import md
from rulesengine.report.coverage import Coverage
from rulesengine.report.document import CheckReport, ReportFinding

__all__ = ["check_markdown", "province_markdown", "table"]


def table(head: Sequence[str], rows: Sequence[Sequence[object]], *, links: Sequence[int] = ()) -> list[str]:
    """A Markdown table, every cell escaped; the columns in ``links`` hold relative paths shown
    as links to themselves (a batch summary's reports), the target percent-encoded."""
    lines = ["| " + " | ".join(md(h) for h in head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [md(v) for v in row]
        for i in links:
            if row[i]:
                cells[i] = f"[{cells[i]}]({quote(str(row[i]), safe='/')})"
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _counts(report: CheckReport) -> list[str]:
    if not report.reviewed:
        return [
            "错误 {} · 警告 {} · 提示 {}".format(*(report.counts(s) for s in SEVERITY_ORDER)),
        ]
    head = ["严重性", "数量", *(REVIEW_ZH[s] for s in REVIEW_ORDER)]
    rows = []
    for sev in SEVERITY_ORDER:
        group = [f for f in report.findings if f.severity.value == sev]
        rows.append(
            [SEVERITY_ZH[sev], len(group), *(sum(f.status == s for f in group) for s in REVIEW_ORDER)]
        )
    return table(head, rows)


def _finding(f: ReportFinding) -> list[str]:
    heading = f"### {md(indicator_name(f.indicator))} · {SEVERITY_ZH[f.severity.value]}"
    if f.review is not None:
        heading += f" · {f.review.status_zh}"
    rule = f"- 规则:`{f.rule_id}` 第 {f.rule_version} 版" + (f";问题编号 {f.id}" if f.id is not None else "")
    lines = [heading, "", md(f.message), "", rule]
    for label, role in (("县级原文", "county"), ("上级原文", "parent")):
        lines += [f"- {label}:{md(fact_line(x))}" for x in f.facts if x.role == role]
    if f.review is not None and f.review.comment:
        who = f"({md(f.review.reviewed_by)})" if f.review.reviewed_by else ""
        lines.append(f"- 审核意见{who}:{md(f.review.comment)}")
    return [*lines, ""]


def _coverage(cov: Coverage) -> list[str]:
    rows = []
    for row in cov.rows:
        if row.empty:
            continue
        cells = [(c.text or "—") + (f"({c.state_zh})" if c.state else "") for c in row.cells]
        rows.append([row.name, *cells])
    return table(["指标", *(c.label for c in cov.columns)], rows)


def check_markdown(report: CheckReport) -> str:
    """The check as Markdown: plans, versions, notes, counts, then findings by category with
    the quotes of both sides, then the coverage matrix when the report has one."""
    parents = "、".join(md(p.cite) for p in report.parents) or "无"
    lines = [
        f"# 对标检查报告:{md(report.title)}",
        "",
        f"- 上级规划:{parents}",
        f"- 规则包版本 {md(report.rule_pack_version)} · 指标目录版本 {md(report.catalog_version)}",
        *(f"- {label}:{md(text)}" for label, text in report.details),
        "",
        *_counts(report),
        "",
    ]
    for category in CATEGORY_ORDER:
        group = [f for f in report.findings if f.category.value == category]
        if group:
            lines += [f"## {CATEGORY_ZH[category]}({len(group)})", ""]
            for f in group:
                lines += _finding(f)
    if report.coverage is not None:
        lines += ["## 指标覆盖", "", *_coverage(report.coverage), ""]
    return "\n".join(lines)


def province_markdown(report: province.ProvinceReport) -> str:
    """The province as Markdown, the sections and tables of ``province_docx``: basic facts, the
    summary, the cross-county findings, the matrix (one table, its columns the headline ones),
    the findings by category, the plans that could not be checked."""
    s = report.summary
    lines = [f"# {md(report.title)}", "", "## 基本情况", ""]
    lines += table(("项目", "内容"), province.basic_facts(report))
    lines += ["", "## 一、总体情况", "", md(province.summary_sentence(report)), ""]
    lines += table(("严重性", "发现数"), [(SEVERITY_ZH[k], n) for k, n in s.by_severity.items()])
    lines += [""]
    lines += table(("类别", "发现数"), [(CATEGORY_ZH[k], s.by_category.get(k, 0)) for k in CATEGORY_ORDER])
    lines += ["", "## 二、跨县发现", ""]
    if not report.cross:
        lines += ["无跨县发现。", ""]
    for rule_id, group in province.cross_by_rule(report):
        lines += [f"### {md(rule_id)}({len(group)} 项)", ""]
        for number, f in enumerate(group, 1):
            lines += [f"{number}. {md(province.finding_title(f))}:{md(f.message)}", ""]
            lines += [f"   - {label}:{md(text)}" for label, text in province.fact_rows(f)]
            lines += [""]
    head, rows = province.matrix(report, province.matrix_columns(report))
    lines += ["## 三、各县对标情况", "", md(province.matrix_legend(report)), "", *table(head, rows), ""]
    lines += ["## 四、问题清单", ""]
    listed = province.finding_list(report)
    if not listed:
        lines += ["未发现问题。", ""]
    for category, found in listed:
        lines += [
            f"### {CATEGORY_ZH[category]}({len(found)} 项)",
            "",
            *table(province.FINDING_LIST_HEAD, found),
            "",
        ]
    lines += ["## 五、未能检查的规划", ""]
    if report.unchecked:
        lines += table(("文件", "原因"), [(u.file, u.reason) for u in report.unchecked])
    else:
        lines += ["无。"]
    return "\n".join(lines) + "\n"
