"""Cells of a report a person opens in Excel: one rule for text a spreadsheet must never run,
one measure of how wide a text is.

Why one home: the batch summary and the reviewer pages' export each wrote their own, and the
copies drifted — the pages' export kept a plan file named ``=HYPERLINK("http---x","y").txt``
as text, the batch's ``summary.xlsx`` turned it into a live formula. A plan's name, region,
quote or message comes from a document, so every cell is text unless it is a number.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["FORMULA_LEADS", "csv_text", "display_width", "excel_text"]

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""Characters a spreadsheet reads, at a cell's start, as the beginning of a formula (OWASP)."""


def display_width(text: str) -> int:
    """Columns a text needs: wide (CJK) characters count twice, so Chinese columns fit."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def csv_text(cell: str) -> str:
    """A CSV cell Excel shows as text: a leading formula character gets a quote before it."""
    return f"'{cell}" if cell[:1] in FORMULA_LEADS else cell


def excel_text(cell: Any) -> Any:
    """An openpyxl cell (normal or write-only) whose string value stays a string: openpyxl
    would otherwise store ``=…`` as a formula. The text itself is unchanged."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell
