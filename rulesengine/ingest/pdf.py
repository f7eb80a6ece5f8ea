"""Reading a PDF's text layer with pypdfium2, and undoing the line wrapping of CJK text.

pypdfium2 gave the cleanest reading order of the libraries tried, but like every PDF tool it
returns the page's *visual* lines: a sentence that wraps is cut into pieces ("5G⏎基站"), and
Chinese has no spaces to show where a word was cut. Downstream, clauses are split on newlines,
so a wrapped target would be lost. ``join_wrapped_lines`` removes a line break when the text
around it is Chinese, the line before it does not end a sentence, and that line runs (nearly)
the full width of the page — the last condition keeps headings such as "一、总体目标" and the
short last line of a paragraph on their own lines.

A scanned plan has pages but no text layer; that is reported as ``no_text_layer`` (OCR is out
of scope) rather than returned as an empty document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import pypdfium2 as pdfium

from rulesengine.ingest.errors import IngestError
from rulesengine.model import PlanWarning

__all__ = ["PdfText", "join_wrapped_lines", "read_pdf"]

_SENTENCE_END: Final = frozenset("。！？；：!?;:")
_CLOSERS: Final = frozenset("”’」』)】》〉\"')")
_NEW_ITEM: Final = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[((][一二三四五六七八九十百\d]+[))]|\d+[、..]"
    r"|第[一二三四五六七八九十百\d]+[章节条部分篇]|[•●■◆▪*-])"
)
_FULL_LINE: Final = 0.8
"""A line at least this share of the page's typical (90th-percentile) width was wrapped."""
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class PdfText:
    """The joined text of all pages and warnings such as pages that had no text."""

    text: str
    warnings: tuple[PlanWarning, ...] = ()


def read_pdf(data: bytes, file: str) -> PdfText:
    """The text layer of a PDF, pages separated by a blank line."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(
                file,
                "encrypted",
                "PDF 有密码保护,无法读取;请提供未加密的文件",
                "the PDF is password-protected; provide an unencrypted copy",
            ) from exc
        raise IngestError(
            file, "unreadable", "无法读取 PDF:文件已损坏", f"cannot read the PDF: {exc}"
        ) from exc
    try:
        pages = [_page_text(pdf[i]) for i in range(len(pdf))]
    finally:
        pdf.close()
    if not any(page.strip() for page in pages):
        raise IngestError(
            file,
            "no_text_layer",
            "扫描件没有文字层:PDF 里只有图像,没有可提取的文字。请提供带文字层的 PDF"
            "(或先做 OCR 识别),或改交 .docx/.txt",
            "the scan has no text layer: the PDF holds only images, no extractable text. "
            "Provide a PDF with a text layer (or run OCR first), or a .docx/.txt instead",
        )
    text = "\n\n".join(join_wrapped_lines(page) for page in pages)
    return PdfText(text=text, warnings=_empty_pages_warning(pages))


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_bounded()
    finally:
        textpage.close()
        page.close()
    raw = _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in raw.split("\n")).strip("\n")


def join_wrapped_lines(text: str) -> str:
    """Remove the line breaks that page width, not the author, put into Chinese sentences."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    full = _FULL_LINE * _typical_width(lines)
    out: list[str] = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        if _wrapped(previous, line, full):
            out[-1] = previous + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _wrapped(previous: str, line: str, full: float) -> bool:
    if not previous or not line.strip() or _width(previous) < full:
        return False
    last, first = previous[-1], line.lstrip()[0]
    if last in _SENTENCE_END or (last in _CLOSERS and len(previous) > 1 and previous[-2] in _SENTENCE_END):
        return False
    if _NEW_ITEM.match(line):
        return False
    return (_cjk(last) or _cjk(first)) and not last.isspace()


def _typical_width(lines: list[str]) -> float:
    widths = sorted(_width(line) for line in lines if line.strip())
    if not widths:
        return 0.0
    return float(widths[min(len(widths) - 1, int(0.9 * len(widths)))])


def _width(line: str) -> int:
    """Display width: CJK characters and full-width punctuation count double, as on the page."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


def _cjk(ch: str) -> bool:
    """CJK ideographs and full-width punctuation: text in which a line break is never a space."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _empty_pages_warning(pages: list[str]) -> tuple[PlanWarning, ...]:
    empty = [i + 1 for i, page in enumerate(pages) if not page.strip()]
    if not empty:
        return ()
    shown = "、".join(str(n) for n in empty[:10]) + (" …" if len(empty) > 10 else "")
    shown_en = ", ".join(str(n) for n in empty[:10]) + (" …" if len(empty) > 10 else "")
    return (
        PlanWarning(
            code="pages_without_text",
            message_zh=f"PDF 共 {len(pages)} 页,其中第 {shown} 页没有文字层(可能是扫描页),"
            "这些页的内容没有被检查。",
            message_en=f"{len(empty)} of {len(pages)} PDF pages have no text layer (scanned?): "
            f"pages {shown_en}; their content was not checked.",
        ),
    )
