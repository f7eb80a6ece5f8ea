"""Many plan documents sent at once — files, zip archives, a mapping table — as documents with
their metadata.

Why a module of its own: a 经信厅 sends a province's county plans as one zip, made on Windows
(its member names in GBK without the UTF-8 flag), with a ``.meta.yaml`` beside some documents
and a spreadsheet (清单) listing the others. Each document's region and period come from, in
order: the mapping table's row for it, its ``.meta.yaml``, or its heading
(``plans.meta_from_heading``); ``meta_source`` records which, so a page can show where a
county's region came from. Nothing is guessed beyond the heading; a document none of them
describes is kept with an empty ``meta`` and fails, by name, when it is read.

Archives are held to ``Limits`` (members, unpacked size, compression ratio) before anything is
decompressed, like the .docx and .ofd readers: an upload is untrusted.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from rulesengine.ingest import DEFAULT_LIMITS, SUPPORTED_EXTENSIONS, Limits
from rulesengine.plans import META_KEYS, PlanError, parse_meta

__all__ = ["MAPPING_COLUMNS", "Bundle", "BundleError", "BundleFile", "Skipped", "unpack"]

MAPPING_COLUMNS: dict[str, str] = {
    "文件": "file",
    "文件名": "file",
    "file": "file",
    "行政区": "region",
    "地区": "region",
    "region": "region",
    "规划期": "period",
    "年份": "period",
    "period": "period",
    "标题": "title",
    "title": "title",
    "编号": "id",
    "规划编号": "id",
    "id": "id",
    "层级": "level",
    "level": "level",
    "发文机关": "issuer",
    "issuer": "issuer",
}
"""Header words of a mapping table (清单) → metadata field; ``file`` is required."""

_META_SUFFIX = ".meta.yaml"
_TABLE_SUFFIXES = (".csv", ".xlsx")


class BundleError(ValueError):
    """The upload as a whole cannot be used (a broken or oversized archive, a bad mapping table);
    names the file and, for a table, the line."""

    def __init__(self, file: str, message_zh: str, message_en: str, line: int | None = None) -> None:
        self.file, self.line = file, line
        self.message_zh, self.message_en = message_zh, message_en
        where = file + (f" 第{line}行/line {line}" if line else "")
        super().__init__(f"{where}: {message_zh} / {message_en}")


@dataclass(frozen=True)
class BundleFile:
    """A plan document of the upload: its path in the upload, its bytes and its metadata."""

    name: str
    data: bytes
    meta: dict[str, Any] = field(default_factory=dict)
    meta_source: str = ""  # "mapping" | "meta" | "" (to be read from the heading)


@dataclass(frozen=True)
class Skipped:
    """A member that is not a plan document, and why it was left out."""

    name: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Bundle:
    files: tuple[BundleFile, ...]
    skipped: tuple[Skipped, ...]


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: zips made on Chinese Windows store GBK bytes without the UTF-8
    flag, which ``zipfile`` decodes as cp437 (mojibake)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unzip(name: str, data: bytes, limits: Limits, budget: int) -> list[tuple[str, bytes]]:
    """The members of one archive, within ``budget`` unpacked bytes (what the upload's earlier
    archives left of ``Limits.max_unpacked_bytes``: a bomb split over many zips is still one)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise BundleError(name, "不是有效的 zip 压缩包", "not a valid zip archive") from None
    members = [i for i in archive.infolist() if not i.is_dir()]
    if len(members) > limits.max_members:
        raise BundleError(
            name,
            f"压缩包内文件过多({len(members)} 个,上限 {limits.max_members})",
            f"too many members ({len(members)}, limit {limits.max_members})",
        )
    declared = sum(i.file_size for i in members)
    if declared > budget:
        raise BundleError(
            name,
            f"解压后过大(约 {declared:,} 字节,本次上传合计上限 {limits.max_unpacked_bytes:,})",
            f"unpacks to {declared:,} bytes (limit {limits.max_unpacked_bytes:,} for the whole upload)",
        )
    out: list[tuple[str, bytes]] = []
    for info in members:
        member = _member_name(info)
        if info.flag_bits & 0x1:
            raise BundleError(f"{name}/{member}", "文件已加密,无法读取", "the member is encrypted")
        if info.file_size > 64 * 1024 and info.file_size > limits.max_compression_ratio * max(
            info.compress_size, 1
        ):
            raise BundleError(f"{name}/{member}", "压缩比异常(疑似压缩炸弹)", "suspicious compression ratio")
        try:
            body = archive.read(info)
        except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, zlib.error) as exc:
            raise BundleError(f"{name}/{member}", f"无法解压:{exc}", f"cannot be unpacked: {exc}") from None
        if len(body) != info.file_size:  # the header lied about the size
            raise BundleError(
                f"{name}/{member}", "文件大小与压缩包记录不符", "size differs from the archive's record"
            )
        out.append((member, body))
    return out


