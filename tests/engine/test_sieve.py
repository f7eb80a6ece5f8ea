"""The sieve changes speed, never answers (rulesengine.engine.sieve): facts no pattern can match are
left out of what is asserted — ``len(engine.prepare(facts))`` counts what is — yet still validated.

The differential test in test_reference.py holds the answers to a reference that leaves nothing
out, on hundreds of plans; these pin the edges of the shortcut."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from rulesengine.engine import EngineError, RuleEngine

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


def asserted(engine: RuleEngine, *facts: Mapping[str, Any]) -> int:
    """How many of ``facts`` a check would assert."""
    return len(engine.prepare(facts))


def test_a_fact_no_pattern_can_match_is_left_out_yet_still_validated(engine):
    unwanted = {"type": "topic", "role": "parent", "topic": "gdp"}  # no pattern takes a parent topic
    good = {"type": "target", "role": "parent", "indicator": "gdp"}
    handle = engine.prepare([unwanted, good])
    assert (len(handle), handle.given) == (1, 2)
    bad_ones = [
        ({**unwanted, "id": "x"}, "reserved"),
        ({**unwanted, "v": [1]}, "nested list"),
        ({**unwanted, "v": (1,)}, "nested tuple"),
        ({**unwanted, "v": float("inf")}, "not a finite number"),
        ({**unwanted, "v": float("nan")}, "not a finite number"),
        ({**unwanted, "year": 2023.5}, "whole number"),
        ({**unwanted, **{f"k{i}": 1.0 for i in range(300)}}, "at most 240"),
    ]
    for bad, message in bad_ones:
        engine.run([unwanted])  # seen (and left out) before: still validated when it comes again
        with pytest.raises(EngineError, match=message) as info:
            engine.run([good, bad])
        assert info.value.fact_index == 1
        with pytest.raises(EngineError, match=message):
            engine.prepare([good, bad])


def test_numbers_never_rule_a_fact_out_before_normalisation():
    engine = RuleEngine({"rounded": {"all": [{"a": {"$and": [{"type": "x"}, {"v": 0.123457}]}}]}})
    fact = {"type": "x", "v": 0.1234567}  # equal to the literal only once rounded
    assert asserted(engine, fact) == 1
    assert [m.rule for m in engine.run([fact])] == ["rounded"]
    assert asserted(engine, {"type": "y", "v": 0.123457}) == asserted(engine, {"v": 0.123457}) == 0


def test_left_out_facts_change_no_match_and_no_negation(engine):
    parent = {"type": "target", "role": "parent", "indicator": "gdp"}
    county = {"type": "target", "role": "county", "indicator": "gdp"}
    mention = {"type": "topic", "role": "county", "topic": "gdp"}
    noise = [{"type": "topic", "role": "parent", "topic": f"t{i}"} for i in range(50)]
    noise += [{"type": "other", "role": "county", "indicator": "gdp"}]
    assert asserted(engine, *noise) == 0

    def rules_fired(facts: Sequence[Mapping[str, Any]]) -> list[str]:
        return [m.rule for m in engine.run(facts)]

    assert rules_fired([parent, county]) == rules_fired([parent, county, *noise]) == ["lonely", "pair"]
    assert (
        rules_fired([parent, county, mention]) == rules_fired([*noise, mention, parent, county]) == ["pair"]
    )


def test_a_pattern_without_literal_tests_keeps_every_fact():
    engine = RuleEngine({"any_fact": {"all": [{"a": {"$ex": {"v": 1}}}]}})
    assert asserted(engine, {"type": "whatever", "v": 1.0}, {"other": "x"}) == 2
    assert [m.rule for m in engine.run([{"type": "whatever", "v": 1.0}])] == ["any_fact"]


def test_a_string_against_a_number_is_kept_because_the_c_core_may_coerce_it():
    engine = RuleEngine({"num": {"all": [{"a": {"code": 1.0}}]}})
    assert asserted(engine, {"code": "1"}) == 1
    assert asserted(engine, {"code": 2.0}) == asserted(engine, {"other": 1.0}) == 0


def test_the_sieve_looks_only_at_tests_for_the_facts_type_and_stays_conservative(engine):
    assert asserted(engine, {"type": "plan", "role": "parent"}) == 0  # no test names a plan
    assert asserted(engine, {"role": "parent"}) == 0  # every test needs a type
    assert asserted(engine, {"type": 1.0, "role": "parent"}) == 1  # a number: the C core may coerce
    assert asserted(engine, {"type": "target", "role": "county", "indicator": "gdp"}) == 1
    assert asserted(engine, {"type": "topic", "role": "county", "topic": "gdp"}) == 1  # negated pattern


def test_duplicates_count_once_within_a_handle_and_across_handles(engine):
    parent = {"type": "target", "role": "parent", "indicator": "gdp", "value": 5}
    twin = {**dict(reversed(list(parent.items()))), "value": 5.0}
    assert asserted(engine, parent, twin) == 1
    once = engine.run([parent])
    assert engine.run([twin], engine.prepare([parent])) == once
