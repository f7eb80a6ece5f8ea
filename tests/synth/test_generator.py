"""The synthetic plan generator: deterministic, self-consistent, and a fair yardstick for extraction.

The expected targets come from the sentence shapes that wrote each plan, never from the
extractor, so the extraction scores below measure the extractor rather than echo it. The bar
is the issue's: catalog recall (and precision) of at least 0.95 over the synthetic set.
"""

from __future__ import annotations

import filecmp
from collections import Counter
from pathlib import Path

import pytest

from rulesengine.catalog import default_catalog
from rulesengine.evaluation import FileScore, load_gold, score
from rulesengine.extract import extract_targets
from rulesengine.plans import load_plan
from tools.synth import SynthPlan, counties_for, generate, synth_command, write

SEED = 1
COUNT = 200
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "synth"


@pytest.fixture(scope="module")
def plans() -> list[SynthPlan]:
    return generate(COUNT, SEED)


@pytest.fixture(scope="module")
def written(plans: list[SynthPlan], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    write(plans, out)
    return out


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_the_same_seed_writes_identical_bytes(written: Path, tmp_path: Path) -> None:
    assert synth_command(COUNT, SEED, tmp_path) == COUNT
    names = _files(written)
    assert names == _files(tmp_path) and len(names) == 3 * COUNT
    _, mismatch, errors = filecmp.cmpfiles(written, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_other_plans(plans: list[SynthPlan]) -> None:
    other = generate(COUNT, SEED + 1)
    assert [p.text for p in other] != [p.text for p in plans]
    assert sum(a.text == b.text for a, b in zip(plans, other, strict=True)) == 0


def test_plan_i_does_not_depend_on_how_many_plans_were_asked_for(plans: list[SynthPlan]) -> None:
    assert generate(15, SEED) == plans[:15]


def test_every_gold_quote_is_in_the_text_and_first_where_it_is_labelled(plans: list[SynthPlan]) -> None:
    for plan in plans:
        assert plan.targets, plan.stem
        for t in plan.targets:
            assert plan.text[t.start : t.start + len(t.quote)] == t.quote, (plan.stem, t)
            assert plan.text.find(t.quote) == t.start, (plan.stem, t)


def test_the_files_are_what_planalign_reads(plans: list[SynthPlan], written: Path) -> None:
    for plan in plans[:: COUNT // 10]:
        loaded = load_plan(written / f"{plan.stem}.txt")
        assert (loaded.id, loaded.region.code, loaded.level.value, str(loaded.period)) == (
            plan.stem,
            plan.region_code,
            "county",
            plan.period,
        )
        gold = load_gold(written / f"{plan.stem}.gold.yaml", loaded.text)
        assert len(gold.entries) == len(plan.targets)
        assert [e.start for e in gold.entries] == [t.start for t in plan.targets]


def test_the_set_has_every_shape_the_issue_names(plans: list[SynthPlan]) -> None:
    targets = [t for p in plans for t in p.targets]
    catalog = {i.id for i in default_catalog()}
    assert catalog <= {t.indicator for t in targets}, "every catalog indicator is exercised"
    assert {t.kind for t in targets} == {"baseline", "stretch"}
    assert {t.basis for t in targets} == {"annual", "cumulative"}
    assert {t.comparator for t in targets} == {"gte", "approx", "lte", "eq"}
    assert any(t.indicator.startswith("other:") for t in targets)
    assert any(t.value_max is not None for t in targets), "ranges (2-3家)"
    quotes = " ".join(t.quote for t in targets)
    for shape in ("分别", "均增长", "零的突破", "累计", "力争", "以上", "左右", "不低于", "突破", "以内"):
        assert shape in quotes, shape
    text = "\n".join(p.text for p in plans)
    for decoy in ("去年完成工业投资", "“415X”", "“8+4”", "第八届", "500万元以上项目库", "索引号", "打印本页"):
        assert decoy in text, decoy
    assert any(f"{int(p.period) - 1}年" in p.text for p in plans), "past-year statistics"
    spammed = [p for p in plans if p.spam]
    assert 0 < len(spammed) < len(plans) and all(p.spam in p.text for p in spammed)
    assert Counter(p.period for p in plans)["2023"] > Counter(p.period for p in plans)["2024"] > 0


def test_extraction_meets_the_issue_bar_on_the_synthetic_set(plans: list[SynthPlan], written: Path) -> None:
    total = FileScore(f"synthetic seed={SEED} n={COUNT}")
    for plan in plans:
        gold = load_gold(written / f"{plan.stem}.gold.yaml", plan.text)
        total += score(plan.stem, extract_targets(plan.text, plan.period), gold)
    missed = Counter(m.indicator for m in total.missed if not m.is_other).most_common(5)
    spurious = Counter(s.indicator for s in total.spurious).most_common(5)
    report = f"P={total.precision:.4f} R={total.recall:.4f}; missed {missed}; spurious {spurious}"
    assert total.recall >= 0.95, report
    assert total.precision >= 0.95, report


def test_the_committed_sample_is_what_seed_7_generates(tmp_path: Path) -> None:
    write(generate(10, 7), tmp_path)
    names = _files(tmp_path)
    assert names == sorted(p.name for p in SAMPLE.iterdir() if p.name != "README.md")
    _, mismatch, errors = filecmp.cmpfiles(SAMPLE, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == [], "regenerate: planalign synth --counties 10 --seed 7 " + str(
        SAMPLE
    )


def test_counties_come_from_the_province_first_then_china_and_stems_stay_unique() -> None:
    pool = counties_for("浙江省")
    assert len(pool) == len({c.code for c in pool}) == 2843
    assert {c.province for c in pool[:90]} == {"浙江省"} and pool[90].province != "浙江省"
    assert all(p.region_code.startswith("33") for p in generate(90, 3))
    many = generate(len(pool) + 5, 3)
    assert len({p.stem for p in many}) == len(many)
    assert len({p.region_code for p in many}) == len(pool)
