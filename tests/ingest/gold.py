"""The 慈溪 gold labels carried into text read from another format, and scored there.

The gold file's quotes are exact substrings of the plain-text plan; text read back from a
scan, a screenshot, a .doc or an OFD differs in small ways (``,`` read as ``，``, a line break
where a page wrapped). Each gold span is carried over by aligning the two texts (difflib, no
junk heuristic) and the labels are then scored with the project's own scorer,
``rulesengine.evaluation.score``: indicator, value and kind must agree and the quote overlap.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

from rulesengine.evaluation import FileScore, GoldFile, load_gold, score
from rulesengine.extract import extract_targets

__all__ = ["CIXI_GOLD", "carried_gold", "found_share", "score_against_gold"]

ROOT = Path(__file__).resolve().parents[2]
CIXI_GOLD = ROOT / "tests" / "gold" / "cixi-2023.yaml"


def carried_gold(gold_path: Path, original: str, other: str) -> GoldFile:
    """``gold_path``'s labels of ``original``, their spans moved to where they are in ``other``."""
    gold = load_gold(gold_path, original)
    where = _alignment(original, other)
    entries = []
    for entry in gold.entries:
        start, end = where[entry.start], where[entry.end - 1] + 1
        entries.append(replace(entry, start=start, end=max(end, start + 1), quote=other[start:end]))
    return replace(gold, entries=tuple(entries))


def _alignment(a: str, b: str) -> list[int]:
    """For every offset of ``a``, the offset of ``b`` it corresponds to."""
    where = [0] * (len(a) + 1)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(i1, i2):
            if tag == "equal":
                where[k] = j1 + (k - i1)
            else:  # replaced or deleted: spread over what stands there in b
                where[k] = min(j1 + (k - i1) * max(j2 - j1, 1) // max(i2 - i1, 1), max(len(b) - 1, 0))
    where[len(a)] = len(b)
    return where


def score_against_gold(text: str, original: str, gold_path: Path = CIXI_GOLD) -> FileScore:
    """Targets extracted from ``text`` scored against the gold labels of ``original``."""
    gold = carried_gold(gold_path, original, text)
    return score(gold.plan, extract_targets(text, gold.period), gold)


def found_share(result: FileScore) -> float:
    """Gold targets found (catalog and ``other:`` alike) as a share of all gold targets."""
    return (result.catalog_tp + result.other_tp) / (result.catalog_gold + result.other_gold)
