"""The two entry points: a path or uploaded bytes in, a ``Document`` or an ``IngestError`` out.

This module only dispatches: it enforces the size limit before anything is parsed, picks the
reader from the extension (checked against the content), runs the spam scan on whatever text
came out, and turns any surprise from a third-party parser into an ``IngestError`` so that bad
input never reaches a user as a traceback. Every reader gets the same ``Limits``; the slow ones
(OCR) report each page to ``progress``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Final

from rulesengine.ingest.doc import read_word97
from rulesengine.ingest.document import Document, Format, TextBox
from rulesengine.ingest.docx import read_docx
from rulesengine.ingest.errors import IngestError, format_size
from rulesengine.ingest.html import read_html
from rulesengine.ingest.limits import DEFAULT_LIMITS, MAX_BYTES, Limits, ProgressHook
from rulesengine.ingest.ocr import read_image
from rulesengine.ingest.ofd import read_ofd
from rulesengine.ingest.pdf import read_pdf
from rulesengine.ingest.sniff import choose_format, sniff
from rulesengine.ingest.spam import find_injected_terms
from rulesengine.ingest.text import decode_text
from rulesengine.model import PlanWarning

__all__ = ["MAX_BYTES", "read_bytes", "read_document"]


def read_document(
    path: Path,
    *,
    max_bytes: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressHook | None = None,
) -> Document:
    """Read a plan file from disk; the size is checked before the file is read."""
    limits = _with_size(limits, max_bytes)
    file = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise IngestError(file, "not_found", "文件不存在", "no such file") from exc
    except OSError as exc:
        raise IngestError(file, "unreadable", "无法读取文件", f"cannot read the file: {exc}") from exc
    if path.is_dir():
        raise IngestError(file, "not_found", "这是一个目录,不是文件", "this is a directory, not a file")
    _check_size(file, size, limits.max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(file, "unreadable", "无法读取文件", f"cannot read the file: {exc}") from exc
    return _read(data, file, path.name, limits, progress)


def read_bytes(
    data: bytes,
    name: str,
    *,
    max_bytes: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressHook | None = None,
) -> Document:
    """Read an uploaded plan; ``name`` (its file name) chooses the format and names errors."""
    source_name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _read(data, name, source_name, _with_size(limits, max_bytes), progress)


def _with_size(limits: Limits, max_bytes: int | None) -> Limits:
    return limits if max_bytes is None else replace(limits, max_bytes=max_bytes)


def _read(
    data: bytes, file: str, source_name: str, limits: Limits, progress: ProgressHook | None
) -> Document:
    _check_size(file, len(data), limits.max_bytes)
    fmt = choose_format(file, data)
    if not data:
        raise IngestError(file, "empty", "文件是空的(0 字节)", "the file is empty (0 bytes)")
    try:
        extracted = _extract(fmt, data, file, limits, progress)
    except IngestError:
        raise
    except Exception as exc:  # a parser's bug or an input it chokes on: still the user's answer
        raise IngestError(
            file,
            "unreadable",
            f"无法读取文件(解析时出错:{type(exc).__name__})",
            f"cannot read the file: {type(exc).__name__}: {exc}",
        ) from exc
    text, encoding, warnings, boxes = extracted
    return Document(
        text=text,
        source_name=source_name,
        encoding=encoding,
        format=fmt,
        warnings=(*warnings, *find_injected_terms(text)),
        boxes=boxes,
    )


_Extracted = tuple[str, str | None, tuple[PlanWarning, ...], tuple[TextBox, ...]]


def _extract(
    fmt: Format, data: bytes, file: str, limits: Limits, progress: ProgressHook | None
) -> _Extracted:
    if fmt == "txt":
        decoded = decode_text(data, file)
        extra = (_LOOKS_LIKE_HTML,) if sniff(data) == "html" else ()
        return decoded.text, decoded.encoding, (*decoded.warnings, *extra), ()
    if fmt == "html":
        text, decoded = read_html(data, file)
        return text, decoded.encoding, decoded.warnings, ()
    if fmt == "docx":
        return read_docx(data, file, limits), None, (), ()
    if fmt in ("doc", "wps"):
        word = read_word97(data, file, "wps" if fmt == "wps" else "doc", limits)
        return word.text, None, word.warnings, ()
    if fmt == "ofd":
        laid_out = read_ofd(data, file, limits)
        return laid_out.text, None, (), laid_out.boxes
    if fmt == "image":
        ocr = read_image(data, file, limits, progress)
        return ocr.laid_out.text, None, ocr.warnings, ocr.laid_out.boxes
    pdf = read_pdf(data, file, limits, progress)
    return pdf.text, None, pdf.warnings, pdf.boxes


def _check_size(file: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise IngestError(
            file,
            "too_large",
            f"文件大小 {format_size(size)} 超过上限 {format_size(max_bytes)}",
            f"the file is {format_size(size)}, over the {format_size(max_bytes)} limit",
        )


_LOOKS_LIKE_HTML: Final = PlanWarning(
    code="looks_like_html",
    message_zh="这个 .txt 文件的内容是网页 HTML 源码,标签会留在文本里;请改用 .html 扩展名上传。",
    message_en="This .txt file holds HTML source; its tags stay in the text. Upload it with an "
    ".html extension instead.",
)
