"""From glyphs placed on pages to plain text, keeping where every character came from.

Two readers get text as positioned pieces rather than as a stream: OCR (boxes of recognised
characters on a page image) and OFD (``TextCode`` runs at X/Y on a page). Both need the same
three steps, so they share this module:

1. *Lines*: pieces whose vertical extents overlap by half are one line, read left to right.
   OCR's detector sometimes cuts a line into two boxes that overlap, and each box's recogniser
   then reads the shared strip (``…增长6%、力`` + ``力争10%``): where two pieces' characters
   overlap by half their width, the one read with more confidence is kept. An OFD writer's
   fake bold (the same text printed twice, a hair apart) collapses the same way.
2. *Paragraphs*: Chinese plans are typeset justified with a two-character first-line indent,
   so a line that runs to the right margin and is followed by a line that is not indented was
   wrapped by the page, not by the author, and is joined to it (the text rules are the PDF
   reader's, ``continues``); the same holds across a page break. A wide vertical gap is always
   a paragraph break (screenshots of web pages do not indent).
3. *Spans*: every piece becomes a ``TextBox`` with the span of text it produced, and every
   character read with low confidence is reported as a span, so a target quoted from it can be
   double-checked against the page.

A gap of more than three character heights between pieces of one line is a table's column
gap and is written as `` | ``, the separator the .docx reader uses for table cells; a smaller
gap is a space only between Latin letters and digits (Chinese has none).
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from rulesengine.ingest.document import TextBox

__all__ = ["CELL_SEPARATOR", "Glyph", "LaidOut", "Run", "assemble", "continues"]

CELL_SEPARATOR: Final = " | "
_SENTENCE_END: Final = frozenset("。！？；：!?;:")
_CLOSERS: Final = frozenset("”’」』)】》〉\"')")
_OPENERS: Final = frozenset("“‘「『(（【《〈")
NEW_ITEM: Final = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[((][一二三四五六七八九十百\d]+[))]|\d+[、..]"
    r"|第[一二三四五六七八九十百\d]+[章节条部分篇]|[•●■◆▪*-])"
)
_FULL: Final = 1.5
"""A line ending within this many character heights of the right margin ran the full width."""
_INDENT: Final = 0.8
"""A line starting this many character heights right of the left margin is indented."""
_COLUMN_GAP: Final = 3.0
_WORD_GAP: Final = 0.25
_PARAGRAPH_GAP: Final = 1.45
"""A line pitch this many times the page's usual pitch is a paragraph break."""


def continues(previous: str, line: str) -> bool:
    """Whether ``line`` carries on the sentence ``previous`` stopped in, judged by the text alone
    (the caller judges whether ``previous`` ran the full width). Shared by the PDF reader and
    the page layouts read by OCR and from OFD, so every format joins wrapped lines alike."""
    if not previous or not line.strip():
        return False
    last, first = previous[-1], line.lstrip()[0]
    if last in _OPENERS:  # an opening quote or bracket never ends a line the author ended
        return True
    if last in _SENTENCE_END or (last in _CLOSERS and len(previous) > 1 and previous[-2] in _SENTENCE_END):
        return False
    if NEW_ITEM.match(line):
        return False
    return (cjk(last) or cjk(first)) and not last.isspace()


def cjk(ch: str) -> bool:
    """CJK ideographs and full-width punctuation: text in which a line break is never a space."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character and its horizontal extent; ``confidence`` only for OCR."""

    char: str
    x0: float
    x1: float
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """Characters a reader found together on one page: an OCR box or an OFD ``TextCode``."""

    page: int
    glyphs: tuple[Glyph, ...]
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1e-6)


@dataclass(frozen=True, slots=True)
class LaidOut:
    """The text of some pages, the box of every run in it, and spans OCR was unsure of."""

    text: str
    boxes: tuple[TextBox, ...]
    doubtful: tuple[tuple[int, int, int], ...]
    """``(start, end, page)`` of each stretch of low-confidence characters."""


@dataclass(slots=True)
class _Line:
    page: int
    y0: float
    y1: float
    glyphs: list[tuple[Glyph, int]] = field(default_factory=list)
    """Each glyph with the index of its run."""

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1e-6)

    @property
    def x0(self) -> float:
        return self.glyphs[0][0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1][0].x1


@dataclass(frozen=True, slots=True)
class _Metrics:
    left: float
    right: float
    height: float
    pitch: float


def assemble(
    pages: Sequence[Sequence[Run]],
    *,
    unit: Literal["px", "pt", "mm"],
    low_confidence: float = 0.0,
) -> LaidOut:
    """Text of ``pages`` in reading order; characters below ``low_confidence`` are doubtful."""
    runs = [run for page in pages for run in page if any(not g.char.isspace() for g in run.glyphs)]
    lines: list[_Line] = []
    metrics: dict[int, _Metrics] = {}
    for page in sorted({r.page for r in runs}):
        page_lines = _lines([(i, r) for i, r in enumerate(runs) if r.page == page])
        metrics[page] = _metrics(page_lines)
        lines.extend(page_lines)

    parts: list[str] = []
    length = 0
    spans: dict[int, list[int]] = {}  # run index → offsets of its kept characters
    kept: dict[int, list[Glyph]] = {}
    doubtful: list[int] = []
    previous: _Line | None = None
    previous_text = ""
    for line in lines:
        if previous is not None:
            sep = _separator(previous, previous_text, line, metrics)
            parts.append(sep)
            length += len(sep)
        text_parts: list[str] = []
        last: Glyph | None = None
        for glyph, run in line.glyphs:
            if last is not None:
                gap = _gap(last, glyph, line.height)
                text_parts.append(gap)
                length += len(gap)
            spans.setdefault(run, []).append(length)
            kept.setdefault(run, []).append(glyph)
            if glyph.confidence is not None and glyph.confidence < low_confidence and _telling(glyph.char):
                doubtful.append(length)
            text_parts.append(glyph.char)
            length += len(glyph.char)
            last = glyph
        previous_text = "".join(text_parts)
        parts.append(previous_text)
        previous = line
    text = "".join(parts)
    boxes = tuple(_box(runs[i], offsets, unit, kept[i]) for i, offsets in spans.items())
    return LaidOut(
        text=text,
        boxes=tuple(sorted(boxes, key=lambda b: b.start)),
        doubtful=_merge(doubtful, text, [(b.start, b.end, b.page) for b in boxes]),
    )


