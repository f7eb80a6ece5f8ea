"""Splits plan text into sentences and clauses, keeping every span into the original text.

Sentences end at 。！？ and line breaks: the scope of a 力争 runs to the sentence's end.
Clauses end at ，；：and ASCII commas/semicolons (the corpus mixes them), never at 、 (list
items) nor at '.' (decimals) nor at a comma between digits (1,000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_clauses", "split_sentences"]

_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_CLAUSE_END = re.compile(r"[，；;：:]|,(?!\d{3})|(?<!\d),")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos and text[pos : m.start()].strip():
            out.append(Sentence(pos, m.end(), text[pos : m.end()]))
        pos = m.end()
    if pos < len(text) and text[pos:].strip():
        out.append(Sentence(pos, len(text), text[pos:]))
    return out


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
