"""One text layer before matching: the plan as the phrasing rules expect to read it.

Real pages are transcoded to traditional script (規上工業增加值增長), carry inline pinyin glosses
(地區(qū)), look-alike characters from other scripts (カ for 力, 増 for 增), full-width digits
(５％) and spaces left by PDF extraction inside words and numbers (增长 5% 以上). The phrasing
rules are written once, for the plain simplified form; this layer maps every text to that form
and keeps an offset map, so a target found in the normalised text is quoted from the original
text, character for character. Character maps are 1:1 (str.translate); only deletions (glosses,
in-word spaces) move offsets, and those are recorded as segments, not one integer per character.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

from rulesengine.extract.phrasing import Phrasing, default_phrasing
from rulesengine.extract.sections import heading_rank
from rulesengine.model import RelativeMention, Span, Target

Q = TypeVar("Q", Target, RelativeMention)  # what extraction finds with a quote and a span

__all__ = ["NormalText", "normalize"]

# A pinyin gloss right after the character it glosses: 地區(qū), 工業（yè）.
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")
# Quotation marks around a term inside a phrase ("培育“专精特新”中小企业"): the catalog names
# the phrase without them. Only between two Han characters, so “415X” keeps its marks.
# An opening mark after a measure word stays: "三个“一号工程”" counts named programmes.
_QUOTE = re.compile(r"(?<=[\u4e00-\u9fff])(?<![个项家条座所名台套批大类])[“”\"「」『』‘’](?=[\u4e00-\u9fff])")
# Quotation marks a PDF left empty, their words displaced ("全年新增省级 专精特新 企业200 “ ”家").
_EMPTY_QUOTES = re.compile(r"[“\"]\s*[”\"]")
# A line a PDF wrapped mid-phrase: long, ending in a word, the next going on with a word.
_WRAP_MIN = 24
_MARKER_MAX = 20  # no heading marker is longer: enough of the next line to test for one
_LINE_END_WORD = re.compile(r"[\u4e00-\u9fff0-9A-Za-z%）)]")
# Horizontal space that may sit inside a word or a number.
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DECIMAL_SPACE = re.compile(r"(?<=\d)([ \t]+)?\.([ \t]+)?(?=\d)")
_DIGIT_SIDE = re.compile(r"[0-9%.]")


@dataclass(frozen=True)
class NormalText:
    """The normalised text and, when characters were deleted, where each run came from."""

    text: str
    original: str
    # (start in text, start in original) of each run copied unchanged in length; empty = 1:1.
    segments: tuple[tuple[int, int], ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of text[start:end] (end exclusive), gaps inside it included."""
        if not self.segments:
            return start, end
        return self._offset(start), self._offset(end - 1) + 1

    def quoted_in_original(self, found: list[Q]) -> list[Q]:
        """Items found in the normalised text (targets, relative commitments: a quote and a
        span), quoted and placed in the original again, so every quote is the original's."""
        if self.text == self.original:
            return found
        out: list[Q] = []
        for item in found:
            start, end = self.to_original(item.span.start, item.span.end)
            out.append(
                item.model_copy(
                    update={"quote": self.original[start:end], "span": Span(start=start, end=end)}
                )
            )
        return out

    def _offset(self, pos: int) -> int:
        i = bisect_right(self.segments, (pos, 1 << 62)) - 1
        seg_start, orig_start = self.segments[max(i, 0)]
        return orig_start + (pos - seg_start)


def _char_table(ph: Phrasing) -> dict[int, str]:
    return _char_table_for(tuple(sorted(ph.look_alikes.items())))


