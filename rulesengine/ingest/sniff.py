"""Choosing a reader: by file extension first, by the content's magic bytes as a cross-check.

The extension is what the user meant, so it decides; the magic bytes catch the common
accidents (a PDF renamed to .txt, a zip that is not a Word file, a picture named .pdf) and turn
them into a clear ``format_mismatch``/``unsupported_format`` message instead of a wall of
mojibake or a library traceback. A name without any extension (an upload without a file name)
falls back to sniffing alone.

Word files are the exception, because what Chinese offices publish under a Word name is often
something else Word opens: a .doc that is really a .docx, a .wps saved by WPS Office as OOXML,
a .doc that is a web page ("save as Word" on a government site), or an old binary .doc renamed
.docx. Those are read as what they are; only content no Word reader handles is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Final, Literal

import olefile

from rulesengine.ingest.document import Format
from rulesengine.ingest.errors import IngestError

__all__ = ["SUPPORTED_EXTENSIONS", "Sniffed", "choose_format", "sniff"]

SUPPORTED_EXTENSIONS: Final[dict[str, Format]] = {
    ".txt": "txt",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "wps",
    ".pdf": "pdf",
    ".ofd": "ofd",
    ".html": "html",
    ".htm": "html",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
}
_SUPPORTED_LIST: Final = ", ".join(SUPPORTED_EXTENSIONS)

Sniffed = Literal["pdf", "docx", "ofd", "zip", "word97", "ole", "rtf", "png", "jpeg", "html", "text"]

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_HTML_START: Final = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_DESCRIPTIONS: Final[dict[Sniffed, tuple[str, str]]] = {
    "pdf": ("PDF 文件", "a PDF file"),
    "docx": ("Word .docx 文件", "a Word .docx file"),
    "ofd": ("OFD 版式文件", "an OFD file"),
    "zip": ("zip 压缩包(不是 Word .docx 或 OFD)", "a zip archive (not a Word .docx or an OFD)"),
    "word97": ("旧版 Word 文件(.doc/.wps)", "a legacy Word file (.doc/.wps)"),
    "ole": ("旧版 Office 文件(.xls/.ppt 等)", "a legacy Office file (.xls/.ppt etc.)"),
    "rtf": ("RTF 文件", "an RTF file"),
    "png": ("PNG 图片", "a PNG image"),
    "jpeg": ("JPEG 图片", "a JPEG image"),
    "html": ("网页 HTML", "an HTML page"),
    "text": ("纯文本", "plain text"),
}
_WORD: Final[frozenset[Sniffed]] = frozenset({"word97", "ole"})
_IMAGES: Final[frozenset[Sniffed]] = frozenset({"png", "jpeg"})


def sniff(data: bytes) -> Sniffed:
    """What the content looks like, from its first bytes (and a zip's or OLE file's names)."""
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):
        return "word97" if _ole_has_word_stream(data) else "ole"
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header, so look a little in
        return "pdf"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    if _HTML_START.match(data[:4096].removeprefix(b"\xef\xbb\xbf")):
        return "html"
    return "text"


def _zip_kind(data: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {name.lower().lstrip("/") for name in zf.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A damaged zip that starts like one: let the reader its extension names report it.
        return "docx"
    if "word/document.xml" in names:
        return "docx"
    if "ofd.xml" in names:
        return "ofd"
    return "zip"


def _ole_has_word_stream(data: bytes) -> bool:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return bool(ole.exists("WordDocument"))
    except Exception:  # a damaged container: the Word reader reports it in its own words
        return False


def choose_format(name: str, data: bytes) -> Format:
    """The reader for ``name``/``data``, or an ``IngestError`` that says what to do instead."""
    suffix = _suffix(name)
    if suffix == "":
        return _from_content(name, sniff(data))
    fmt = SUPPORTED_EXTENSIONS.get(suffix)
    if fmt is None:
        raise _unsupported(name, suffix)
    if not data:
        return fmt  # the reader says it is empty
    found = sniff(data)
    if fmt in ("doc", "wps", "docx"):
        return _word(name, suffix, fmt, found)
    if fmt == "ofd" and found == "docx" and not _intact_zip(data):
        return "ofd"  # a damaged zip under .ofd: the OFD reader says it is damaged
    if found not in _ACCEPTS[fmt]:
        raise _mismatch(name, suffix, found)
    return fmt


_ACCEPTS: Final[dict[Format, frozenset[Sniffed]]] = {
    # Text-like content under a text name is the text reader's to judge (binary, encodings).
    "txt": frozenset({"text", "html", "rtf"}),
    "html": frozenset({"html", "text", "rtf"}),
    "pdf": frozenset({"pdf", "text"}),
    "ofd": frozenset({"ofd", "zip"}),  # a zip without OFD.xml: the OFD reader says so
    "image": _IMAGES,
}
"""What content each non-Word format accepts; anything else is a ``format_mismatch``."""


def _word(name: str, suffix: str, fmt: Format, found: Sniffed) -> Format:
    """What a file under a Word name really is, read as that when a reader here handles it."""
    if found in _WORD:
        return "wps" if fmt == "wps" else "doc"  # the reader checks the container in detail
    if found == "docx":
        return "docx"
    if found == "html" and fmt != "docx":
        return "html"
    if found == "rtf":
        raise IngestError(
            name,
            "unsupported_format",
            f"扩展名是 {suffix},但内容是 RTF 文件,不支持;请在 Word/WPS 中另存为 .docx 后再上传",
            f"the extension is {suffix} but the content is an RTF file, which is not supported; "
            "save it as .docx in Word/WPS and upload that",
        )
    if fmt == "docx" and found == "text":
        return "docx"  # garbage under .docx: the .docx reader says it is not an intact zip
    raise _mismatch(name, suffix, found)


def _intact_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)):
            return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _suffix(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return "." + base.rsplit(".", 1)[1].lower()


def _from_content(name: str, found: Sniffed) -> Format:
    formats: dict[Sniffed, Format] = {
        "pdf": "pdf",
        "docx": "docx",
        "ofd": "ofd",
        "word97": "doc",
        "png": "image",
        "jpeg": "image",
        "html": "html",
        "text": "txt",
    }
    if found in formats:
        return formats[found]
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
