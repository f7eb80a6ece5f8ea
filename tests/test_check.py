"""The check on the real corpus pair: order-independent, stable fingerprints, quoted evidence."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from rulesengine.check import CheckError, CheckResult, PlanFacts, check_plan, engine_for, find_parents
from rulesengine.findings import finding_order
from rulesengine.model import Finding, Plan
from rulesengine.plans import load_plan
from rulesengine.rulebook import default_rulebook

PLANS = Path(__file__).resolve().parents[1] / "examples" / "plans"
CIXI = "cixi-2023-jingxin-gongzuo-silu.txt"
ZJ_2023 = "zhejiang-2023-jingxin-gongzuo-yaodian.txt"
ZJ_2125 = "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt"


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanFacts]:
    names = [CIXI, ZJ_2023, ZJ_2125, "shandong-2023-touhao-gongcheng-shishi-fangan.txt",
             "hubei-2024-jingxin-gongzuo-yaodian.txt"]  # fmt: skip
    return {n: PlanFacts.from_plan(load_plan(PLANS / n)) for n in names}


@pytest.fixture(scope="module")
def result(plans: dict[str, PlanFacts]) -> CheckResult:
    return check_plan(plans[CIXI], [plans[ZJ_2023], plans[ZJ_2125]])


def summary(findings: Sequence[Finding]) -> list[tuple[str, ...]]:
    return [(f.rule_id, f.severity.value, f.indicator, f.message, f.fingerprint) for f in findings]


def revised(pf: PlanFacts, prefix: str, plan_id: str) -> PlanFacts:
    """The same plan re-uploaded with text added at the top: new id, every span shifted."""
    plan = Plan.model_validate(
        {**pf.plan.model_dump(), "id": plan_id, "text": prefix + pf.plan.text, "sha256": ""}
    )
    return PlanFacts.from_plan(plan)


def test_the_corpus_pair_shows_what_the_issue_requires(result: CheckResult) -> None:
    got = {(f.rule_id, f.indicator) for f in result.findings}
    assert {
        ("weaker_than_parent", "manufacturing_investment_growth"),
        ("form_mismatch", "digital_core_va_growth"),
        ("form_mismatch", "tax_per_mu"),
        ("headline_gap", "labor_productivity"),
        ("headline_gap", "tech_renovation_investment_growth"),
        ("aligned_with_parent", "industrial_va_growth"),
    } <= got
    gaps = {f.indicator for f in result.findings if f.category.value == "gap"}
    assert not gaps & {"new_specialized_smes", "new_little_giants", "new_single_champions",
                       "future_factories", "green_factories"}  # fmt: skip


def test_the_result_names_the_plans_and_the_versions_it_was_checked_with(result: CheckResult) -> None:
    assert result.plan_id == "cixi-2023"
    assert result.parent_ids == ("zhejiang-2023", "zhejiang-2021-2025")
    assert result.rule_pack_version == default_rulebook().version
    assert result.catalog_version == default_rulebook().catalog.version
    assert not result.has_errors


def test_findings_come_in_severity_category_indicator_rule_fingerprint_order(result: CheckResult) -> None:
    assert list(result.findings) == sorted(result.findings, key=finding_order)
    assert len({f.fingerprint for f in result.findings}) == len(result.findings)


def test_every_finding_quotes_its_plans_exactly(result: CheckResult, plans: dict[str, PlanFacts]) -> None:
    texts = {pf.plan.id: pf.plan.text for pf in plans.values()}
    for f in result.findings:
        assert f.facts, f.rule_id
        for fact in f.facts:
            assert fact.start is not None and fact.end is not None
            assert texts[fact.plan_id][fact.start : fact.end] == fact.quote


class ShufflingEngine:
    """Hands the engine the facts in a shuffled order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.inner = engine_for(default_rulebook())

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> Any:
        facts = list(facts)
        self.rng.shuffle(facts)
        return self.inner.prepare(facts)

    def run(self, facts: Any, *more: Any) -> Any:
        return self.inner.run(facts, *more)


def shuffled(pf: PlanFacts, rng: random.Random) -> PlanFacts:
    targets, topics = list(pf.targets), list(pf.topics)
    rng.shuffle(targets)
    rng.shuffle(topics)
    return PlanFacts(plan=pf.plan, targets=tuple(targets), topics=tuple(topics))


def test_fifty_shuffles_of_the_facts_give_identical_findings(
    plans: dict[str, PlanFacts], result: CheckResult
) -> None:
    expected = summary(result.findings)
    for seed in range(50):
        rng = random.Random(seed)
        parents = [shuffled(plans[ZJ_2023], rng), shuffled(plans[ZJ_2125], rng)]
        got = check_plan(shuffled(plans[CIXI], rng), parents, engine=ShufflingEngine(seed))
        assert summary(got.findings) == expected, f"seed {seed}"


def test_a_revised_county_text_keeps_every_fingerprint_and_the_order(
    plans: dict[str, PlanFacts], result: CheckResult
) -> None:
    prefix = "(2023年3月修订稿,增加了本说明。)\n"
    county = revised(plans[CIXI], prefix, "cixi-2023-rev2")
    again = check_plan(county, [plans[ZJ_2023], plans[ZJ_2125]])
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in result.findings]
    assert [f.message for f in again.findings] == [f.message for f in result.findings]
    moved = [x.start for f in again.findings for x in f.facts if x.role == "county"]
    before = [x.start for f in result.findings for x in f.facts if x.role == "county"]
    assert moved and all(a == b + len(prefix) for a, b in zip(moved, before, strict=True))


