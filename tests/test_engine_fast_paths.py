"""The check's fast paths change speed, never answers: the engine's normalisation cache, the
facts it leaves out because no pattern can match them, and a plan's facts built once.

The differential test in test_reference.py holds the answers to a reference on hundreds of
plans; these pin the edges of each shortcut."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from rulesengine import engine as engine_module
from rulesengine.engine import EngineError, RuleEngine, normalise_facts
from rulesengine.facts import PlanFacts, build_facts
from rulesengine.model import Period, Span, Target
from rulesengine.plans import plan_from_text

RULES = {
    "pair": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"role": "parent"}]}},
            {"c": {"$and": [{"type": "target"}, {"role": "county"}, {"indicator": {"p": "indicator"}}]}},
        ]
    },
    "lonely": {
        "all": [
            {"p": {"$and": [{"type": "target"}, {"role": "parent"}]}},
            {"c$not": {"$and": [{"type": "topic"}, {"role": "county"}, {"topic": {"p": "indicator"}}]}},
        ]
    },
}


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(RULES)


def test_true_one_and_one_point_zero_are_normalised_apart_despite_equal_hashes():
    facts = [{"type": "x", "v": True}, {"type": "x", "v": 1}, {"type": "x", "v": 1.0}]
    for _ in range(2):  # the second round is served from the cache
        values = [fact["v"] for _, fact in normalise_facts(facts)]
        assert sorted(map(repr, values)) == ["1.0", "True"]  # 1 and 1.0 are one float fact


def test_normalised_facts_are_copies_a_caller_may_change():
    fact = {"type": "x", "v": 2.0}
    normalise_facts([fact])[0][1]["v"] = 99.0
    assert normalise_facts([fact])[0][1]["v"] == 2.0


def test_the_cache_stays_bounded_and_keeps_a_fact_seen_in_every_check():
    parent = {"type": "parent", "v": 1.0}
    for i in range(engine_module._NORMAL_CACHE_MAX * 3):
        normalise_facts([parent, {"type": "x", "v": float(i)}])
    assert len(engine_module._NORMAL_CACHE) <= 2 * engine_module._NORMAL_CACHE_MAX
    key = engine_module._ContentKey(parent, frozenset(engine_module.DEFAULT_INT_FIELDS))
    assert engine_module._NORMAL_CACHE.get(key) is not None


def test_a_bad_fact_is_refused_by_index_even_when_cached_facts_come_first(engine):
    good = {"type": "target", "role": "parent", "indicator": "gdp"}
    engine.run([good])
    with pytest.raises(EngineError, match="fact #1") as info:
        engine.run([good, {"type": "target", "v": float("nan")}])
    assert info.value.fact_index == 1
    with pytest.raises(EngineError, match="nested list"):
        engine.run([good, {"type": "x", "v": [1]}])


def test_a_fact_no_pattern_can_match_is_left_out_yet_still_validated(engine):
    unwanted = {"type": "topic", "role": "parent", "topic": "gdp"}  # no pattern takes a parent topic
    assert engine._unwanted(unwanted) and not engine._may_match(*normalise_facts([unwanted])[0])
    good = {"type": "target", "role": "parent", "indicator": "gdp"}
    bad_ones = [
        ({**unwanted, "id": "x"}, "reserved"),
        ({**unwanted, "v": [1]}, "nested list"),
        ({**unwanted, "v": float("inf")}, "not a finite number"),
        ({**unwanted, "year": 2023.5}, "whole number"),
        ({**unwanted, **{f"k{i}": 1.0 for i in range(300)}}, "at most 240"),
    ]
    for bad, message in bad_ones:
        with pytest.raises(EngineError, match=message) as info:
            engine.run([good, bad])
        assert info.value.fact_index == 1


def test_numbers_never_rule_a_fact_out_before_normalisation():
    engine = RuleEngine({"rounded": {"all": [{"a": {"$and": [{"type": "x"}, {"v": 0.123457}]}}]}})
    fact = {"type": "x", "v": 0.1234567}  # equal to the literal only once rounded
    assert not engine._unwanted(fact)
    assert [m.rule for m in engine.run([fact])] == ["rounded"]
    assert engine._unwanted({"type": "y", "v": 0.123457}) and engine._unwanted({"v": 0.123457})


def test_left_out_facts_change_no_match_and_no_negation(engine):
    parent = {"type": "target", "role": "parent", "indicator": "gdp"}
    county = {"type": "target", "role": "county", "indicator": "gdp"}
    mention = {"type": "topic", "role": "county", "topic": "gdp"}
    noise = [{"type": "topic", "role": "parent", "topic": f"t{i}"} for i in range(50)]
    noise += [{"type": "other", "role": "county", "indicator": "gdp"}]

    def rules_fired(facts: Sequence[Mapping[str, Any]]) -> list[str]:
        return [m.rule for m in engine.run(facts)]

    assert rules_fired([parent, county]) == rules_fired([parent, county, *noise]) == ["lonely", "pair"]
    assert (
        rules_fired([parent, county, mention]) == rules_fired([*noise, mention, parent, county]) == ["pair"]
    )


def test_a_pattern_without_literal_tests_keeps_every_fact():
    engine = RuleEngine({"any_fact": {"all": [{"a": {"$ex": {"v": 1}}}]}})
    assert engine._literal_tests is None
    assert [m.rule for m in engine.run([{"type": "whatever", "v": 1.0}])] == ["any_fact"]


def test_a_string_against_a_number_is_kept_because_the_c_core_may_coerce_it():
    engine = RuleEngine({"num": {"all": [{"a": {"code": 1.0}}]}})
    assert engine._may_match(*normalise_facts([{"code": "1"}])[0])
    assert not engine._may_match(*normalise_facts([{"code": 2.0}])[0])
    assert not engine._may_match(*normalise_facts([{"other": 1.0}])[0])


def test_a_plans_facts_are_built_once_and_handed_out_frozen():
    plan = plan_from_text("规上工业增加值增长8%", region="慈溪市", period="2023", plan_id="p1")
    target = Target(
        indicator="industrial_va_growth",
        value=8.0,
        unit="%",
        period=Period(start=2023, end=2023),
        quote="规上工业增加值增长8%",
        span=Span(start=0, end=11),
    )
    county = PlanFacts(plan=plan, targets=(target,))
    parent = PlanFacts(plan=plan.model_copy(update={"id": "p2"}), targets=(target,))
    first = build_facts(county, [parent])
    with pytest.raises(TypeError, match="cannot be changed"):
        first.facts[1]["value"] = -1.0
    second = build_facts(county, [parent])
    assert second.facts[1]["value"] == 8.0 and second.facts[1] is first.facts[1]
    assert [f["ref"] for f in second.facts] == [f["ref"] for f in first.facts]
    assert build_facts(parent, [county]).facts[0]["role"] == "county"  # the side is part of the key


def test_an_unwanted_fact_seen_again_is_skipped_and_a_changed_one_validated_again(engine):
    unwanted = {"type": "topic", "role": "parent", "topic": "gdp", "v": 1.0}
    engine.run([unwanted])
    assert any(key.content[1] == tuple(unwanted.items()) for key in engine._skipped)
    with pytest.raises(EngineError, match="not a finite number"):
        engine.run([{**unwanted, "v": float("nan")}])
    with pytest.raises(EngineError, match="nested"):
        engine.run([{**unwanted, "v": (1,)}])  # hashable, so it reaches the skip check: still refused


def test_the_prefilter_looks_only_at_tests_for_the_facts_type_and_stays_conservative():
    engine = RuleEngine(RULES)
    assert engine._tests_by is not None  # keyed by a field every test fixes (role or type here)
    assert engine._unwanted({"type": "plan", "role": "parent"})  # no test names a plan
    assert engine._unwanted({"role": "parent"})  # every test needs a type
    assert not engine._unwanted({"type": 1.0, "role": "parent"})  # a number: normalisation decides
    assert not engine._unwanted({"type": "target", "role": "county", "indicator": "gdp"})
