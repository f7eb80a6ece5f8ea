"""Scores extraction against hand-labelled gold files (tests/gold/*.yaml, tests/real/**/gold).

A predicted target matches a gold entry when indicator, value and kind agree and its quote
overlaps the gold quote (tests/gold/README.md). `other:` names are free text chosen by the
labeller, so an `other:` entry is matched by any prediction with its value on its place (a
catalog id included: the catalog grows); they are scored for recall only. Matching is
one-to-one, so a target found twice is not counted twice. The "targets" figures match every
prediction against every label by value and place alone, whatever the indicator: a past
statistic or a name read as a target costs precision. These are the rules of the independent
scorer in tests/real/tools/score_extraction.py, so both print the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rulesengine.extract import extract_targets
from rulesengine.ingest.reader import read_bytes
from rulesengine.model import Period, Target

__all__ = ["FileScore", "GoldEntry", "GoldFile", "load_gold", "read_corpus_text", "score", "score_corpus"]


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


_SCALES = (1.0, 1e4, 1e-4, 1e8, 1e-8, 1e12, 1e-12)


def _same_value(a: float, b: float) -> bool:
    """Equal up to a 万/亿 rescaling: "20万个" may be labelled 20 or 200000."""
    return any(abs(a * k - b) <= 1e-6 * max(1.0, abs(b)) for k in _SCALES)


def _on_place(pred: Target, gold: GoldEntry) -> bool:
    return _same_value(pred.value, gold.value) and pred.span.start < gold.end and gold.start < pred.span.end


def _agrees(pred: Target, gold: GoldEntry) -> bool:
    return pred.indicator == gold.indicator and pred.kind.value == gold.kind and _on_place(pred, gold)


@dataclass
class FileScore:
    name: str
    catalog_tp: int = 0
    catalog_pred: int = 0
    catalog_gold: int = 0
    other_tp: int = 0
    other_gold: int = 0
    targets_tp: int = 0
    targets_pred: int = 0
    targets_gold: int = 0
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

    @property
    def targets_precision(self) -> float:
        return self._ratio(self.targets_tp, self.targets_pred)

    @property
    def targets_recall(self) -> float:
        return self._ratio(self.targets_tp, self.targets_gold)

    def __iadd__(self, other: FileScore) -> FileScore:
        for f in (
            "catalog_tp",
            "catalog_pred",
            "catalog_gold",
            "other_tp",
            "other_gold",
            "targets_tp",
            "targets_pred",
            "targets_gold",
        ):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.missed += other.missed
        self.spurious += other.spurious
        return self


def score(name: str, predicted: list[Target], gold: GoldFile) -> FileScore:
    result = FileScore(name)
    used: set[int] = set()
    matched_pred: set[int] = set()
    by_other: set[int] = set()
    for g in gold.entries:  # in the file's order, as tests/real/tools/score_extraction.py does
        hit = next(
            (i for i, p in enumerate(predicted) if i not in used and _agrees(p, g)),
            None,
        )
        if g.is_other:
            result.other_gold += 1
            if hit is None:  # a catalog id on an other: label still finds it
                hit = next((i for i, p in enumerate(predicted) if i not in used and _on_place(p, g)), None)
        else:
            result.catalog_gold += 1
        if hit is None:
            result.missed.append(g)
            continue
        used.add(hit)
        matched_pred.add(hit)
        if g.is_other:
            by_other.add(hit)
            result.other_tp += 1
        else:
            result.catalog_tp += 1
    for i, p in enumerate(predicted):
        if p.indicator.startswith("other:") or i in by_other:
            continue
        result.catalog_pred += 1
        if i not in matched_pred:
            result.spurious.append(p)
    placed: set[int] = set()
    for g in gold.entries:
        hit = next((i for i, p in enumerate(predicted) if i not in placed and _on_place(p, g)), None)
        if hit is not None:
            placed.add(hit)
    result.targets_tp, result.targets_pred, result.targets_gold = (
        len(placed),
        len(predicted),
        len(gold.entries),
    )
    return result


def read_corpus_text(path: Path) -> tuple[dict[str, Any], str]:
    """A real-corpus excerpt: header lines (url, title, level, region, year …), a line `---`,
    then the document exactly as found. Returns the header and the document."""
    raw = path.read_text(encoding="utf-8")
    lines = raw.split("\n")
    if "---" not in lines[:15]:
        return {}, raw
    cut = lines.index("---")
    header: dict[str, Any] = {}
    for line in lines[:cut]:
        key, sep, value = line.partition(":")
        if sep:
            header[key.strip()] = value.strip()
    return header, "\n".join(lines[cut + 1 :])


def score_corpus(gold_dir: Path, text_dir: Path) -> list[FileScore]:
    """Every gold file of a real-corpus folder against extraction of its text (same stem)."""
    results = []
    for gold_path in sorted(gold_dir.glob("*.yaml")):
        doc = text_dir / f"{gold_path.stem}.txt"
        if not doc.exists():
            raise FileNotFoundError(f"{gold_path}: 没有同名原文 / no text {doc.name} in {text_dir}")
        _, body = read_corpus_text(doc)
        text = read_bytes(body.encode("utf-8"), doc.name).text  # as `planalign extract` reads it
        gold = load_gold(gold_path, text)
        results.append(score(gold_path.stem, extract_targets(text, gold.period), gold))
    return results