def _hidden(path: str) -> bool:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _decode_table(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BundleError(name, "清单编码无法识别(应为 UTF-8 或 GBK)", "the table is neither UTF-8 nor GBK")


def _table_rows(name: str, data: bytes) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise BundleError(
                name, f"无法读取 Excel 清单:{exc}", f"cannot read the workbook: {exc}"
            ) from None
        sheet = book.worksheets[0]
        return [
            ["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(_decode_table(name, data)))]


def _is_mapping(rows: list[list[str]]) -> bool:
    return bool(rows) and any(MAPPING_COLUMNS.get(c.lower() if c.isascii() else c) == "file" for c in rows[0])


def _mapping(name: str, rows: list[list[str]]) -> dict[str, dict[str, Any]]:
    """File name → metadata, from a table whose first row names its columns."""
    head = [MAPPING_COLUMNS.get(c.lower() if c.isascii() else c) for c in rows[0]]
    out: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {k: v for k, v in zip(head, row, strict=False) if k and v}
        if not cells:
            continue
        file = cells.pop("file", "")
        if not file:
            raise BundleError(name, "该行没有文件名", "the row names no file", line)
        key = PurePosixPath(file.replace("\\", "/")).name
        if key in out:
            raise BundleError(name, f"文件 {key} 在清单中出现两次", f"file {key} is listed twice", line)
        out[key] = cells
    return out


def unpack(uploads: Sequence[tuple[str, bytes]], *, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """The plan documents among ``uploads`` (name, bytes) — zips opened, one level deep — each
    with its metadata. Raises ``BundleError`` for an archive or table that cannot be used."""
    members: list[tuple[str, bytes]] = []
    budget = limits.max_unpacked_bytes
    for name, data in uploads:
        if name.lower().endswith(".zip"):
            unpacked = _unzip(name, data, limits, budget)
            budget -= sum(len(b) for _, b in unpacked)
            members.extend(unpacked)
        else:
            members.append((name, data))
    documents: list[tuple[str, bytes]] = []
    metas: dict[str, tuple[str, bytes]] = {}
    mapping: dict[str, dict[str, Any]] = {}
    skipped: list[Skipped] = []
    for name, data in members:
        lower = name.lower()
        if _hidden(name):
            continue
        if lower.endswith(_META_SUFFIX):
            metas[name[: -len(_META_SUFFIX)]] = (name, data)
        elif lower.endswith(_TABLE_SUFFIXES) and _is_mapping(rows := _table_rows(name, data)):
            for key, value in _mapping(name, rows).items():
                if key in mapping:
                    raise BundleError(name, f"文件 {key} 在多份清单中出现", f"file {key} is in two tables")
                mapping[key] = value
        elif lower.endswith(".zip"):
            skipped.append(
                Skipped(name, "压缩包内的压缩包不展开", "an archive inside an archive is not opened")
            )
        elif PurePosixPath(lower).suffix in SUPPORTED_EXTENSIONS:
            documents.append((name, data))
        else:
            skipped.append(Skipped(name, "不是支持的规划文件格式", "not a supported plan document format"))
    files = []
    for name, data in documents:
        stem = name[: -len(PurePosixPath(name).suffix)]
        meta: dict[str, Any] = {}
        source = ""
        if stem in metas:
            meta_name, meta_data = metas.pop(stem)
            try:
                meta = parse_meta(meta_data.decode("utf-8-sig"), meta_name)
            except (PlanError, UnicodeDecodeError) as exc:
                raise BundleError(
                    meta_name, f"元数据无法读取:{exc}", f"metadata cannot be read: {exc}"
                ) from None
            source = "meta"
        row = mapping.pop(PurePosixPath(name.replace("\\", "/")).name, None)
        if row is not None:
            meta = {**meta, **{k: v for k, v in row.items() if k in META_KEYS}}
            source = "mapping"
        kept = {k: v if k == "scope" else str(v) for k, v in meta.items() if v is not None and str(v).strip()}
        files.append(BundleFile(name, data, kept, source))
    for meta_name, _ in metas.values():
        skipped.append(Skipped(meta_name, "没有同名的规划文件", "no plan document of the same name"))
    for key in mapping:
        skipped.append(Skipped(key, "清单中列出的文件不在上传内容中", "listed in the table but not uploaded"))
    return Bundle(tuple(files), tuple(skipped))
