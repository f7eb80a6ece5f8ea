"""Scores extraction against hand-labelled gold files (tests/gold/*.yaml).

A predicted target matches a gold entry when indicator, value and kind agree and its quote
overlaps the gold quote (tests/gold/README.md). `other:` names are free text chosen by the
labeller, so for them "indicator agrees" means both are `other:`; they are scored for recall
only. Matching is one-to-one, so a target found twice is not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rulesengine.model import Period, Target

__all__ = ["FileScore", "GoldEntry", "GoldFile", "load_gold", "score"]


@dataclass(frozen=True)
class GoldEntry:
    indicator: str
    value: float
    kind: str
    quote: str
    start: int
    end: int

    @property
    def is_other(self) -> bool:
        return self.indicator.startswith("other:")


@dataclass(frozen=True)
class GoldFile:
    plan: str
    period: Period
    entries: tuple[GoldEntry, ...]


def load_gold(path: Path, text: str) -> GoldFile:
    """Reads a gold file; every quote must be found in the document text."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = []
    for i, raw in enumerate(data["targets"]):
        quote = raw["quote"]
        start = text.find(quote)
        if start < 0:
            raise ValueError(f"{path}: targets[{i}].quote 不在原文中 / not found in the document")
        entries.append(
            GoldEntry(
                str(raw["indicator"]),
                float(raw["value"]),
                raw.get("kind", "baseline"),
                quote,
                start,
                start + len(quote),
            )
        )
    return GoldFile(str(data["plan"]), Period.model_validate(str(data["period"])), tuple(entries))


def _agrees(pred: Target, gold: GoldEntry) -> bool:
    same_indicator = pred.indicator == gold.indicator or (
        gold.is_other and pred.indicator.startswith("other:")
    )
    return (
        same_indicator
        and abs(pred.value - gold.value) <= 1e-6 * max(1.0, abs(gold.value))
        and pred.kind.value == gold.kind
        and pred.span.start < gold.end
        and gold.start < pred.span.end
    )


@dataclass
class FileScore:
    name: str
    catalog_tp: int = 0
    catalog_pred: int = 0
    catalog_gold: int = 0
    other_tp: int = 0
    other_gold: int = 0
    missed: list[GoldEntry] = field(default_factory=list)
    spurious: list[Target] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.catalog_tp, self.catalog_pred)

    @property
    def recall(self) -> float:
        return self._ratio(self.catalog_tp, self.catalog_gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def other_recall(self) -> float:
        return self._ratio(self.other_tp, self.other_gold)

    def __iadd__(self, other: FileScore) -> FileScore:
        for f in ("catalog_tp", "catalog_pred", "catalog_gold", "other_tp", "other_gold"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.missed += other.missed
        self.spurious += other.spurious
        return self


def score(name: str, predicted: list[Target], gold: GoldFile) -> FileScore:
    result = FileScore(name)
    used: set[int] = set()
    matched_pred: set[int] = set()
    # catalog entries first, so an `other:` entry cannot take a catalog target's match
    for g in sorted(gold.entries, key=lambda e: e.is_other):
        hit = next(
            (i for i, p in enumerate(predicted) if i not in used and _agrees(p, g)),
            None,
        )
        if g.is_other:
            result.other_gold += 1
        else:
            result.catalog_gold += 1
        if hit is None:
            result.missed.append(g)
            continue
        used.add(hit)
        matched_pred.add(hit)
        if g.is_other:
            result.other_tp += 1
        else:
            result.catalog_tp += 1
    for i, p in enumerate(predicted):
        if p.indicator.startswith("other:"):
            continue
        result.catalog_pred += 1
        if i not in matched_pred:
            result.spurious.append(p)
    return result
