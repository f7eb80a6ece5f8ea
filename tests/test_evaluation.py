"""Extraction meets the gold labels: catalog P ≥ 0.95, R ≥ 0.90, other: recall ≥ 0.70 per file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rulesengine.evaluation import load_gold, score
from rulesengine.extract import extract_targets
from rulesengine.model import Kind, Period, Span, Target

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold"
PLANS = ROOT / "examples" / "plans"


def document_for(gold: Path) -> Path:
    plan_id = yaml.safe_load(gold.read_text(encoding="utf-8"))["plan"]
    for meta in PLANS.glob("*.meta.yaml"):
        if yaml.safe_load(meta.read_text(encoding="utf-8"))["id"] == plan_id:
            return meta.with_name(meta.name.removesuffix(".meta.yaml") + ".txt")
    raise AssertionError(f"no corpus document for {plan_id}")


@pytest.mark.parametrize("gold_path", sorted(GOLD.glob("*.yaml")), ids=lambda p: p.stem)
def test_extraction_meets_the_gold_thresholds(gold_path: Path) -> None:
    text = document_for(gold_path).read_text(encoding="utf-8")
    gold = load_gold(gold_path, text)
    result = score(gold_path.stem, extract_targets(text, gold.period), gold)
    missed = [(m.indicator, m.quote) for m in result.missed]
    spurious = [(s.indicator, s.quote) for s in result.spurious]
    detail = f"missed={missed} spurious={spurious}"
    assert result.precision >= 0.95, detail
    assert result.recall >= 0.90, detail
    assert result.other_recall >= 0.70, detail


def test_all_five_corpus_documents_have_gold() -> None:
    assert len(list(GOLD.glob("*.yaml"))) == 5


def _target(indicator: str, value: float, kind: Kind, start: int, end: int, text: str) -> Target:
    return Target(
        indicator=indicator,
        value=value,
        kind=kind,
        period=Period.model_validate("2023"),
        quote=text[start:end],
        span=Span(start=start, end=end),
    )


def test_scoring_needs_indicator_value_kind_and_an_overlapping_quote(tmp_path: Path) -> None:
    text = "规上工业增加值增长6%、力争10%。"
    gold_file = tmp_path / "g.yaml"
    gold_file.write_text(
        "plan: x\nperiod: 2023\ntargets:\n"
        "  - {indicator: industrial_va_growth, value: 6, kind: baseline, quote: 规上工业增加值增长6%}\n"
        "  - {indicator: 'other:y', value: 10, kind: stretch, quote: 力争10%}\n",
        encoding="utf-8",
    )
    gold = load_gold(gold_file, text)
    right = _target("industrial_va_growth", 6, Kind.baseline, 0, 11, text)
    wrong_kind = _target("industrial_va_growth", 6, Kind.stretch, 0, 11, text)
    elsewhere = _target("industrial_va_growth", 6, Kind.baseline, 12, 17, text)
    assert score("a", [right], gold).recall == 1.0
    assert score("b", [wrong_kind], gold).recall == 0.0
    assert score("c", [elsewhere], gold).precision == 0.0
    other = _target("other:z", 10, Kind.stretch, 12, 17, text)
    assert score("d", [right, other], gold).other_recall == 1.0
