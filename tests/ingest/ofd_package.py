"""OFD packages (GB/T 33190) written by the tests: plan text placed glyph by glyph on A4 pages.

A converter writes an OFD the way it writes a PDF: text objects at positions, in whatever
order it likes. ``typeset_ofd`` lays the text out like a Chinese official document (25 mm
margins, two-character indent, no number broken across lines) and writes each line as one
``TextObject`` with a ``DeltaX`` per character; ``per_glyph=True`` writes every character as
its own object instead, and ``shuffle`` stores the objects out of reading order, as some
writers do, so the reader has to order them by position.
"""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ["Glyphs", "ofd_package", "typeset_ofd"]

NS = "http://www.ofdspec.org/2016"
PAGE = (210.0, 297.0)


@dataclass(frozen=True)
class Glyphs:
    """Text at (x, baseline y) in mm with a font size and per-character advances."""

    x: float
    y: float
    size: float
    text: str
    advances: tuple[float, ...]
    delta_x: str | None = None
    """Written as the TextCode's DeltaX verbatim (one object for the line), when given."""


def _advance(ch: str, size: float) -> float:
    return size if unicodedata.east_asian_width(ch) in ("W", "F", "A") else size * 0.55


def _lines(paragraph: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line, room = "", width - 2 * size
    for ch in paragraph:
        if line and sum(_advance(c, size) for c in line + ch) > room and ch not in "，。、；：）)%,.;:":
            keep = len(line)
            while keep > 0 and line[keep - 1].isascii() and line[keep - 1].isalnum() and ch.isascii():
                keep -= 1
            keep = keep or len(line)
            lines.append(line[:keep])
            line, room = line[keep:], width
        line += ch
    if line:
        lines.append(line)
    return lines


def typeset_ofd(text: str, *, size: float = 4.2, margin: float = 25.0) -> list[list[Glyphs]]:
    """Pages of positioned lines: 4.2 mm is 12 pt text."""
    width = PAGE[0] - 2 * margin
    pitch = size * 1.6
    pages: list[list[Glyphs]] = []
    y = PAGE[1]
    for paragraph in (p.strip() for p in text.split("\n")):
        if not paragraph:
            continue
        for i, line in enumerate(_lines(paragraph, size, width)):
            if y + pitch > PAGE[1] - margin:
                pages.append([])
                y = margin + size
            x = margin + (2 * size if i == 0 else 0)
            pages[-1].append(Glyphs(x, y, size, line, tuple(_advance(c, size) for c in line)))
            y += pitch
    return pages


def _text_objects(lines: Iterable[Glyphs], per_glyph: bool, first_id: int) -> list[str]:
    objects: list[str] = []
    ident = first_id
    for glyphs in lines:
        starts = [glyphs.x + sum(glyphs.advances[:i]) for i in range(len(glyphs.text))]
        pieces = (
            [(starts[i], ch, (glyphs.advances[i],)) for i, ch in enumerate(glyphs.text)]
            if per_glyph
            else [(glyphs.x, glyphs.text, glyphs.advances)]
        )
        for x, text, advances in pieces:
            width = sum(advances)
            delta = glyphs.delta_x or " ".join(f"{a:.3f}" for a in advances[:-1])
            objects.append(
                f'<ofd:TextObject ID="{ident}" Boundary="{x:.3f} {glyphs.y - glyphs.size:.3f} {width:.3f} '
                f'{glyphs.size * 1.2:.3f}" Font="2" Size="{glyphs.size}">'
                f'<ofd:TextCode X="0" Y="{glyphs.size:.3f}"' + (f' DeltaX="{delta}"' if delta else "") + f">"
                f"{escape(text)}</ofd:TextCode></ofd:TextObject>"
            )
            ident += 1
    return objects


def ofd_package(
    pages: list[list[Glyphs]],
    *,
    per_glyph: bool = False,
    shuffle: bool = False,
    template: str | None = None,
    absolute_paths: bool = False,
) -> bytes:
    """An .ofd zip: OFD.xml → Doc_0/Document.xml → Doc_0/Pages/Page_N/Content.xml.

    ``template`` is text put on a template page (a letterhead) that every page refers to.
    """
    buffer = io.BytesIO()
    rng = random.Random(17)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>planalign-test</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_refs = []
        for n in range(len(pages)):
            location = ("/Doc_0/" if absolute_paths else "") + f"Pages/Page_{n}/Content.xml"
            page_refs.append(f'<ofd:Page ID="{100 + n}" BaseLoc="{location}"/>')
        template_ref = '<ofd:TemplatePage ID="90" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else ""
        zf.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
            f"<ofd:MaxUnitID>100000</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE[0]} {PAGE[1]}"
            f"</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{template_ref}"
            f"</ofd:CommonData><ofd:Pages>{''.join(page_refs)}</ofd:Pages></ofd:Document>",
        )
        zf.writestr(
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        if template:
            line = Glyphs(25.0, 15.0, 3.5, template, tuple(_advance(c, 3.5) for c in template))
            zf.writestr("Doc_0/Tpls/Tpl_0/Content.xml", _page_xml(_text_objects([line], False, 90_000), None))
        next_id = 1
        for n, lines in enumerate(pages):
            objects = _text_objects(lines, per_glyph, next_id)
            next_id += len(objects)
            if shuffle:
                rng.shuffle(objects)
            zf.writestr(f"Doc_0/Pages/Page_{n}/Content.xml", _page_xml(objects, "90" if template else None))
    return buffer.getvalue()


def _page_xml(objects: list[str], template: str | None) -> str:
    uses = f'<ofd:Template TemplateID="{template}" ZOrder="Background"/>' if template else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}">{uses}<ofd:Content>'
        f'<ofd:Layer ID="1" Type="Body">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
    )
