"""Reading OFD (GB/T 33190-2016), China's fixed-layout format, from its XML with the stdlib.

An .ofd is a zip: ``OFD.xml`` names each document's root (``DocBody/DocRoot``, e.g.
``Doc_0/Document.xml``), which lists its pages (``Pages/Page@BaseLoc``, relative to the
document's folder unless it starts with ``/``), and each page's ``Content.xml`` holds
``TextObject`` elements: a ``Boundary`` ("x y w h" in millimetres), a font ``Size``, an optional
``CTM``, and ``TextCode`` runs with an ``X``/``Y`` origin (relative to the boundary) and optional
``DeltaX`` advances (``g n d`` repeats ``d`` n times). Like a PDF, OFD stores where glyphs go,
not the reading order, so the runs are laid out by position (``layout``): lines by Y, left to
right by X, wrapped lines joined, page by page, with each run's box kept in millimetres.
Template pages (letterhead, page numbers) are furniture and are left out.

The zip is checked like a .docx before anything is inflated (declared sizes, ratio, member
count), and XML with a DOCTYPE is refused, so entity expansion never starts. An OFD holding
only images (a scan) has no text to read here; it is refused as ``no_text_layer`` with advice
to provide the PDF or a text version.
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from typing import Final

from rulesengine.ingest.docx import check_zip_members
from rulesengine.ingest.errors import IngestError
from rulesengine.ingest.layout import Glyph, LaidOut, Run, assemble
from rulesengine.ingest.limits import DEFAULT_LIMITS, Limits

__all__ = ["read_ofd"]

_DOCTYPE: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DEFAULT_SIZE: Final = 3.5
"""Font size in mm when a TextObject gives none (五号, 10.5 pt)."""


def read_ofd(data: bytes, file: str, limits: Limits = DEFAULT_LIMITS) -> LaidOut:
    """The text of an OFD package in reading order, with each run's box on its page."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(
            file, "文件已损坏,不是完整的 OFD(zip)包", "it is not an intact OFD (zip) package"
        ) from exc
    with zf:
        check_zip_members(((i.filename, i.file_size, i.compress_size) for i in zf.infolist()), file, limits)
        package = _Package(zf, file)
        entry = package.find("OFD.xml")
        if entry is None:
            raise _unreadable(
                file, "压缩包里没有 OFD.xml,不是 OFD 文件", "the zip has no OFD.xml; it is not an OFD file"
            )
        roots = [_text(el) for el in package.xml(entry).iter() if _local(el.tag) == "DocRoot" and _text(el)]
        if not roots:
            raise _unreadable(file, "OFD.xml 没有指明文档(DocRoot)", "OFD.xml names no document (DocRoot)")
        pages = [page for root in roots for page in _page_paths(package, _resolve("", root))]
        if len(pages) > limits.max_pages:
            raise IngestError(
                file,
                "too_large",
                f"OFD 共 {len(pages)} 页,超过上限 {limits.max_pages} 页",
                f"the OFD has {len(pages)} pages, over the {limits.max_pages} page limit",
            )
        runs = [_runs(package, path, number) for number, path in enumerate(pages, start=1)]
    laid_out = assemble(runs, unit="mm")
    if not laid_out.text.strip():
        raise IngestError(
            file,
            "no_text_layer",
            f"OFD 共 {len(pages)} 页,但里面没有文字(可能是扫描件,只有图像);"
            "请提供带文字层的 PDF、.docx 或 .txt",
            f"the OFD has {len(pages)} page(s) but no text (a scan holding only images?); provide "
            "a PDF with a text layer, a .docx or a .txt",
        )
    return laid_out


