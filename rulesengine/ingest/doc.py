"""Reading old binary Word files (.doc, and WPS Office's .wps) through Debian's ``catdoc``.

Why catdoc: both it and antiword print the UTF-16 text of a Word 97-2003 file, Chinese
included, identically on the 慈溪 plan. But antiword refuses a file whose ``WordDocument``
stream is under 4 KiB ("the text stream of this file is too small") and refused a real .wps
written by WPS Office ("not a Word Document"), both of which catdoc reads. Neither reads the
GBK text of Word 6/95 files; those are refused by their FIB version with advice to re-save.
catdoc is installed by ``scripts/system-deps.sh``; where it is missing, the error says so.

Before catdoc sees the bytes, olefile checks the container: a damaged or truncated file, an
Excel or PowerPoint file under a Word name, an encrypted file, and a Word 6/95 file each get
their own clear error, instead of whatever catdoc would print (for a non-OLE file it simply
copies the input to its output).

catdoc's output is cleaned the way the .docx reader shapes its text: table cells (catdoc
writes a tab between cells) are joined with `` | ``, field codes Word keeps in the text
(``HYPERLINK "…"``, ``PAGEREF _Toc…``) are dropped while their visible result stays, and
catdoc's note about fast-saved files becomes a warning. catdoc prints headers and footers
after the body; they stay (the furniture scan reports repeated lines).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from typing import Final, Literal

import olefile

from rulesengine.ingest.errors import IngestError
from rulesengine.ingest.layout import CELL_SEPARATOR
from rulesengine.ingest.limits import DEFAULT_LIMITS, Limits
from rulesengine.model import PlanWarning

__all__ = ["WordText", "catdoc_path", "read_word97"]

_WORD97_IDENT: Final = 0xA5EC
_WORD6_IDENT: Final = 0xA5DC
_FIRST_WORD97_FIB: Final = 0x00C1
"""nFib 193: Word 97. Earlier versions store Chinese as GBK bytes catdoc cannot decode."""
_ENCRYPTED: Final = 0x0100
"""fEncrypted in the FIB's flags word (offset 0x0A)."""
_FAST_SAVED: Final = re.compile(r"\[This was fast-saved\s+\d+\s+times\.\s*Some information is lost\]\s*")
_FIELD_CODE: Final = re.compile(
    r"[ \t]*\b(?:HYPERLINK|PAGEREF|INCLUDEPICTURE|TOC|REF|SEQ|NUMPAGES|PAGE|EMBED|MERGEFIELD|"
    r"FORMTEXT|FORMCHECKBOX|SHAPE|STYLEREF|NOTEREF|SYMBOL|EQ)(?=[ \t]|$)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|\\[*@#!A-Za-z](?:[ \t]+(?:MERGEFORMAT(?:INET)?|CHARFORMAT|Arabic|"
    r"roman|ROMAN|alphabetic|ALPHABETIC|Upper|Lower|FirstCap|Caps)\b)?|_\w+|[A-Za-z]+\.\d+))*[ \t]*",
    re.ASCII,
)
"""A field's instruction as catdoc leaves it (its marks turned into spaces): the keyword and
its arguments — quoted strings, switches, identifiers — up to the first character of the
visible result, which is Chinese, a URL or a number."""
_FIELD: Final = re.compile(_FIELD_CODE.pattern + r"(?:([^ \t]+) (?=\S))?", re.ASCII)
"""The instruction, and the space catdoc writes for the end mark after a one-word result."""
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class WordText:
    text: str
    warnings: tuple[PlanWarning, ...] = ()


def catdoc_path() -> str | None:
    """Where catdoc is, or None (the Debian package is not installed)."""
    return shutil.which("catdoc")


