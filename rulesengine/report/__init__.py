"""Reports of checks — Markdown, Excel, CSV, Word — written once for every face.

A ``CheckReport`` (``document``) is built from a fresh ``CheckResult`` or, by the service, from a
stored check with its reviews; ``markdown``, ``excel`` and ``delimited`` write it; ``cells``
holds the one escaping rule per format; ``coverage`` the indicator × plan matrix; ``province``
a whole batch of counties against the parents, written by ``province_docx`` and
``province_markdown``. The words
come from ``rulesengine.labels``.
"""

from rulesengine.report.coverage import Coverage, CoverageCell, CoverageRow, coverage
from rulesengine.report.delimited import check_csv, write_csv
from rulesengine.report.document import FINDING_HEAD, CheckReport, ReportFinding, ReportPlan, Review
from rulesengine.report.excel import Sheet, check_sheets, save_workbook, workbook_bytes
from rulesengine.report.markdown import check_markdown, province_markdown, table
from rulesengine.report.province import (
    CountyCheck,
    CountyRow,
    ParentPlan,
    ProvinceCell,
    ProvinceColumn,
    ProvinceReport,
    ProvinceSummary,
    UncheckedPlan,
    province_report,
)
from rulesengine.report.word import check_docx, province_docx

__all__ = [
    "FINDING_HEAD",
    "CheckReport",
    "CountyCheck",
    "CountyRow",
    "Coverage",
    "CoverageCell",
    "CoverageRow",
    "ParentPlan",
    "ProvinceCell",
    "ProvinceColumn",
    "ProvinceReport",
    "ProvinceSummary",
    "ReportFinding",
    "ReportPlan",
    "Review",
    "Sheet",
    "UncheckedPlan",
    "check_csv",
    "check_docx",
    "check_markdown",
    "check_sheets",
    "coverage",
    "province_docx",
    "province_markdown",
    "province_report",
    "save_workbook",
    "table",
    "workbook_bytes",
    "write_csv",
]
