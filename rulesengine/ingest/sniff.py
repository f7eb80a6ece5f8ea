"""Choosing a reader: by file extension first, by the content's magic bytes as a cross-check.

The extension is what the user meant, so it decides; the magic bytes catch the common
accidents (a PDF renamed to .txt, an old .doc saved as .docx, a zip that is not a Word file)
and turn them into a clear ``format_mismatch``/``unsupported_format`` message instead of a
wall of mojibake or a library traceback. A name without any extension (an upload without a
file name) falls back to sniffing alone.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final, Literal

from rulesengine.ingest.document import Format
from rulesengine.ingest.errors import IngestError

__all__ = ["SUPPORTED_EXTENSIONS", "Sniffed", "choose_format", "sniff"]

SUPPORTED_EXTENSIONS: Final[dict[str, Format]] = {
    ".txt": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
}
_SUPPORTED_LIST: Final = ", ".join(SUPPORTED_EXTENSIONS)

Sniffed = Literal["pdf", "docx", "zip", "ole", "html", "text"]

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_HTML_START: Final = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_DESCRIPTIONS: Final[dict[Sniffed, tuple[str, str]]] = {
    "pdf": ("PDF 文件", "a PDF file"),
    "docx": ("Word .docx 文件", "a Word .docx file"),
    "zip": ("zip 压缩包(不是 Word .docx)", "a zip archive (not a Word .docx)"),
    "ole": ("旧版 Office 文件(.doc/.xls/.ppt)", "a legacy Office file (.doc/.xls/.ppt)"),
    "html": ("网页 HTML", "an HTML page"),
    "text": ("纯文本", "plain text"),
}


def sniff(data: bytes) -> Sniffed:
    """What the content looks like, from its first bytes (and a zip's member names)."""
    if data.startswith(_ZIP_MAGIC):
        return "docx" if _zip_has_word_document(data) else "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header, so look a little in
        return "pdf"
    if _HTML_START.match(data[:4096].removeprefix(b"\xef\xbb\xbf")):
        return "html"
    return "text"


def _zip_has_word_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A damaged zip that starts like one: let the .docx reader report it as unreadable.
        return True


def choose_format(name: str, data: bytes) -> Format:
    """The reader for ``name``/``data``, or an ``IngestError`` that says what to do instead."""
    suffix = _suffix(name)
    if suffix == "":
        return _from_content(name, sniff(data))
    fmt = SUPPORTED_EXTENSIONS.get(suffix)
    if fmt is None:
        raise _unsupported(name, suffix)
    found = sniff(data)
    if found == "ole":
        raise IngestError(
            name,
            "unsupported_format",
            "这是旧版 Office 文件(.doc 等),不支持;请在 Word/WPS 中另存为 .docx 后再上传",
            "this is a legacy Office file (.doc etc.), which is not supported; save it as "
            ".docx in Word/WPS and upload that",
        )
    if fmt == "txt" and found in ("pdf", "docx", "zip"):
        raise _mismatch(name, suffix, found)
    if fmt == "html" and found in ("pdf", "docx", "zip"):
        raise _mismatch(name, suffix, found)
    if fmt == "docx" and found in ("pdf", "zip", "html"):
        raise _mismatch(name, suffix, found)
    if fmt == "pdf" and found in ("docx", "zip", "html"):
        raise _mismatch(name, suffix, found)
    return fmt


def _suffix(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return "." + base.rsplit(".", 1)[1].lower()


def _from_content(name: str, found: Sniffed) -> Format:
    if found == "pdf":
        return "pdf"
    if found == "docx":
        return "docx"
    if found == "html":
        return "html"
    if found == "text":
        return "txt"
    raise _unsupported(name, "")


def _unsupported(name: str, suffix: str) -> IngestError:
    what_zh = f"不支持 {suffix} 格式" if suffix else "无法判断文件格式(没有扩展名)"
    what_en = f"{suffix} files are not supported" if suffix else "cannot tell the format (no extension)"
    return IngestError(
        name,
        "unsupported_format",
        f"{what_zh};支持的格式:{_SUPPORTED_LIST}",
        f"{what_en}; supported formats: {_SUPPORTED_LIST}",
    )


def _mismatch(name: str, suffix: str, found: Sniffed) -> IngestError:
    zh, en = _DESCRIPTIONS[found]
    return IngestError(
        name,
        "format_mismatch",
        f"扩展名是 {suffix},但内容是{zh};请确认文件或改用正确的扩展名",
        f"the extension is {suffix} but the content is {en}; check the file or give it the right extension",
    )
