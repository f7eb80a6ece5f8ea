"""The province report: real checks — 慈溪 2023 and synthetic 浙江 counties against 浙江 2023 and
2021-2025, a Beijing district — as one model, then as Word (read back with python-docx) and as
Markdown; sorting and the city filter; cross-county findings quoting many counties; text from
documents that looks like markup, a formula or holds control characters stays literal."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rulesengine.catalog import default_catalog
from rulesengine.check import PlanFacts, check_plan
from rulesengine.labels import NO_CITY_ZH, REVIEW_ORDER, REVIEW_ZH, SEVERITY_MARK, fact_line, value_text
from rulesengine.model import Category, Finding, FindingFact, Severity
from rulesengine.plans import load_plan, plan_from_text
from rulesengine.regions import default_index
from rulesengine.report import (
    CheckReport,
    CountyCheck,
    ParentPlan,
    ProvinceReport,
    Review,
    UncheckedPlan,
    province_docx,
    province_markdown,
    province_report,
)
from rulesengine.report.cells import md
from rulesengine.report.province import SETTLED, matrix_columns
from tools.synth import generate

PLANS = Path(__file__).resolve().parents[2] / "examples" / "plans"
HOSTILE = '=HYPERLINK("x")+1 | <b>粗</b>\x07'
SEVERITY_WEIGHT = {"error": 3, "warning": 2, "info": 1}


@pytest.fixture(scope="module")
def parents() -> list[PlanFacts]:
    return [
        PlanFacts.from_plan(load_plan(PLANS / name))
        for name in (
            "zhejiang-2023-jingxin-gongzuo-yaodian.txt",
            "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt",
        )
    ]


def _check(pf: PlanFacts, parents: list[PlanFacts], reviewed: bool = False, first_id: int = 1) -> CountyCheck:
    allow = tuple(
        name
        for name, waived in (
            ("region", pf.plan.region.code[:2] != "33"),
            ("period", pf.plan.period.start != 2023),
        )
        if waived
    )
    result = check_plan(pf, parents, allow=allow)
    report = CheckReport.from_result(result, pf.plan, [p.plan for p in parents])
    if reviewed:  # a stored check: every finding has an id, the states cycle
        at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
        findings = tuple(
            replace(f, review=Review(first_id + i, REVIEW_ORDER[i % len(REVIEW_ORDER)], "李四", at))
            for i, f in enumerate(report.findings)
        )
        report = replace(report, findings=findings)
    return CountyCheck(report, pf.plan.region, tuple(pf.targets), check_id=first_id if reviewed else None)


@pytest.fixture(scope="module")
def facts() -> list[PlanFacts]:
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    synthetic = [
        PlanFacts.from_plan(plan_from_text(s.text, region=s.region, period=s.period, plan_id=s.id))
        for s in generate(8, 3)
    ]
    district = generate(1, 4)[0]
    haidian = PlanFacts.from_plan(
        plan_from_text(district.text, region="北京市海淀区", period="2023", plan_id="haidian-2023")
    )
    return [cixi, *synthetic, haidian]


@pytest.fixture(scope="module")
def counties(facts: list[PlanFacts], parents: list[PlanFacts]) -> list[CountyCheck]:
    checks = [_check(facts[0], parents, reviewed=True, first_id=100)]
    checks += [_check(pf, parents) for pf in facts[1:]]
    title = replace(checks[1].report.plans[0], title=HOSTILE)  # a title a document could hold
    checks[1] = replace(
        checks[1], report=replace(checks[1].report, plans=(title, *checks[1].report.plans[1:]))
    )
    return checks


@pytest.fixture(scope="module")
def cross(facts: list[PlanFacts], parents: list[PlanFacts]) -> list[Finding]:
    """A peer comparison, as the cross-county rules write them: the province's target, then
    every county that sets the same indicator."""
    parent_target = next(t for t in parents[0].targets if t.indicator == "industrial_va_growth")
    head = FindingFact(
        role="parent",
        plan_id=parents[0].plan.id,
        region=parents[0].plan.region.name,
        indicator=parent_target.indicator,
        value=parent_target.value,
        unit=parent_target.unit,
        period=str(parent_target.period),
        quote=parent_target.quote,
    )
    quoted = [
        FindingFact(
            role="county",
            plan_id=pf.plan.id,
            region=pf.plan.region.name,
            indicator=t.indicator,
            value=t.value,
            unit=t.unit,
            period=str(pf.plan.period),
            quote=t.quote,
            start=t.span.start,
            end=t.span.end,
        )
        for pf in facts
        for t in pf.targets
        if t.indicator == "industrial_va_growth"
    ]
    hostile = quoted[0].model_copy(update={"quote": HOSTILE})
    return [
        Finding(
            rule_id="peer_comparison",
            rule_version=1,
            severity=Severity.warning,
            category=Category.weaker,
            indicator="industrial_va_growth",
            message=f"{len(quoted)} 个县的目标低于省级",
            facts=(head, *quoted, hostile),
            fingerprint="peer-1",
        )
    ]


@pytest.fixture(scope="module")
def report(parents: list[PlanFacts], counties: list[CountyCheck], cross: list[Finding]) -> ProvinceReport:
    return province_report(
        [ParentPlan.of(p.plan, p.targets) for p in parents],
        counties,
        unchecked=[
            UncheckedPlan("坏文件.pdf", "无法读取 / unreadable"),
            UncheckedPlan(HOSTILE + ".doc", HOSTILE),
        ],
        cross=cross,
        generated_at=datetime(2026, 12, 6, 12, 30, tzinfo=UTC),
    )


def test_columns_are_the_parents_headline_indicators_then_the_others_in_catalog_order(
    report: ProvinceReport, parents: list[PlanFacts]
) -> None:
    catalog = default_catalog()
    order = [i.id for i in catalog]
    asked = {t.indicator for p in parents for t in p.targets}
    headline = [i for i in catalog.headline_ids() if i in asked]
    ids = [c.indicator for c in report.columns]
    assert ids[: len(headline)] == sorted(headline, key=order.index) and headline
    assert ids[len(headline) :] == sorted(ids[len(headline) :], key=order.index)
    assert set(ids) == asked & set(order)
    column = report.columns[report.column("labor_productivity")]
    assert column.name == "规上制造业全员劳动生产率"
    for pf in parents:  # each parent that sets it, its value as the plan writes it
        for t in pf.targets:
            if t.indicator == "labor_productivity":
                assert value_text(t) in column.parent_text and pf.plan.region.name in column.parent_text
    capped = province_report([ParentPlan.of(p.plan, p.targets) for p in parents], [], max_columns=3)
    assert [c.indicator for c in capped.columns] == ids[:3]


def test_each_cell_is_the_countys_value_and_the_finding_that_most_needs_attention(
    report: ProvinceReport, counties: list[CountyCheck]
) -> None:
    by_plan = {c.report.county.plan_id: c for c in counties}
    seen_empty = seen_finding = 0
    for row in report.rows:
        county = by_plan[row.plan.plan_id]
        for column, cell in zip(report.columns, row.cells, strict=True):
            values = {value_text(t) for t in county.targets if t.indicator == column.indicator}
            assert set(filter(None, cell.text.split(" / "))) == values
            about = [f for f in county.report.findings if f.indicator == column.indicator]
            if not about:
                assert cell.severity is None and cell.finding_ids == ()
                seen_empty += not values and cell.marked == ""
                continue
            standing = [f for f in about if f.status not in SETTLED] or about
            assert SEVERITY_WEIGHT[cell.severity or ""] == max(
                SEVERITY_WEIGHT[f.severity.value] for f in standing
            )
            assert (cell.status in SETTLED) == (not [f for f in about if f.status not in SETTLED])
            assert set(cell.finding_ids) == {f.id for f in about if f.id is not None}
            assert cell.marked.endswith(SEVERITY_MARK[cell.severity or ""] + cell.status_zh)
            seen_finding += 1
        counts = [
            sum(f.severity.value == s for f in county.report.findings) for s in ("error", "warning", "info")
        ]
        assert list(row.severity_counts) == counts
        assert row.open_gaps == sum(
            f.status in (None, "open") and f.severity.value != "info" for f in county.report.findings
        )
    assert seen_empty and seen_finding


def test_a_stored_checks_reviews_show_in_its_cells_and_count_out_of_open_gaps(report: ProvinceReport) -> None:
    cixi = next(r for r in report.rows if r.plan.region == "慈溪市")
    assert cixi.check_id == 100 and cixi.city_name == "宁波市"
    statuses = {c.status for c in cixi.cells if c.severity}
    assert statuses and statuses <= set(REVIEW_ORDER)
    assert cixi.open_gaps < cixi.count("warning") + cixi.count("error")
    assert any(c.finding_ids for c in cixi.cells)


def test_rows_sort_by_open_gaps_then_region_and_by_any_column(report: ProvinceReport) -> None:
    keys = [(-r.open_gaps, r.region_code) for r in report.rows]
    assert keys == sorted(keys)
    assert [r.region_code for r in report.view(by="region")] == sorted(r.region_code for r in report.rows)
    column = report.columns[0].indicator
    worst = [
        (
            r.cells[0].severity is not None and not r.cells[0].settled,
            SEVERITY_WEIGHT.get(r.cells[0].severity or "", 0),
        )
        for r in report.view(by=column)
    ]
    assert worst == sorted(worst, reverse=True) and len(set(worst)) > 1
    assert [r.count("info") for r in report.view(by="info", descending=False)] == sorted(
        r.count("info") for r in report.rows
    )
    with pytest.raises(ValueError, match=r"无法按.*cannot sort by 'nonsense'"):
        report.view(by="nonsense")


def test_the_city_filter_and_a_municipal_district_with_no_city(report: ProvinceReport) -> None:
    ningbo = default_index().resolve("宁波市").code
    in_ningbo = report.view(city=ningbo)
    assert in_ningbo and all(r.city_name == "宁波市" for r in in_ningbo)
    assert any(r.plan.region == "慈溪市" for r in in_ningbo)
    assert len(report.view(city=ningbo)) + sum(1 for r in report.rows if r.city_code != ningbo) == len(
        report.rows
    )
    haidian = next(r for r in report.rows if r.plan.plan_id == "haidian-2023")
    assert (haidian.city_code, haidian.city_label) == ("", NO_CITY_ZH)
    assert report.cities()[-1] == ("", NO_CITY_ZH, 1)
    assert report.view(city="") == (haidian,)


def test_the_summary_counts_counties_findings_and_cross_county_rules(
    report: ProvinceReport, counties: list[CountyCheck], cross: list[Finding]
) -> None:
    s = report.summary
    assert (s.checked, s.failed) == (len(counties), 2)
    everything = [f for c in counties for f in c.report.findings]
    assert sum(s.by_severity.values()) == sum(s.by_category.values()) == len(everything)
    assert s.with_error == sum(
        1 for c in counties if any(f.severity.value == "error" for f in c.report.findings)
    )
    assert s.cross_by_rule == {"peer_comparison": 1}
    quoted = {x.plan_id for x in cross[0].facts if x.role == "county"}
    assert {r.plan.plan_id for r in report.rows if r.cross} == quoted and len(quoted) > 3


def _docx(report: ProvinceReport):  # type: ignore[no-untyped-def]
    from docx import Document

    return Document(io.BytesIO(province_docx(report)))


def test_the_word_report_reads_back_with_its_sections_and_the_matrix(report: ProvinceReport) -> None:
    doc = _docx(report)
    headings = [
        p.text
        for p in doc.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == report.title == "浙江省所辖县(市、区)对标分析报告"
    for section in (
        "基本情况",
        "一、总体情况",
        "二、跨县发现",
        "三、各县对标情况",
        "四、问题清单",
        "五、未能检查的规划",
    ):
        assert section in headings
    basic = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert basic["生成时间"] == "2026-12-06 20:30(北京时间)"
    assert all(p.cite in basic["上级规划"] for p in report.parents)
    shown = matrix_columns(report)
    matrices = [t for t in doc.tables if t.rows[0].cells[0].text == "县(市、区)"]
    assert sum(len(t.columns) - 3 for t in matrices) == len(shown)
    first = matrices[0]
    assert [c.text for c in first.rows[0].cells[:3]] == ["县(市、区)", "所属地市", "待处理问题"]
    assert first.rows[0].cells[3].text.startswith(shown[0].name)
    assert len(first.rows) == len(report.rows) + 1
    for table_row, row in zip(list(first.rows)[1:], report.rows, strict=True):
        cells = [c.text for c in table_row.cells]
        assert cells[:3] == [row.plan.label, row.city_label, str(row.open_gaps)]
        assert cells[3:] == [row.cells[report.column(c.indicator)].marked for c in shown[: len(cells) - 3]]
    # a county that sets no value for a headline indicator: its cell holds no value, at most the
    # gap's mark and review
    blank = [
        (i, k, row.cells[report.column(c.indicator)])
        for i, row in enumerate(report.rows)
        for k, c in enumerate(shown[: len(first.columns) - 3])
        if row.cells[report.column(c.indicator)].text == ""
    ]
    assert blank
    for i, k, cell in blank:
        mark = SEVERITY_MARK[cell.severity] + cell.status_zh if cell.severity else ""
        assert first.rows[i + 1].cells[3 + k].text == mark


def test_the_word_report_quotes_both_sides_with_the_review_status(report: ProvinceReport) -> None:
    doc = _docx(report)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    cixi = next(r for r in report.rows if r.plan.region == "慈溪市")
    weaker = next(f for f in cixi.findings if f.category.value == "weaker")
    for fact in weaker.facts:
        assert fact_line(fact) in cells
    assert {x.role for x in weaker.facts} == {"county", "parent"}
    assert any(REVIEW_ZH[s] in cells for s in REVIEW_ORDER)
    for fact in report.cross[0].facts[:-1]:  # the cross-county finding, every county's quote
        assert fact_line(fact) in cells


def test_document_text_stays_literal_in_word_and_markdown(report: ProvinceReport) -> None:
    doc = _docx(report)
    text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    literal = HOSTILE.replace("\x07", "␇")
    assert literal + ".doc" in text and f"「{literal}」" in text
    markdown = province_markdown(report)
    assert md(HOSTILE + ".doc") in markdown and "\\| \\<b\\>粗\\</b\\>" in markdown
    assert "<b>" not in markdown


def test_the_markdown_has_the_same_sections_and_matrix(report: ProvinceReport) -> None:
    text = province_markdown(report)
    for section in (
        "## 基本情况",
        "## 一、总体情况",
        "## 二、跨县发现",
        "## 三、各县对标情况",
        "## 四、问题清单",
    ):
        assert f"\n{section}\n" in text
    for row in report.rows:
        assert f"| {md(row.plan.label)} | {md(row.city_label)} | {row.open_gaps} |" in text
    assert "## 五、未能检查的规划" in text and "坏文件.pdf" in text
