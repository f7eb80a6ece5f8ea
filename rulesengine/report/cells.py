"""Cells of a report: one escaping rule per format, and one measure of how wide a text is.

Why one home: the batch summary and the reviewer pages' export each wrote their own, and the
copies drifted — the pages' export kept a plan file named ``=HYPERLINK("http---x","y").txt``
as text, the batch's ``summary.xlsx`` turned it into a live formula. A plan's name, region,
quote or message comes from a document, so every cell is text unless it is a number, and no
text from a document becomes markup, a link or a formula in any format we write.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["FORMULA_LEADS", "csv_text", "display_width", "docx_text", "excel_text", "md"]

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
"""Characters a spreadsheet reads, at a cell's start, as the beginning of a formula (OWASP)."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&])")
_MD_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+=])(?=\s|$)")


def display_width(text: str) -> int:
    """Columns a text needs: wide (CJK) characters count twice, so Chinese columns fit."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def csv_text(cell: object) -> str:
    """A CSV cell Excel shows as text: a leading formula character gets a quote before it."""
    text = str(cell)
    return f"'{text}" if text[:1] in FORMULA_LEADS else text


def excel_text(cell: Any) -> Any:
    """An openpyxl cell (normal or write-only) whose string value stays a string: openpyxl
    would otherwise store ``=…`` as a formula. The text itself is unchanged."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def docx_text(text: object) -> str:
    """Text a Word document can hold, every character still visible: XML 1.0 has no place for
    most control characters (lxml refuses them, and the .docx would not save), so each becomes
    its Unicode control picture — ``\\x07`` shows as ␇, DEL as ␡ — rather than vanishing.
    Tabs and line breaks stay; the Word writer makes them w:tab and w:br."""
    return _NOT_XML.sub(_picture, str(text))


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd"


def md(text: object) -> str:
    """Text safe in Markdown prose or a table cell: one line, and nothing in it makes markup.

    Escapes what can start a tag, link, emphasis, code, heading, table cell or entity, plus a
    list or heading marker at the start; leaves ``.``/``-`` inside text alone so 5.5% stays
    readable. CommonMark lets any ASCII punctuation be backslash-escaped, so the escaped text
    renders as written.
    """
    flat = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _MD_LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", flat
    )
