"""Reading a PDF's text layer with pypdfium2, undoing the line wrapping of CJK text, and OCR
for the pages that have no text layer.

pypdfium2 gave the cleanest reading order of the libraries tried, but like every PDF tool it
returns the page's *visual* lines: a sentence that wraps is cut into pieces ("5G⏎基站"), and
Chinese has no spaces to show where a word was cut. Downstream, clauses are split on newlines,
so a wrapped target would be lost. ``join_wrapped_lines`` removes a line break when the text
around it is Chinese, the line before it does not end a sentence, and that line runs (nearly)
the full width of the page — the last condition keeps headings such as "一、总体目标" and the
short last line of a paragraph on their own lines.

A scanned plan has pages but no text layer. Those pages are rendered at 150 dpi and read by
OCR (``ocr``) when the OCR extra is installed, a run of consecutive scanned pages laid out
together so a sentence carried over a page break stays whole; their text keeps boxes in PDF
points (origin top left). Without OCR, or when OCR finds nothing either, the document is
refused as ``no_text_layer`` rather than returned empty.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import pypdfium2 as pdfium

from rulesengine.ingest.document import TextBox
from rulesengine.ingest.errors import IngestError
from rulesengine.ingest.layout import LaidOut, Run, assemble, continues
from rulesengine.ingest.limits import DEFAULT_LIMITS, Limits, ProgressHook
from rulesengine.ingest.ocr import (
    LOW_CONFIDENCE_BELOW,
    MAX_SIDE,
    PAGE_DPI,
    OcrPage,
    check_ocr_pages,
    ocr_available,
    ocr_pages,
    ocr_warnings,
)
from rulesengine.model import PlanWarning

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["PdfText", "join_wrapped_lines", "read_pdf"]

_FULL_LINE: Final = 0.8
"""A line at least this share of the page's typical (90th-percentile) width was wrapped."""
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class PdfText:
    """The joined text of all pages, the boxes of OCR'd text, and warnings (pages without
    text, text read by OCR)."""

    text: str
    warnings: tuple[PlanWarning, ...] = ()
    boxes: tuple[TextBox, ...] = ()


def read_pdf(
    data: bytes, file: str, limits: Limits = DEFAULT_LIMITS, progress: ProgressHook | None = None
) -> PdfText:
    """The text of a PDF, pages separated by a blank line; scanned pages through OCR."""
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
        count = len(pdf)
        if count > limits.max_pages:
            raise IngestError(
                file,
                "too_large",
                f"PDF 共 {count} 页,超过上限 {limits.max_pages} 页",
                f"the PDF has {count} pages, over the {limits.max_pages} page limit",
            )
        pages = [_page_text(pdf[i]) for i in range(count)]
        scanned = [i for i, page in enumerate(pages) if not page.strip()]
        ocr: dict[int, list[Run]] = {}
        if scanned and ocr_available():
            check_ocr_pages(file, len(scanned), limits)
            ocr = _ocr(pdf, scanned, file, limits, progress)
    finally:
        pdf.close()
    return _joined(pages, ocr, file)


def _ocr(
    pdf: pdfium.PdfDocument, scanned: list[int], file: str, limits: Limits, progress: ProgressHook | None
) -> dict[int, list[Run]]:
    runs = ocr_pages(file, (_ocr_page(pdf, i) for i in scanned), len(scanned), limits, progress)
    by_page: dict[int, list[Run]] = {i: [] for i in scanned}
    for run in runs:
        by_page[run.page - 1].append(run)
    return by_page


def _ocr_page(pdf: pdfium.PdfDocument, index: int) -> OcrPage:
    page = pdf[index]
    try:
        width, height = page.get_size()
    finally:
        page.close()
    scale = min(PAGE_DPI / 72, MAX_SIDE / max(width, height, 1.0))

    def render() -> Image:
        page = pdf[index]
        try:
            image: Image = page.render(scale=scale).to_pil().convert("RGB")
        finally:
            page.close()
        return image

    return OcrPage(page=index + 1, render=render, unit_per_px=1 / scale)


