"""Finds which catalog topics a plan speaks of, quoting the clause that does.

Rules need to tell "the county is silent on 专精特新" from "the county names it without a number";
the second deserves a gentler finding, and the quote shows the reviewer where.
"""

from __future__ import annotations

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract.clauses import split_clauses, split_sentences
from rulesengine.model import Span, TopicMention

__all__ = ["extract_topics"]


def extract_topics(text: str, catalog: Catalog | None = None) -> list[TopicMention]:
    """The first mention of each topic keyword, quoted by its clause (trimmed to 60 chars)."""
    catalog = catalog or default_catalog()
    clauses = [c for s in split_sentences(text) for c in split_clauses(s)]
    out: list[TopicMention] = []
    for topic, keywords in catalog.topics.items():
        for keyword in keywords:
            idx = text.find(keyword)
            if idx < 0:
                continue
            start, end = next(((a, b) for a, b in clauses if a <= idx < b), (idx, idx + len(keyword)))
            start = max(start, idx - 30)
            end = min(max(end, idx + len(keyword)), idx + len(keyword) + 30)
            while end > start + 1 and text[end - 1] in "，,；;。：:\n ":
                end -= 1
            while start < idx and text[start] in " \n":
                start += 1
            out.append(
                TopicMention(
                    topic=topic, keyword=keyword, quote=text[start:end], span=Span(start=start, end=end)
                )
            )
    return sorted(out, key=lambda m: (m.topic, m.span.start))
