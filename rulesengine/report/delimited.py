"""Reports as CSV that Excel opens: UTF-8 with a byte-order mark, every cell through
``cells.csv_text`` so a document's ``=…`` stays text.

CSV rather than a workbook where rows are many: for the findings of thousands of plans the csv
module is many times faster than openpyxl (figures in bench/PERFORMANCE.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from rulesengine.report.cells import csv_text
from rulesengine.report.document import FINDING_HEAD, CheckReport, finding_rows

__all__ = ["check_csv", "write_csv"]


def _rows(out: io.TextIOBase | object, head: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(out)  # type: ignore[arg-type]
    writer.writerow([csv_text(h) for h in head])
    for row in rows:
        writer.writerow([csv_text(v) for v in row])


def write_csv(path: Path, head: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a table as a CSV file Excel opens as Chinese text."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        _rows(handle, head, rows)


def check_csv(report: CheckReport) -> str:
    """The check's findings as CSV text (with the byte-order mark), one row per finding."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    _rows(buffer, FINDING_HEAD, finding_rows(report))
    return buffer.getvalue()