def _joined(pages: list[str], ocr: dict[int, list[Run]], file: str) -> PdfText:
    """Text pages with their wrapped lines joined, runs of scanned pages laid out together."""
    chunks: list[str] = []
    boxes: list[TextBox] = []
    doubtful: list[tuple[int, int, int]] = []
    offset = 0
    i = 0
    while i < len(pages):
        laid: LaidOut | None = None
        if i in ocr:
            group = []
            while i in ocr:
                group.append(ocr[i])
                i += 1
            laid = assemble(group, unit="pt", low_confidence=LOW_CONFIDENCE_BELOW)
            chunk = laid.text
        else:
            chunk = join_wrapped_lines(pages[i])
            i += 1
        if not chunk.strip():
            continue
        start = offset + 2 if chunks else 0  # after the blank line that separates pages
        if laid is not None:
            boxes += [
                b.model_copy(update={"start": b.start + start, "end": b.end + start}) for b in laid.boxes
            ]
            doubtful += [(s + start, e + start, p) for s, e, p in laid.doubtful]
        chunks.append(chunk)
        offset = start + len(chunk)
    text = "\n\n".join(chunks)
    read = [i for i in ocr if _has_text(ocr[i])]
    empty = [i for i, page in enumerate(pages) if not page.strip() and i not in read]
    if not text.strip():
        raise _no_text(file, ocr_ran=bool(ocr))
    warnings: tuple[PlanWarning, ...] = _empty_pages_warning(len(pages), empty, ocr_ran=bool(ocr))
    if boxes:
        warnings += ocr_warnings(LaidOut(text, tuple(boxes), tuple(doubtful)), len(read))
    return PdfText(text=text, warnings=warnings, boxes=tuple(boxes))


def _has_text(runs: list[Run]) -> bool:
    return any(g.char.strip() for run in runs for g in run.glyphs)


def _no_text(file: str, *, ocr_ran: bool) -> IngestError:
    if ocr_ran:
        return IngestError(
            file,
            "no_text_layer",
            "扫描件没有文字层,文字识别(OCR)也没有读出文字:页面可能是空白的或图像太模糊。"
            "请提供带文字层的 PDF,或改交 .docx/.txt",
            "the scan has no text layer and OCR found no text either: the pages may be blank or "
            "too blurred. Provide a PDF with a text layer, or a .docx/.txt instead",
        )
    return IngestError(
        file,
        "no_text_layer",
        "扫描件没有文字层:PDF 里只有图像,没有可提取的文字,本机也未安装文字识别(OCR)组件"
        "(pip install 'planalign[ocr]')。请提供带文字层的 PDF,或改交 .docx/.txt",
        "the scan has no text layer: the PDF holds only images, no extractable text, and OCR is "
        "not installed here (pip install 'planalign[ocr]'). Provide a PDF with a text layer, "
        "or a .docx/.txt instead",
    )


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
    return continues(previous, line)


def _typical_width(lines: list[str]) -> float:
    widths = sorted(_width(line) for line in lines if line.strip())
    if not widths:
        return 0.0
    return float(widths[min(len(widths) - 1, int(0.9 * len(widths)))])


def _width(line: str) -> int:
    """Display width: CJK characters and full-width punctuation count double, as on the page."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


def _empty_pages_warning(count: int, empty: list[int], *, ocr_ran: bool) -> tuple[PlanWarning, ...]:
    if not empty:
        return ()
    numbers = [i + 1 for i in empty]
    shown = "、".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")
    shown_en = ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")
    why_zh = "没有文字层,文字识别(OCR)也未读出文字(可能是空白页)" if ocr_ran else "没有文字层(可能是扫描页)"
    why_en = "have no text layer and OCR found none (blank?)" if ocr_ran else "have no text layer (scanned?)"
    return (
        PlanWarning(
            code="pages_without_text",
            message_zh=f"PDF 共 {count} 页,其中第 {shown} 页{why_zh},这些页的内容没有被检查。",
            message_en=f"{len(numbers)} of {count} PDF pages {why_en}: pages {shown_en}; "
            "their content was not checked.",
        ),
    )