def read_word97(
    data: bytes, file: str, kind: Literal["doc", "wps"], limits: Limits = DEFAULT_LIMITS
) -> WordText:
    """The text of a Word 97-2003 binary file (.doc, or a .wps saved by WPS Office)."""
    _check_container(data, file, kind)
    tool = catdoc_path()
    if tool is None:
        raise IngestError(
            file,
            "unsupported_format",
            f"本机未安装读取 .{kind} 所需的 catdoc(apt-get install catdoc);请另存为 .docx 后上传",
            f"reading .{kind} needs catdoc, which is not installed here (apt-get install catdoc); "
            "save the file as .docx and upload that",
        )
    try:
        done = subprocess.run(
            [tool, "-w", "-d", "utf-8", "-"],
            input=data,
            capture_output=True,
            timeout=limits.tool_seconds,
            check=False,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError(
            file,
            "unreadable",
            f"读取 .{kind} 超时({limits.tool_seconds:g} 秒),文件可能已损坏;请另存为 .docx 后上传",
            f"reading the .{kind} timed out after {limits.tool_seconds:g} s; the file may be "
            "damaged: save it as .docx and upload that",
        ) from exc
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _unreadable(
            file, kind, "catdoc 无法解析", f"catdoc failed: {why[0] if why else done.returncode}"
        )
    # catdoc notes a fast-saved file on stderr; the note is kept with the text it concerns
    text, warnings = clean(done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace"))
    if not text.strip():
        raise IngestError(file, "empty", f".{kind} 文档里没有文字", f"the .{kind} document has no text")
    return WordText(text, warnings)


def _check_container(data: bytes, file: str, kind: str) -> None:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
            if "WordDocument" not in streams:
                raise IngestError(
                    file,
                    "unsupported_format",
                    f"这是 Office 文件,但不是 Word 文档(可能是 Excel 或 PowerPoint),不能作为 .{kind} 读取",
                    f"this Office file is not a Word document (Excel or PowerPoint?) and cannot be "
                    f"read as .{kind}",
                )
            fib = ole.openstream("WordDocument").read(0x20)
    except IngestError:
        raise
    except Exception as exc:  # olefile raises OSError and its own errors on damaged containers
        raise _unreadable(
            file, kind, "文件已损坏或不完整", f"the file is damaged or truncated: {exc}"
        ) from exc
    if len(fib) < 0x0C:
        raise _unreadable(file, kind, "Word 正文流不完整", "the WordDocument stream is truncated")
    ident, version = struct.unpack_from("<HH", fib, 0)
    (flags,) = struct.unpack_from("<H", fib, 0x0A)
    if ident not in (_WORD97_IDENT, _WORD6_IDENT):
        raise _unreadable(
            file, kind, "Word 正文流的标识不对", f"the WordDocument stream has ident {ident:#06x}"
        )
    if flags & _ENCRYPTED:
        raise IngestError(
            file,
            "encrypted",
            f".{kind} 文件有密码保护,无法读取;请提供未加密的文件",
            f"the .{kind} file is password-protected; provide an unencrypted copy",
        )
    if ident == _WORD6_IDENT or version < _FIRST_WORD97_FIB:
        raise IngestError(
            file,
            "unsupported_format",
            "这是 Word 6.0/95 或更早的文件,其中文编码无法可靠读取;请在 Word/WPS 中另存为 .docx 后上传",
            "this is a Word 6.0/95 (or older) file, whose Chinese encoding cannot be read "
            "reliably; save it as .docx in Word/WPS and upload that",
        )


def clean(raw: str) -> tuple[str, tuple[PlanWarning, ...]]:
    """catdoc's output shaped like the other readers' text, and what it noted about the file."""
    warnings: tuple[PlanWarning, ...] = ()
    if _FAST_SAVED.search(raw):
        raw = _FAST_SAVED.sub("", raw)
        warnings = (
            PlanWarning(
                code="fast_saved",
                message_zh="这个 Word 文件是“快速保存”的,部分修改可能未按顺序读出;请在 Word/WPS 中"
                "完整另存一次(或另存为 .docx)后核对。",
                message_en="This Word file was fast-saved: some edits may be missing or out of order. "
                "Save it in full (or as .docx) in Word/WPS and compare.",
            ),
        )
    lines = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _CONTROL.sub("", _FIELD.sub(r"\1", line))
        if "\t" in line:
            line = CELL_SEPARATOR.join(cell.strip() for cell in line.split("\t"))
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n"), warnings


def _unreadable(file: str, kind: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(file, "unreadable", f"无法读取 .{kind}:{why_zh}", f"cannot read the .{kind}: {why_en}")