def test_a_county_value_edit_keeps_the_weaker_fingerprint_but_a_parent_edit_does_not(
    plans: dict[str, PlanFacts], result: CheckResult
) -> None:
    def weaker(r: CheckResult) -> str:
        (f,) = [
            f for f in r.by_rule("weaker_than_parent") if f.indicator == "manufacturing_investment_growth"
        ]
        return f.fingerprint

    cixi = plans[CIXI].plan
    county = Plan.model_validate(
        {
            **cixi.model_dump(),
            "text": cixi.text.replace("制造业投资增长10%", "制造业投资增长11%"),
            "sha256": "",
        }
    )
    edited = check_plan(PlanFacts.from_plan(county), [plans[ZJ_2023]])
    assert weaker(edited) == weaker(result)
    zj = plans[ZJ_2023].plan
    parent = Plan.model_validate(
        {**zj.model_dump(), "text": zj.text.replace("制造业投资增长12%", "制造业投资增长13%"), "sha256": ""}
    )
    assert weaker(check_plan(plans[CIXI], [PlanFacts.from_plan(parent)])) != weaker(result)


def test_parents_are_the_plans_above_the_county_whose_period_covers_it(plans: dict[str, PlanFacts]) -> None:
    found = find_parents(plans[CIXI], list(plans.values()))
    assert [p.plan.id for p in found] == ["zhejiang-2023", "zhejiang-2021-2025"]
    assert find_parents(plans[CIXI].plan, [pf.plan for pf in plans.values()], ancestors=["370000"]) == [
        plans["shandong-2023-touhao-gongcheng-shishi-fangan.txt"].plan
    ]


def test_an_engine_built_from_another_pack_is_refused(plans: dict[str, PlanFacts]) -> None:
    class Foreign:
        def prepare(self, facts: Sequence[Mapping[str, Any]]) -> Any:
            return facts

        def run(self, facts: Any, *more: Any) -> list[Any]:
            return [type("M", (), {"rule": "not_in_pack__main", "facts": {}})()]

    with pytest.raises(CheckError, match="not_in_pack__main"):
        check_plan(plans[CIXI], [plans[ZJ_2023]], engine=Foreign())


class CountingEngine:
    """The process's engine, counting how often each plan's facts are prepared."""

    def __init__(self) -> None:
        self.inner = engine_for(default_rulebook())
        self.prepared: Counter[str] = Counter()

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> Any:
        self.prepared.update({str(f["plan"]) for f in facts})
        return self.inner.prepare(facts)

    def run(self, facts: Any, *more: Any) -> Any:
        return self.inner.run(facts, *more)


def test_a_parent_is_prepared_once_for_the_checks_of_many_counties(
    plans: dict[str, PlanFacts], result: CheckResult
) -> None:
    engine = CountingEngine()
    parents = [plans[ZJ_2023], plans[ZJ_2125]]
    for i in range(5):
        county = plans[CIXI].model_copy(update={"plan": plans[CIXI].plan.model_copy(update={"id": f"c{i}"})})
        assert summary(check_plan(county, parents, engine=engine).findings) == summary(
            check_plan(plans[CIXI], parents).findings
        )
    assert engine.prepared["zhejiang-2023"] == engine.prepared["zhejiang-2021-2025"] == 1
    assert all(engine.prepared[f"c{i}"] == 2 for i in range(5))  # its own facts and its scope facts
    again = [PlanFacts.from_plan(load_plan(PLANS / ZJ_2023)), plans[ZJ_2125]]  # read again: equal
    assert again[0] is not parents[0] and again[0] == parents[0]
    check_plan(plans[CIXI], again, engine=engine)
    assert engine.prepared["zhejiang-2023"] == 1
    changed = [again[0].model_copy(update={"targets": again[0].targets[1:]}), plans[ZJ_2125]]
    check_plan(plans[CIXI], changed, engine=engine)
    assert engine.prepared["zhejiang-2023"] == 2  # same plan, other targets: a new side
    check_plan(plans[CIXI], list(reversed(parents)), engine=engine)
    assert engine.prepared["zhejiang-2023"] == 3  # another place among the parents: another side


def test_the_sides_kept_stay_bounded_and_keep_the_parents_while_counties_pass_through(
    plans: dict[str, PlanFacts],
) -> None:
    engine = CountingEngine()
    parents = [plans[ZJ_2023]]
    counties = [
        plans[CIXI].model_copy(update={"plan": plans[CIXI].plan.model_copy(update={"id": f"c{i}"})})
        for i in range(60)
    ]
    for county in counties:
        check_plan(county, parents, engine=engine)
    assert engine.prepared["zhejiang-2023"] == 1
    check_plan(counties[0], parents, engine=engine)  # its facts long gone: made again (not its scope's)
    assert engine.prepared["c0"] == 3
    check_plan(counties[-1], parents, engine=engine)  # just seen: kept
    assert engine.prepared["c59"] == 2


def test_facts_shared_between_checks_cannot_be_changed_by_one_of_them(plans: dict[str, PlanFacts]) -> None:
    seen: list[Any] = []

    class Peeking(CountingEngine):
        def prepare(self, facts: Sequence[Mapping[str, Any]]) -> Any:
            seen.extend(facts)
            return super().prepare(facts)

    check_plan(plans[CIXI], [plans[ZJ_2023]], engine=Peeking())
    with pytest.raises(TypeError, match="cannot be changed"):
        seen[0]["value"] = -1.0
