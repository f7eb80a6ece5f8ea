"""Tables in plan text: which column of a row holds the target.

An execution report tabulates "指标名称 | 年度目标 | 上半年完成情况" and fills each row with the
year's target and the half-year's result side by side. Both are numbers after the indicator's
name; only the header says which is which. The header's role words come from
rules/phrasing.yaml (`table_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rulesengine.extract.clauses import lines
from rulesengine.extract.phrasing import Phrasing

__all__ = ["TableRow", "read_table_rows"]


@dataclass(frozen=True)
class TableRow:
    """A data row of a table whose header names a target column: the target is the row's
    `target_order`-th cell holding a number (counting from 0)."""

    start: int
    end: int
    target_order: int


def _header_order(cells: list[str], ph: Phrasing) -> int | None:
    """The target column's order among the header's value columns, if it has both kinds."""
    roles = []
    for cell in cells:
        if any(w in cell for w in ph.table_target_words):
            roles.append("target")
        elif any(w in cell for w in ph.table_result_words):
            roles.append("result")
    if "target" in roles and "result" in roles:
        return roles.index("target")
    return None


def read_table_rows(text: str, ph: Phrasing) -> list[TableRow]:
    """The data rows of every table with a target/result header, in order."""
    rows: list[TableRow] = []
    order: int | None = None
    for start, line in lines(text):
        if "|" not in line:
            order = None  # a line without cells ends the table
            continue
        if not any(c.isdigit() for c in line):
            found = _header_order(line.split("|"), ph)
            order = found if found is not None else order
            continue
        if order is not None:
            rows.append(TableRow(start, start + len(line), order))
    return rows
