"""What a check report holds, whatever it is written as and whoever ran the check.

Why a model of its own: the CLI and the batch report a ``CheckResult`` fresh from the engine;
the reviewer pages report a stored check whose findings carry review states and comments. Both
become one ``CheckReport`` here, so the Markdown, Excel and CSV writers exist once and a file
from the command line reads like a file from the pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rulesengine.labels import CATEGORY_ZH, REVIEW_ZH, SEVERITY_ZH, indicator_name, local_time
from rulesengine.model import Category, Finding, FindingFact, Plan, Severity, Target

if TYPE_CHECKING:
    from rulesengine.check import CheckResult
    from rulesengine.report.coverage import Coverage

__all__ = ["FINDING_HEAD", "CheckReport", "ReportFinding", "ReportPlan", "Review", "finding_rows"]


@dataclass(frozen=True)
class ReportPlan:
    """A plan the check read: the county first, then its parents in the check's order."""

    plan_id: str
    role: str  # "county" | "parent"
    region: str
    period: str
    title: str = ""
    revision: int = 1

    @property
    def label(self) -> str:
        return f"{self.region} {self.period}"

    @property
    def cite(self) -> str:
        """浙江省 2023《2023年全省经信工作要点》, without the 《》 when the plan has no title."""
        return self.label + (f"《{self.title}》" if self.title else "")

    @classmethod
    def of(cls, plan: Plan, role: str) -> ReportPlan:
        return cls(plan.id, role, plan.region.name, str(plan.period), plan.title)


@dataclass(frozen=True)
class Review:
    """Where a reviewer has got to with a stored finding: its status, and who decided it when
    (nobody, for an open finding — not whoever ran the check that found it)."""

    finding_id: int
    status: str
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    comment: str | None = None

    @property
    def status_zh(self) -> str:
        return REVIEW_ZH.get(self.status, self.status)


@dataclass(frozen=True)
class ReportFinding:
    """A finding as a report shows it, with its review when the check is a stored one."""

    severity: Severity
    category: Category
    indicator: str
    message: str
    rule_id: str
    rule_version: int
    facts: tuple[FindingFact, ...]
    review: Review | None = None

    @property
    def id(self) -> int | None:
        return self.review.finding_id if self.review else None

    @property
    def status(self) -> str | None:
        return self.review.status if self.review else None

    def quotes(self, role: str) -> list[str]:
        """``region:quote`` for each fact on one side (county or parent)."""
        return [f"{f.region}:{f.quote}" for f in self.facts if f.role == role]

    @classmethod
    def of(cls, finding: Finding, review: Review | None = None) -> ReportFinding:
        return cls(
            finding.severity,
            finding.category,
            finding.indicator,
            finding.message,
            finding.rule_id,
            finding.rule_version,
            tuple(finding.facts),
            review,
        )


@dataclass(frozen=True)
class CheckReport:
    """A check as a report: its plans, versions, notes, findings and the coverage matrix.

    ``details`` are (label, text) lines shown under the title — the check's id and who ran it
    for a stored check; the file, the plan's scope, waived parent checks and reading warnings
    for a fresh one — each taken from the check or the documents, never composed.
    """

    plans: tuple[ReportPlan, ...]
    findings: tuple[ReportFinding, ...]
    rule_pack_version: str
    catalog_version: str
    details: tuple[tuple[str, str], ...] = ()
    coverage: Coverage | None = None
    zone: tzinfo | None = None  # the zone times are written in (default Beijing time), labelled

    @property
    def county(self) -> ReportPlan:
        return self.plans[0]

    @property
    def parents(self) -> tuple[ReportPlan, ...]:
        return self.plans[1:]

    @property
    def title(self) -> str:
        return self.county.cite

    @property
    def reviewed(self) -> bool:
        """Whether the findings carry review states (a stored check) or not (a fresh one)."""
        return any(f.review is not None for f in self.findings)

    def counts(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity.value == severity)

    @classmethod
    def from_result(
        cls,
        result: CheckResult,
        county: Plan,
        parents: Sequence[Plan],
        targets: Mapping[str, Sequence[Target]] | None = None,
        notes: Sequence[tuple[str, str]] = (),
    ) -> CheckReport:
        """A fresh check's report; with ``targets`` (plan id → targets) it has a coverage matrix."""
        from rulesengine.report.coverage import coverage

        plans = (ReportPlan.of(county, "county"), *(ReportPlan.of(p, "parent") for p in parents))
        findings = tuple(ReportFinding.of(f) for f in result.findings)
        details: list[tuple[str, str]] = []
        if county.source_name:
            details.append(("文件", f"{county.source_name}(规划编号 {county.id})"))
        if result.scope is not None:
            details.append(("被检查规划", result.scope.describe()))
        if result.overrides:
            details.append(("已豁免的上级校验", "、".join(result.overrides)))
        details += list(notes)
        details += [("警告", w.message_zh) for w in county.warnings]
        cov = coverage(plans, targets, findings) if targets is not None else None
        return cls(plans, findings, result.rule_pack_version, result.catalog_version, tuple(details), cov)


FINDING_HEAD = (
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
    "审核时间",
    "规则",
    "规则版本",
)


def finding_rows(report: CheckReport) -> list[tuple[object, ...]]:
    """One row per finding under ``FINDING_HEAD``: the 问题清单 sheet and the CSV export."""
    return [
        (
            f.id if f.id is not None else "",
            SEVERITY_ZH[f.severity.value],
            CATEGORY_ZH[f.category.value],
            indicator_name(f.indicator),
            f.indicator,
            f.message,
            "\n".join(f.quotes("county")),
            "\n".join(f.quotes("parent")),
            f.review.status_zh if f.review else "",
            (f.review.comment or "") if f.review else "",
            f.review.reviewed_by if f.review else "",
            local_time(f.review.reviewed_at, report.zone) if f.review and f.review.reviewed_at else "",
            f.rule_id,
            f.rule_version,
        )
        for f in report.findings
    ]
