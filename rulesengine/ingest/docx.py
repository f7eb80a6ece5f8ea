"""Reading a Word .docx: body paragraphs and tables, in document order, as plain text.

python-docx's ``iter_inner_content()`` yields paragraphs and tables interleaved as they appear,
which matters because plans put their indicator tables between the paragraphs that explain
them. Each table row becomes one line with cells joined by `` | `` so a row's indicator, value
and year stay on the line the extractor reads. Headers, footers and comments are left out: they
are page furniture, not plan text.

A .docx is a zip, and a zip can declare gigabytes of content in a few kilobytes. Python's
``zipfile`` never inflates a member past its declared size (it stops and fails the CRC check),
so checking the declared sizes *before* python-docx opens anything is enough to refuse a bomb.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Final

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from rulesengine.ingest.errors import IngestError, format_size
from rulesengine.ingest.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBERS",
    "MAX_UNCOMPRESSED_BYTES",
    "check_zip_members",
    "read_docx",
]

MAX_UNCOMPRESSED_BYTES: Final = DEFAULT_LIMITS.max_unpacked_bytes
"""Total declared size of all members; real plans, images included, stay far below this."""
MAX_COMPRESSION_RATIO: Final = DEFAULT_LIMITS.max_compression_ratio
"""Deflated XML reaches about 10-20x; hundreds-fold is a bomb (checked on members > 1 MiB)."""
MAX_MEMBERS: Final = DEFAULT_LIMITS.max_members
_RATIO_CHECK_FROM: Final = 1024 * 1024
CELL_SEPARATOR: Final = " | "


def read_docx(data: bytes, file: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text of a .docx; ``IngestError`` (zip_bomb, unreadable, empty) when there is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i.filename, i.file_size, i.compress_size) for i in zf.infolist()]
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(file, "文件已损坏,不是完整的 zip/.docx", "it is not an intact zip/.docx") from exc
    check_zip_members(members, file, limits)
    if "word/document.xml" not in names:
        raise _unreadable(
            file, "压缩包里没有 Word 正文(word/document.xml)", "the zip has no word/document.xml"
        )
    try:
        document = docx.Document(io.BytesIO(data))
        text = "\n".join(_lines(document.iter_inner_content()))
    except IngestError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged parts
        raise _unreadable(
            file, f"无法解析 Word 内容({type(exc).__name__})", f"python-docx failed: {exc}"
        ) from exc
    if not text.strip():
        raise IngestError(
            file,
            "empty",
            "Word 文档里没有文字(正文和表格都是空的)",
            "the Word document has no text (body and tables are empty)",
        )
    return text


def check_zip_members(
    members: Iterable[tuple[str, int, int]], file: str, limits: Limits = DEFAULT_LIMITS
) -> None:
    """Refuse a zip whose declared sizes or ratios are those of a zip bomb (.docx, .ofd).

    ``members`` are ``(name, uncompressed size, compressed size)`` as the zip declares them.
    """
    total = 0
    count = 0
    for name, size, compressed in members:
        count += 1
        total += size
        ratio = size / max(compressed, 1)
        if size > _RATIO_CHECK_FROM and ratio > limits.max_compression_ratio:
            raise _bomb(
                file,
                f"其中 {name} 压缩比 {ratio:.0f}:1,解压后 {format_size(size)}",
                f"member {name} expands {ratio:.0f}:1 to {format_size(size)}",
            )
    if total > limits.max_unpacked_bytes:
        raise _bomb(
            file,
            f"解压后共 {format_size(total)},超过上限 {format_size(limits.max_unpacked_bytes)}",
            f"it expands to {format_size(total)}, over the {format_size(limits.max_unpacked_bytes)} limit",
        )
    if count > limits.max_members:
        raise _bomb(file, f"包含 {count} 个文件,过多", f"it holds {count} members, too many")


def _lines(blocks: Iterable[Paragraph | Table]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block)


def _table_lines(table: Table) -> Iterator[str]:
    """One line per row, a merged cell's text given once.

    python-docx repeats a cell that spans columns within its row, and repeats the top cell of a
    vertical span in every row below; either would make the extractor find a target twice. A
    vertically continued cell is left empty so the columns of the row still line up.
    """
    earlier_rows: set[object] = set()  # holds the XML elements, so lxml keeps their identity
    for row in table.rows:
        this_row: set[object] = set()
        texts: list[str] = []
        for cell in row.cells:
            tc = cell._tc  # the XML element is what identifies a cell across python-docx copies
            if tc in this_row:
                continue
            this_row.add(tc)
            texts.append("" if tc in earlier_rows else _cell_text(cell.text))
        earlier_rows |= this_row
        yield CELL_SEPARATOR.join(texts)


def _cell_text(text: str) -> str:
    """A cell's paragraphs on one line, so that one table row stays one line of text."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _unreadable(file: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(file, "unreadable", f"无法读取 .docx:{why_zh}", f"cannot read the .docx: {why_en}")


def _bomb(file: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(
        file,
        "zip_bomb",
        f"疑似压缩炸弹,拒绝解压:{why_zh}",
        f"looks like a zip bomb, refused before unpacking: {why_en}",
    )
