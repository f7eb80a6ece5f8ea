"""A stored check as a file a reviewer can send on: Markdown, Excel or CSV.

The writers are the library's (``rulesengine.report``), the same that write the command line's
and the batch's reports; this module only turns a stored check — with its reviews, who ran it
and when — into the library's ``CheckReport``. Built from the same data the check page shows,
so a download never says something the page does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from api.schemas import CheckPublic, FindingPublic
from api.web.data import Column, report_finding
from rulesengine.labels import local_time
from rulesengine.report import (
    CheckReport,
    Coverage,
    check_csv,
    check_docx,
    check_markdown,
    check_sheets,
    workbook_bytes,
)

__all__ = ["check_report", "csv_text", "document", "markdown", "workbook"]


def check_report(
    check: CheckPublic,
    columns: Sequence[Column],
    findings: Sequence[FindingPublic],
    coverage: Coverage,
    zone: tzinfo | None = None,
) -> CheckReport:
    """The stored check as the library's report: its id, revision and runner under the title,
    times in the server's zone (Beijing time by default), labelled."""
    details = (
        ("检查编号", f"{check.id}(规划 {check.plan_id} 第 {check.plan_revision} 版)"),
        ("运行", f"{check.created_by},{local_time(check.created_at, zone)}"),
    )
    return CheckReport(
        plans=tuple(columns),
        findings=tuple(report_finding(f) for f in findings),
        rule_pack_version=check.rule_pack_version,
        catalog_version=check.catalog_version,
        details=details,
        coverage=coverage,
        zone=zone,
    )


def markdown(report: CheckReport) -> str:
    return check_markdown(report)


def workbook(report: CheckReport) -> bytes:
    return workbook_bytes(check_sheets(report))


def csv_text(report: CheckReport) -> str:
    return check_csv(report)


def document(report: CheckReport) -> bytes:
    return check_docx(report)
