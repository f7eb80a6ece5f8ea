"""The province report for 90 and for 2,844 counties: the model, the Word file and the Markdown.

Run with `make bench` (or `.venv/bin/python bench/province_report.py`). The inputs are real
checks, one per county: 2,844 synthetic county plans (tools.synth, seed 11 — 浙江's 90 first,
then the rest of China), each extracted with `PlanFacts.from_plan` and checked with
`check_plan` against the two 浙江 plans in examples/plans, waiving the region for counties
outside 浙江 and the period for 2024 plans (the 2023 要点 does not cover them). Half the findings
get a review (every other one, cycling through the review states) as a stored check's would; one
cross-county finding per parent headline indicator quotes every county that sets it. Then, for
the first 90 and for all 2,844: CPU seconds to build the model (`province_report`), to write the
.docx and the Markdown, their sizes, and the process's RSS. Figures, never assertions; stored in
bench/results/latest.json, section "province_report".
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from harness.figures import PLANS, rss_mib, save
from rulesengine.check import PlanFacts, check_plan
from rulesengine.labels import REVIEW_ORDER
from rulesengine.model import Category, Finding, FindingFact, Severity
from rulesengine.plans import load_plan, plan_from_text
from rulesengine.report import (
    CheckReport,
    CountyCheck,
    ParentPlan,
    Review,
    UncheckedPlan,
    province_docx,
    province_markdown,
    province_report,
)
from tools.synth import generate

SIZES = (90, 2844)
SEED = 11


def _reviewed(report: CheckReport, first_id: int) -> CheckReport:
    """The report as a stored check's: ids on every finding, every other one reviewed."""
    from dataclasses import replace

    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    findings = tuple(
        replace(
            f,
            review=Review(
                first_id + i,
                REVIEW_ORDER[(i // 2) % len(REVIEW_ORDER)] if i % 2 else "open",
                "审核人" if i % 2 else "",
                at if i % 2 else None,
            ),
        )
        for i, f in enumerate(report.findings)
    )
    return replace(report, findings=findings)


def _inputs(n: int) -> tuple[list[ParentPlan], list[CountyCheck], list[PlanFacts], float]:
    parents = [
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")),
        PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt")),
    ]
    started = time.perf_counter()
    counties: list[CountyCheck] = []
    facts: list[PlanFacts] = []
    next_id = 1
    for synth in generate(n, SEED):
        plan = plan_from_text(synth.text, region=synth.region, period=synth.period, plan_id=synth.id)
        pf = PlanFacts.from_plan(plan)
        allow = tuple(
            name
            for name, waived in (
                ("region", not synth.region_code.startswith("33")),
                ("period", plan.period.start != 2023),
            )
            if waived
        )
        result = check_plan(pf, parents, allow=allow)
        report = _reviewed(CheckReport.from_result(result, plan, [p.plan for p in parents]), next_id)
        next_id += len(report.findings)
        counties.append(CountyCheck(report, plan.region, tuple(pf.targets), check_id=len(counties) + 1))
        facts.append(pf)
    return [ParentPlan.of(p.plan, p.targets) for p in parents], counties, facts, time.perf_counter() - started


def _cross(parents: list[ParentPlan], facts: list[PlanFacts]) -> list[Finding]:
    """One finding per parent headline indicator, quoting every county that sets it."""
    out = []
    for parent in parents[:1]:
        for t in parent.targets:
            quoted = [
                FindingFact(
                    role="county",
                    plan_id=pf.plan.id,
                    region=pf.plan.region.name,
                    indicator=c.indicator,
                    value=c.value,
                    unit=c.unit,
                    period=str(pf.plan.period),
                    quote=c.quote,
                    start=c.span.start,
                    end=c.span.end,
                )
                for pf in facts
                for c in pf.targets[:40]
                if c.indicator == t.indicator
            ]
            if len(quoted) < 2:
                continue
            head = FindingFact(
                role="parent",
                plan_id=parent.plan.plan_id,
                region=parent.plan.region,
                indicator=t.indicator,
                value=t.value,
                unit=t.unit,
                period=str(t.period),
                quote=t.quote,
                start=t.span.start,
                end=t.span.end,
            )
            out.append(
                Finding(
                    rule_id="peer_comparison",
                    rule_version=1,
                    severity=Severity.info,
                    category=Category.mismatch,
                    indicator=t.indicator,
                    message=f"{len(quoted)} 个县设定了该指标",
                    facts=(head, *quoted),
                    fingerprint=f"bench-{t.indicator}-{len(out)}",
                )
            )
    return out


def main() -> dict[str, Any]:
    parents, counties, facts, check_seconds = _inputs(max(SIZES))
    print(
        f"province_report: inputs — {len(counties)} synthetic counties read, extracted and checked "
        f"for real in {check_seconds:.1f} s"
    )
    figures: dict[str, Any] = {"inputs_seconds": round(check_seconds, 1), "seed": SEED}
    for n in SIZES:
        chosen, chosen_facts = counties[:n], facts[:n]
        cross = _cross(parents, chosen_facts)
        unchecked = [UncheckedPlan(f"bad-{i}.pdf", "无法读取 / unreadable") for i in range(n // 30)]
        cpu = time.process_time()
        report = province_report(parents, chosen, unchecked=unchecked, cross=cross)
        model = time.process_time() - cpu
        cpu = time.process_time()
        docx = province_docx(report)
        word = time.process_time() - cpu
        cpu = time.process_time()
        text = province_markdown(report)
        markdown = time.process_time() - cpu
        findings = sum(len(c.report.findings) for c in chosen)
        row = {
            "counties": n,
            "columns": len(report.columns),
            "findings": findings,
            "cross_findings": len(cross),
            "model_cpu_s": round(model, 3),
            "docx_cpu_s": round(word, 2),
            "docx_mb": round(len(docx) / 1e6, 2),
            "markdown_cpu_s": round(markdown, 2),
            "markdown_mb": round(len(text.encode()) / 1e6, 2),
            "rss_mib": round(rss_mib(), 1),
        }
        figures[str(n)] = row
        print(
            f"province_report: {n} counties × {row['columns']} columns, {findings:,} findings, "
            f"{len(cross)} cross-county: model {row['model_cpu_s']} s CPU; .docx {row['docx_cpu_s']} s, "
            f"{row['docx_mb']} MB; Markdown {row['markdown_cpu_s']} s, {row['markdown_mb']} MB; "
            f"RSS {row['rss_mib']} MiB"
        )
    save("province_report", figures)
    return figures


if __name__ == "__main__":
    main()