@cache
def _char_table_for(look_alikes: tuple[tuple[str, str], ...]) -> dict[int, str]:
    """Traditional → simplified (OpenCC's character table, one character to one), full-width
    ASCII → ASCII, and the look-alikes of rules/phrasing.yaml."""
    table: dict[int, str] = {}
    source = resources.files("opencc_purepy").joinpath("dicts/TSCharacters.txt")
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            simple = parts[1].split(" ")[0]
            if len(simple) == 1 and simple != parts[0]:
                table[ord(parts[0])] = simple
    for code in range(0xFF10, 0xFF1A):  # ０-９
        table[code] = chr(code - 0xFEE0)
    for code in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)):  # Ａ-Ｚ ａ-ｚ
        table[code] = chr(code - 0xFEE0)
    table[ord("％")] = "%"
    table[ord("．")] = "."
    for odd, plain in look_alikes:
        table[ord(odd)] = plain
    return table


def _word_side(ch: str) -> bool:
    return bool(_CJK.match(ch) or _DIGIT_SIDE.match(ch))


def _wraps(text: str, ph: Phrasing) -> list[tuple[int, int]]:
    """Line breaks a PDF put inside a phrase ("新增省级首台\n(套)装备20个以上"). A line is taken
    as wrapped when it is long, ends in a word (no punctuation) and holds no table cells, and
    the next line starts with a word that is not a heading marker; short lines (headings,
    bulleted lists) and lines ending in punctuation are paragraphs and stay."""
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        nl = text.find("\n", start)
        if nl < 0 or nl + 1 >= len(text):
            return spans
        line = text[start:nl].strip()
        nxt = text[nl + 1 : nl + 2]
        after = text.find("\n", nl + 1)
        if (
            len(line) >= _WRAP_MIN
            and "|" not in line
            and "|" not in text[nl + 1 : after if after >= 0 else len(text)]
            and _LINE_END_WORD.match(line[-1])
            and nxt.strip()
            and (_CJK.match(nxt) or nxt in "(（")
            and heading_rank(text[nl + 1 : nl + 1 + _MARKER_MAX], ph) is None
        ):
            spans.append((nl, nl + 1))
        start = nl + 1


def _deletions(text: str, ph: Phrasing) -> list[tuple[int, int]]:
    """Spans to drop: glosses, quotation marks inside a phrase, and spaces with a Chinese
    character or a digit on both sides (one side Chinese): "增长 5% 以上", "2023 年"; and spaces
    inside a decimal ("6 . 5%"). Spaces between two digits or two Latin letters, and around
    table bars, stay."""
    spans = [m.span() for m in _GLOSS.finditer(text)] if "(" in text or "（" in text else []
    spans.extend(m.span() for m in _QUOTE.finditer(text))
    if "”" in text or '"' in text:
        spans.extend(m.span() for m in _EMPTY_QUOTES.finditer(text))
    spans.extend(_wraps(text, ph))
    for m in _DECIMAL_SPACE.finditer(text):
        spans.extend(m.span(g) for g in (1, 2) if m.group(g))
    for m in _SPACE.finditer(text):
        a, b = m.span()
        if a == 0 or b >= len(text):
            continue
        before, after = text[a - 1], text[b]
        if not (_word_side(before) and _word_side(after)):
            continue
        if _CJK.match(before) or _CJK.match(after) or (before.isdigit() and after == "%"):
            spans.append((a, b))
    spans.sort()
    return spans


def normalize(text: str, phrasing: Phrasing | None = None) -> NormalText:
    """The text in the form the phrasing rules read, with the map back to the original."""
    mapped = text.translate(_char_table(phrasing or default_phrasing()))
    ph = phrasing or default_phrasing()
    drops = _deletions(mapped, ph)
    if not drops:
        return NormalText(mapped, text)
    pieces: list[str] = []
    segments: list[tuple[int, int]] = []
    pos = out = 0
    for a, b in drops:
        if a < pos:  # overlapping (a gloss next to a space): skip what was already dropped
            a = pos
        if a > pos:
            segments.append((out, pos))
            pieces.append(mapped[pos:a])
            out += a - pos
        pos = max(pos, b)
    segments.append((out, pos))
    pieces.append(mapped[pos:])
    return NormalText("".join(pieces), text, tuple(segments))
