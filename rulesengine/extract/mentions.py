"""Finds which catalog indicators a plan names by their own words, quoting the clause that does.

Why not topics: a topic is a family of keywords (创新 is one of 创新's), and a rule asking "does
the county speak of 企业技术中心?" answered by a topic word matched 「打造全球智能家电创新中心」. A
mention is the indicator's own name or synonym, the longest catalog word at that place winning
(规上工业增加值 is not also a mention of 工业增加值), never inside one of its excludes, never a
two-character abbreviation.
"""

from __future__ import annotations

import re
from functools import cache

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract.clauses import split_clauses, split_sentences
from rulesengine.model import IndicatorMention, Span

__all__ = ["extract_mentions"]

_TRIM = "，,；;。：:\n "
_SHORTEST = 3
"""A two-character abbreviation (高企, 专精) names an indicator only beside its number: on its own
it is as often part of another phrase (提高企业) as a mention."""


@cache
def _terms(
    words_of: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One pattern over every catalog word, longest first, and which indicators each word names
    (cached by the catalog's words themselves, so an edited catalog gets its own)."""
    owners: dict[str, list[str]] = {}
    for indicator, words in words_of:
        for word in words:
            owners.setdefault(word, []).append(indicator)
    longest_first = sorted(owners, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, longest_first))) if owners else re.compile(r"(?!)")
    return pattern, {w: tuple(ids) for w, ids in owners.items()}


def _excluded(text: str, start: int, end: int, excludes: tuple[str, ...]) -> bool:
    for phrase in excludes:
        idx = text.find(phrase, max(0, end - len(phrase)), start + len(phrase))
        if 0 <= idx <= start and idx + len(phrase) >= end:
            return True
    return False


def extract_mentions(text: str, catalog: Catalog | None = None) -> list[IndicatorMention]:
    """The first mention of each catalog indicator, quoted by its clause (trimmed to 60 chars)."""
    catalog = catalog or default_catalog()
    words_of = tuple(
        (i.id, tuple(w for w in dict.fromkeys((i.name, *i.synonyms)) if len(w) >= _SHORTEST)) for i in catalog
    )
    pattern, owners = _terms(words_of)
    clauses = [c for s in split_sentences(text) for c in split_clauses(s)]
    seen: set[str] = set()
    out: list[IndicatorMention] = []
    for match in pattern.finditer(text):
        idx, end = match.span()
        for indicator in owners[match.group()]:
            ind = catalog.get(indicator)
            if indicator in seen or ind is None or _excluded(text, idx, end, ind.excludes):
                continue
            seen.add(indicator)
            start, stop = next(((a, b) for a, b in clauses if a <= idx < b), (idx, end))
            start, stop = max(start, idx - 30), min(max(stop, end), end + 30)
            while stop > start + 1 and text[stop - 1] in _TRIM:
                stop -= 1
            while start < idx and text[start] in " \n":
                start += 1
            out.append(
                IndicatorMention(
                    indicator=indicator,
                    keyword=match.group(),
                    quote=text[start:stop],
                    span=Span(start=start, end=stop),
                )
            )
    return sorted(out, key=lambda m: (m.span.start, m.indicator))