def _lines(runs: list[tuple[int, Run]]) -> list[_Line]:
    lines: list[_Line] = []
    for index, run in sorted(runs, key=lambda item: (item[1].y0 + item[1].y1) / 2):
        line = lines[-1] if lines else None
        if line is not None and _overlap(run.y0, run.y1, line.y0, line.y1) >= 0.5 * min(
            run.height, line.height
        ):
            line.y0, line.y1 = min(line.y0, run.y0), max(line.y1, run.y1)
        else:
            line = _Line(run.page, run.y0, run.y1)
            lines.append(line)
        line.glyphs.extend((g, index) for g in run.glyphs if not g.char.isspace())
    for line in lines:
        line.glyphs = _deduplicated(sorted(line.glyphs, key=lambda item: (item[0].x0, item[0].x1)))
    return [line for line in lines if line.glyphs]


def _deduplicated(glyphs: list[tuple[Glyph, int]]) -> list[tuple[Glyph, int]]:
    """Drop one of two characters from different runs that share half their width."""
    kept: list[tuple[Glyph, int]] = []
    for glyph, run in glyphs:
        if kept:
            other, other_run = kept[-1]
            narrower = min(glyph.x1 - glyph.x0, other.x1 - other.x0)
            if (
                other_run != run
                and narrower > 0
                and _overlap(glyph.x0, glyph.x1, other.x0, other.x1) > 0.5 * narrower
            ):
                if _trust(glyph) > _trust(other):
                    kept[-1] = (glyph, run)
                continue
        kept.append((glyph, run))
    return kept


def _trust(glyph: Glyph) -> float:
    return 1.0 if glyph.confidence is None else glyph.confidence


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _metrics(lines: list[_Line]) -> _Metrics:
    if not lines:
        return _Metrics(0.0, 0.0, 1.0, 1.0)
    lefts = sorted(line.x0 for line in lines)
    rights = sorted(line.x1 for line in lines)
    height = statistics.median(line.height for line in lines)
    pitches = [b.y0 - a.y0 for a, b in itertools.pairwise(lines) if b.y0 > a.y0]
    return _Metrics(
        left=lefts[int(0.1 * (len(lefts) - 1))],
        right=rights[math.ceil(0.9 * (len(rights) - 1))],
        height=height,
        pitch=statistics.median(pitches) if pitches else 2 * height,
    )


def _separator(a: _Line, a_text: str, b: _Line, metrics: dict[int, _Metrics]) -> str:
    ma, mb = metrics[a.page], metrics[b.page]
    full = a.x1 >= ma.right - _FULL * ma.height
    indented = b.x0 > mb.left + _INDENT * mb.height
    same_page = a.page == b.page
    wide_gap = same_page and (b.y0 - a.y0) > _PARAGRAPH_GAP * ma.pitch
    b_text = "".join(g.char for g, _ in b.glyphs)
    if full and not indented and not wide_gap and continues(a_text, b_text):
        return ""
    return "\n" if same_page else "\n\n"


def _gap(last: Glyph, glyph: Glyph, height: float) -> str:
    gap = glyph.x0 - last.x1
    if gap > _COLUMN_GAP * height:
        return CELL_SEPARATOR
    if gap > _WORD_GAP * height and _latin(last.char) and _latin(glyph.char):
        return " "
    return ""


def _telling(ch: str) -> bool:
    """Whether a misread of ``ch`` could change what a plan says: not punctuation, where OCR is
    mostly unsure whether a comma is full or half width, but ``%`` and ``.`` are numbers' own."""
    return ch in "%.％．" or not unicodedata.category(ch).startswith("P")


def _latin(ch: str) -> bool:
    """Letters and digits of Latin script, between which a gap on the page is a space."""
    return ch.isascii() and ch.isalnum()


def _box(run: Run, offsets: list[int], unit: Literal["px", "pt", "mm"], kept: list[Glyph]) -> TextBox:
    confidences = [g.confidence for g in kept if g.confidence is not None]
    return TextBox(
        start=min(offsets),
        end=max(offsets) + 1,
        page=run.page,
        x0=round(min(g.x0 for g in kept), 2),
        y0=round(run.y0, 2),
        x1=round(max(g.x1 for g in kept), 2),
        y1=round(run.y1, 2),
        unit=unit,
        confidence=round(statistics.fmean(confidences), 4) if confidences else None,
    )


def _merge(
    offsets: list[int], text: str, boxes: list[tuple[int, int, int]]
) -> tuple[tuple[int, int, int], ...]:
    """Adjacent doubtful characters as one span, each with the page it is on."""
    spans: list[tuple[int, int, int]] = []
    for offset in sorted(offsets):
        page = next((p for s, e, p in boxes if s <= offset < e), 1)
        if spans and spans[-1][2] == page and not text[spans[-1][1] : offset].strip(" |"):
            spans[-1] = (spans[-1][0], offset + 1, page)
        else:
            spans.append((offset, offset + 1, page))
    return tuple(spans)