class _Package:
    """Members of the zip by name, found case-insensitively (writers differ), parsed safely."""

    def __init__(self, zf: zipfile.ZipFile, file: str) -> None:
        self.zf = zf
        self.file = file
        self.names = {name.lower().lstrip("/"): name for name in zf.namelist()}

    def find(self, path: str) -> str | None:
        return self.names.get(path.lower().lstrip("/"))

    def xml(self, name: str) -> ET.Element:
        raw = self.zf.read(name)
        if _DOCTYPE.search(raw):
            raise _unreadable(
                self.file,
                f"{name} 含有 DOCTYPE/实体声明,拒绝解析",
                f"{name} declares a DOCTYPE/entities; refused",
            )
        try:
            return ET.fromstring(raw)
        except ET.ParseError as exc:
            raise _unreadable(
                self.file, f"{name} 不是完整的 XML", f"{name} is not well-formed XML: {exc}"
            ) from exc


def _page_paths(package: _Package, document: str) -> list[str]:
    name = package.find(document)
    if name is None:
        raise _unreadable(package.file, f"找不到文档 {document}", f"the document {document} is missing")
    root = package.xml(name)
    folder = posixpath.dirname(document)
    paths = []
    for el in root.iter():
        if _local(el.tag) == "Page" and el.get("BaseLoc"):
            paths.append(_resolve(folder, el.get("BaseLoc", "")))
    return paths


def _runs(package: _Package, path: str, number: int) -> list[Run]:
    name = package.find(path)
    if name is None:
        raise _unreadable(
            package.file, f"第 {number} 页的内容 {path} 不存在", f"page {number}'s content {path} is missing"
        )
    runs: list[Run] = []
    for obj in package.xml(name).iter():
        if _local(obj.tag) != "TextObject":
            continue
        bx, by = _numbers(obj.get("Boundary", "0 0 0 0"), 2) or [0.0, 0.0]
        size = (_numbers(obj.get("Size", ""), 1) or [_DEFAULT_SIZE])[0]
        ctm = _numbers(obj.get("CTM", ""), 6)
        x, y = 0.0, 0.0
        for code in obj:
            if _local(code.tag) != "TextCode":
                continue
            text = code.text or ""
            x = (_numbers(code.get("X", ""), 1) or [x])[0]
            y = (_numbers(code.get("Y", ""), 1) or [y])[0]
            advances = _delta(code.get("DeltaX", ""))
            glyphs = []
            position = x
            for i, ch in enumerate(text):
                width = advances[i] if i < len(advances) else _advance(ch, size)
                x0, top = _place(position, y - size, ctm)
                x1, bottom = _place(position + _advance(ch, size), y, ctm)
                glyphs.append(Glyph(ch, bx + min(x0, x1), bx + max(x0, x1)))
                position += width
            if glyphs:
                runs.append(
                    Run(page=number, glyphs=tuple(glyphs), y0=by + min(top, bottom), y1=by + max(top, bottom))
                )
            x = position
    return runs


def _place(x: float, y: float, ctm: list[float] | None) -> tuple[float, float]:
    if not ctm:
        return x, y
    a, b, c, d, e, f = ctm
    return a * x + c * y + e, b * x + d * y + f


def _advance(ch: str, size: float) -> float:
    return size if unicodedata.east_asian_width(ch) in ("W", "F") else size / 2


def _delta(value: str) -> list[float]:
    """DeltaX with its ``g n d`` shorthand (n advances of d) expanded."""
    out: list[float] = []
    tokens = value.split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            count = _int(tokens[i + 1])
            step = _float(tokens[i + 2])
            out.extend([step] * min(count, 100_000))
            i += 3
        else:
            out.append(_float(tokens[i]))
            i += 1
    return out


def _numbers(value: str, count: int) -> list[float] | None:
    parts = value.split()
    if len(parts) < count:
        return None
    try:
        return [float(p) for p in parts[:count]]
    except ValueError:
        return None


def _float(token: str) -> float:
    try:
        return float(token)
    except ValueError:
        return 0.0


def _int(token: str) -> int:
    try:
        return max(0, int(token))
    except ValueError:
        return 0


def _resolve(folder: str, location: str) -> str:
    location = location.strip().replace("\\", "/")
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, location))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: ET.Element) -> str:
    return (el.text or "").strip()


def _unreadable(file: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(file, "unreadable", f"无法读取 .ofd:{why_zh}", f"cannot read the .ofd: {why_en}")
