"""Splits plan text into sentences and clauses, keeping every span into the original text.

Sentences end at 。！？ and line breaks: the scope of a 力争 runs to the sentence's end.
Clauses end at ，；：and ASCII commas/semicolons (the corpus mixes them), never at 、 (list
items) nor at '.' (decimals) nor at a comma between digits (1,000).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Sentence", "lines", "split_clauses", "split_sentences"]

_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_CLAUSE_END = re.compile(r"[，；;：:]|,(?!\d{3})|(?<!\d),")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str, longest: int | None = None) -> list[Sentence]:
    """The sentences of text; with `longest`, none longer than that.

    A text without stops (a PDF's lost line breaks, a table flattened into one line) would be a
    single sentence, and whatever looks back over a sentence for each number would cost the square
    of the text. Such a run is cut after its last clause break within `longest` characters, or at
    `longest` when it has none; a sentence of real prose is far shorter and stays whole.
    """
    out: list[Sentence] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos and text[pos : m.start()].strip():
            out.extend(_bounded(text, pos, m.end(), longest))
        pos = m.end()
    if pos < len(text) and text[pos:].strip():
        out.extend(_bounded(text, pos, len(text), longest))
    return out


def _bounded(text: str, start: int, end: int, longest: int | None) -> list[Sentence]:
    """text[start:end] as one sentence, or as pieces of at most `longest` characters."""
    if longest is None or end - start <= longest:
        return [Sentence(start, end, text[start:end])]
    pieces: list[Sentence] = []
    while end - start > longest:
        cut = max((c.end() for c in _CLAUSE_END.finditer(text, start, start + longest)), default=0)
        cut = cut if cut > start else start + longest
        pieces.append(Sentence(start, cut, text[start:cut]))
        start = cut
    pieces.append(Sentence(start, end, text[start:end]))
    return [p for p in pieces if p.text.strip()]


def split_clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Clause boundaries as absolute (start, end) offsets inside the sentence."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_END.finditer(sentence.text):
        bounds.append((sentence.start + pos, sentence.start + m.end()))
        pos = m.end()
    if pos < len(sentence.text):
        bounds.append((sentence.start + pos, sentence.end))
    return bounds


def lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with the offset it starts at: the unit headings, tables and lists are read by."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
