"""One report of a check in three formats: the real 慈溪 plan against 浙江's, as the CLI, the batch
and the pages write it — the same findings, quotes and coverage in each."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rulesengine.check import PlanFacts, check_plan
from rulesengine.labels import CATEGORY_ZH, beijing_time, indicator_name
from rulesengine.plans import load_plan
from rulesengine.report import (
    CheckReport,
    Review,
    check_csv,
    check_docx,
    check_markdown,
    check_sheets,
    workbook_bytes,
)

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"


@pytest.fixture(scope="module")
def report() -> CheckReport:
    facts = [
        PlanFacts.from_plan(load_plan(PLANS / name))
        for name in ("cixi-2023-jingxin-gongzuo-silu.txt", "zhejiang-2023-jingxin-gongzuo-yaodian.txt")
    ]
    result = check_plan(facts[0], facts[1:])
    targets = {pf.plan.id: pf.targets for pf in facts}
    return CheckReport.from_result(result, facts[0].plan, [facts[1].plan], targets)


def test_the_markdown_lists_every_finding_under_its_category_with_both_quotes(report: CheckReport) -> None:
    text = check_markdown(report)
    assert text.startswith("# 对标检查报告:慈溪市 2023")
    for finding in report.findings:
        assert f"## {CATEGORY_ZH[finding.category.value]}(" in text
        county = [f for f in finding.facts if f.role == "county"]
        assert all(f"「{f.quote}」" in text for f in county)
    weaker = next(f for f in report.findings if f.rule_id == "weaker_than_parent")
    assert f"### {indicator_name(weaker.indicator)} · " in text


def test_the_coverage_matrix_shows_each_plans_value_and_the_verdict(report: CheckReport) -> None:
    assert report.coverage is not None
    row = next(r for r in report.coverage.rows if r.indicator == "manufacturing_investment_growth")
    county, parent = row.cells
    assert county.text.startswith("10%") and county.state == "weaker"
    assert "12%以上" in parent.values and parent.state == "weaker"
    assert report.coverage.counts["weaker"] >= 1


def test_csv_and_workbook_hold_the_findings_in_the_markdowns_order(report: CheckReport) -> None:
    messages = [f.message for f in report.findings]
    rows = list(csv.reader(io.StringIO(check_csv(report).removeprefix("\ufeff"))))
    assert [r[5] for r in rows[1:]] == messages
    book = load_workbook(io.BytesIO(workbook_bytes(check_sheets(report))))
    assert book.sheetnames == ["问题清单", "指标覆盖", "检查信息"]
    assert [r[5] for r in book["问题清单"].iter_rows(min_row=2, values_only=True)] == messages
    info = dict(book["检查信息"].iter_rows(min_row=2, values_only=True))
    assert info["规则包版本"] == report.rule_pack_version


def test_a_reviewed_report_shows_status_reviewer_comment_and_beijing_time(report: CheckReport) -> None:
    at = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
    first = report.findings[0]
    reviewed = replace(first, review=Review(7, "dismissed", "李四", at, "=不适用"))
    stored = CheckReport(report.plans, (reviewed,), report.rule_pack_version, report.catalog_version)
    text = check_markdown(stored)
    assert "已驳回" in text and "审核意见(李四):=不适用" in text and "问题编号 7" in text
    row = next(
        load_workbook(io.BytesIO(workbook_bytes(check_sheets(stored))))["问题清单"].iter_rows(min_row=2)
    )
    assert row[9].value == "=不适用" and row[9].data_type == "s"
    assert row[11].value == beijing_time(at) == "2026-12-07 04:30(北京时间)"


def test_the_word_report_reads_back_with_headings_the_findings_and_both_quotes(report: CheckReport) -> None:
    from docx import Document

    doc = Document(io.BytesIO(check_docx(report)))
    headings = [
        p.text
        for p in doc.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == f"{report.title}对标分析报告"
    assert {"一、基本情况", "二、发现概况", "三、问题清单", "四、指标覆盖"} <= set(headings)
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for finding in report.findings:
        assert finding.message in body
    weaker = next(f for f in report.findings if f.rule_id == "weaker_than_parent")
    for fact in weaker.facts:
        assert f"「{fact.quote}」" in cells
    assert "县级原文" in cells and "上级原文" in cells and report.rule_pack_version in cells
