"""Facts: what the engine sees is flat, validated, uniform per type, and free of quotes."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from rulesengine.factmodels import FACT_MODELS
from rulesengine.facts import PlanFacts, Role, build_facts, field_specs
from rulesengine.model import Comparator, Kind, Period, Span, Target
from rulesengine.plans import load_plan, plan_from_text

PLANS = Path(__file__).resolve().parents[1] / "examples" / "plans"


@pytest.fixture(scope="module")
def corpus() -> tuple[PlanFacts, PlanFacts]:
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    return cixi, zj


def one_target_plan(text: str, quote: str, indicator: str, region: str = "浙江省") -> PlanFacts:
    plan = plan_from_text(text, region=region, period="2023")
    start = text.index(quote)
    target = Target(
        indicator=indicator,
        value=2500,
        unit="亿元",
        comparator=Comparator.gte,
        kind=Kind.stretch,
        period=Period.model_validate("2023"),
        quote=quote,
        span=Span(start=start, end=start + len(quote)),
    )
    return PlanFacts(plan=plan, targets=(target,))


def test_no_fact_carries_a_quote_or_any_text_longer_than_a_name(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    cixi, zj = corpus
    facts = build_facts(cixi, [zj]).facts
    quotes = {t.quote for t in (*cixi.targets, *zj.targets)}
    for fact in facts:
        assert "quote" not in fact and "start" not in fact
        assert not quotes & {v for v in fact.values() if isinstance(v, str)}


def test_every_fact_of_a_type_has_the_same_fields_so_joins_never_miss_one(
    corpus: tuple[PlanFacts, PlanFacts],
) -> None:
    keys: dict[str, set[frozenset[str]]] = defaultdict(set)
    for fact in build_facts(*corpus[:1], [corpus[1]]).facts:
        keys[fact["type"]].add(frozenset(fact) - {"value_max"})
    assert set(keys) <= set(FACT_MODELS)
    assert {"plan", "target", "target_topic", "topic", "scope", "mention"} <= set(keys)
    assert all(len(shapes) == 1 for shapes in keys.values()), keys
    optional = {t: {n for n, s in f.items() if s.optional} for t, f in field_specs().items()}
    assert optional == {
        "plan": set(),
        "target": {"value_max"},
        "target_topic": set(),
        "topic": set(),
        "scope": set(),
        "relative": set(),
        "mention": set(),
        "share": set(),
        "peer": set(),
        "chain": set(),
    }


def test_numbers_are_floats_and_years_are_ints(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    for fact in build_facts(corpus[0], [corpus[1]]).facts:
        if fact["type"] == "target":
            assert type(fact["value"]) is float
            assert type(fact["year"]) is int and type(fact["plan_start"]) is int


def test_every_ref_leads_back_to_the_quote_and_span_in_its_plan(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    factset = build_facts(corpus[0], [corpus[1]])
    for fact in factset.facts:
        src = factset.sources[fact["ref"]]
        assert src.plan.id == fact["plan"]
        assert src.role is Role(fact["role"])
        if fact["type"] in ("target", "target_topic"):
            assert src.target is not None and src.target.quote_matches(src.plan.text)
        if fact["type"] == "topic":
            assert src.mention is not None
            assert src.plan.text[src.mention.span.start : src.mention.span.end] == src.mention.quote


def test_catalog_headline_form_and_concept_are_on_the_target_fact(
    corpus: tuple[PlanFacts, PlanFacts],
) -> None:
    facts = [f for f in build_facts(corpus[0], [corpus[1]]).facts if f["type"] == "target"]
    labor = next(f for f in facts if f["indicator"] == "labor_productivity")
    assert (labor["role"], labor["headline"], labor["form"], labor["concept"]) == (
        "parent",
        True,
        "level",
        "labor_productivity",
    )
    share = next(f for f in facts if f["indicator"] == "digital_core_va_share_gdp")
    assert (share["form"], share["concept"], share["region"]) == ("share", "digital_core_va", "慈溪市")


def test_a_target_in_a_headline_sentence_is_headline_even_outside_the_catalog() -> None:
    text = "今年主要预期目标是:力争为市场主体减负2500亿元以上。\n\n另有减负2500亿元以上。"
    inside = one_target_plan(text, "为市场主体减负2500亿元以上", "other:市场主体减负")
    later = text.rindex("减负2500亿元以上")
    outside = one_target_plan(text, "减负2500亿元以上", "other:市场主体减负", region="慈溪市")
    outside = PlanFacts(
        plan=outside.plan,
        targets=(outside.targets[0].model_copy(update={"span": Span(start=later, end=later + 10)}),),
    )
    facts = build_facts(outside, [inside], headline_cues=("主要预期目标",)).facts
    headline = {f["role"]: f["headline"] for f in facts if f["type"] == "target"}
    assert headline == {"parent": True, "county": False}
    other = next(f for f in facts if f["type"] == "target")
    # outside the catalog: form and scale read off the name and unit, matched by that name
    assert (other["catalogued"], other["form"], other["scale"]) == (False, "level", "extensive")
    assert other["concept"] == "other:市场主体减负"


def test_a_ladder_target_yields_one_topic_fact_per_catalog_topic(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    facts = build_facts(corpus[0], [corpus[1]]).facts
    champions = {
        f["topic"] for f in facts if f["type"] == "target_topic" and f["indicator"] == "new_single_champions"
    }
    assert champions == {"专精特新", "单项冠军", "企业梯队"}


def test_two_plans_with_one_id_are_refused(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    with pytest.raises(ValueError, match="duplicate plan id"):
        build_facts(corpus[0], [corpus[0]])


def test_a_plans_facts_are_frozen_and_the_same_when_built_again(corpus: tuple[PlanFacts, PlanFacts]) -> None:
    cixi, zj = corpus
    again = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    first, second = build_facts(cixi, [zj]).facts, build_facts(cixi, [again]).facts
    assert first == second
    with pytest.raises(TypeError, match="cannot be changed"):
        first[1]["value"] = -1.0  # rulesengine.check shares them between checks
    changed = again.model_copy(update={"targets": again.targets[1:]})
    assert len(build_facts(cixi, [changed]).facts) < len(first)
    assert build_facts(zj, [cixi]).facts[0]["role"] == "county"  # the side is the caller's


def test_a_rate_held_on_average_over_a_span_meets_a_parent_target_of_each_year() -> None:
    text = "到2026年，制造业投资每年平均增速保持在15%以上。"
    plan = plan_from_text(text, region="海宁市", period="2023", plan_id="haining")
    pf = PlanFacts.from_plan(plan)
    (t,) = pf.targets
    assert (t.basis.value, str(t.period)) == ("average", "2023-2026")
    facts = build_facts(pf, [], headline_cues=()).facts
    years = sorted(f["period"] for f in facts if f["type"] == "target")
    assert years == ["2023", "2024", "2025", "2026"]


def test_a_rate_outside_the_catalog_gets_its_form_and_a_bound_is_a_ceiling() -> None:
    text = "主要预期目标是：全县固定资产投资增长8%，物业空置率控制在5%以内。"
    plan = plan_from_text(text, region="慈溪市", period="2023", plan_id="c")
    facts = [f for f in build_facts(PlanFacts.from_plan(plan), []).facts if f["type"] == "target"]
    by_name = {f["indicator_name"]: f for f in facts}
    assert by_name["固定资产投资增长"]["form"] == "growth"
    ceilings = [f for f in facts if f["direction"] == "ceiling"]
    assert ceilings and all(f["scale"] == "intensive" for f in ceilings)
