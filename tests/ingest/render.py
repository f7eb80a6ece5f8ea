"""Plan text typeset onto page images with a CJK font, the way a scanner or a phone sees it.

The OCR tests and ``bench/ocr.py`` need pictures of real plan text whose every character is
known: a page laid out like a Chinese official document (justified lines, a two-character
first-line indent, no line starting with closing punctuation), a long phone screenshot, and a
scan PDF that holds only those pictures as JPEG images — no text layer, as a scanner writes it.
The font is Debian's Noto Sans CJK (fonts-noto-cjk, installed by scripts/system-deps.sh).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["A4_150DPI", "FONT", "page_lines", "scan_pdf", "screenshot", "typeset"]

FONT: Final = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_SC: Final = 2  # the collection's order: JP, KR, SC, TC, HK
A4_150DPI: Final = (1240, 1754)
_NO_LINE_START: Final = frozenset("，。、；：？！）)》」』”’,.;:?!%")


def _font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), px, index=_SC)


def _wrap(paragraph: str, font: ImageFont.FreeTypeFont, width: float, indent: float) -> list[str]:
    """Greedy lines; a number is never split, and punctuation that may not start a line pulls
    the character before it down with it (so nothing hangs past the margin)."""
    lines: list[str] = []
    line = ""
    room = width - indent
    for ch in paragraph:
        if line and font.getlength(line + ch) > room:
            if ch in _NO_LINE_START:
                carry = _trailing_word(line) or line[-1]
            else:
                carry = _trailing_word(line) if _word_char(ch) else ""
            if len(carry) >= len(line):
                carry = ""
            lines.append(line[: len(line) - len(carry)])
            line, room = carry, width
        line += ch
    if line:
        lines.append(line)
    return lines


def _word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%")


def _trailing_word(line: str) -> str:
    """The run of ASCII letters and digits a line ends in: typesetters never break a number."""
    i = len(line)
    while i > 0 and _word_char(line[i - 1]):
        i -= 1
    return line[i:]


def _lines(text: str, font: ImageFont.FreeTypeFont, width: float, px: int) -> list[tuple[float, str]]:
    """(indent, text) of every line, paragraphs indented two characters; blank lines dropped."""
    out: list[tuple[float, str]] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        for i, line in enumerate(_wrap(paragraph, font, width, 2 * px)):
            out.append((2 * px if i == 0 else 0, line))
    return out


def page_lines(
    text: str, *, size: tuple[int, int] = A4_150DPI, px: int = 30, margin: int = 120
) -> list[list[tuple[float, str]]]:
    """The (indent, text) lines ``typeset`` puts on each page, to know where a quote was put."""
    font = _font(px)
    width, height = size
    pitch = round(px * 1.6)
    per_page = max(1, (height - 2 * margin) // pitch)
    lines = _lines(text, font, width - 2 * margin, px)
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)]


def typeset(
    text: str, *, size: tuple[int, int] = A4_150DPI, px: int = 30, margin: int = 120
) -> list[Image.Image]:
    """A4 pages at 150 dpi: ``px`` 30 is 14.4 pt text, a plan's body size (小四 to 四号)."""
    font = _font(px)
    pitch = round(px * 1.6)
    pages: list[Image.Image] = []
    for lines in page_lines(text, size=size, px=px, margin=margin):
        page = Image.new("L", size, 255)
        draw = ImageDraw.Draw(page)
        for i, (indent, line) in enumerate(lines):
            draw.text((margin + indent, margin + i * pitch), line, font=font, fill=0)
        pages.append(page)
    return pages


def screenshot(text: str, *, width: int = 1080, px: int = 40, margin: int = 48) -> Image.Image:
    """One long phone screenshot of the whole text (RGB, a web page's dark grey on white)."""
    font = _font(px)
    lines = _lines(text, font, width - 2 * margin, px)
    pitch = round(px * 1.7)
    image = Image.new("RGB", (width, 2 * margin + pitch * len(lines)), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i, (indent, line) in enumerate(lines):
        draw.text((margin + indent, margin + i * pitch), line, font=font, fill=(34, 34, 34))
    return image


def scan_pdf(pages: list[Image.Image], *, dpi: int = 150, blur: float = 0.6, quality: int = 80) -> bytes:
    """A PDF holding each page only as a JPEG image, slightly blurred: a scanner's output."""
    pdf = pdfium.PdfDocument.new()
    for picture in pages:
        buffer = io.BytesIO()
        picture.convert("L").filter(ImageFilter.GaussianBlur(blur)).save(buffer, "JPEG", quality=quality)
        w, h = picture.width * 72 / dpi, picture.height * 72 / dpi
        page = pdf.new_page(w, h)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(buffer.getvalue()), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(w, h))
        page.insert_obj(image)
        page.gen_content()
        page.close()
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()
