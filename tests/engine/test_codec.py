"""Facts as the C core sees them (rulesengine.engine.codec): validated, normalised by the value rules
of rulesengine.values, de-duplicated, in canonical order, with ids whose hashes never collide."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.engine import EngineError, normalise_facts
from rulesengine.engine.codec import FactIds, fnv1_32
from rulesengine.values import Refused, normal


def test_fact_ids_never_share_a_32_bit_hash_with_each_other_or_reserved_ids():
    # The C core compares fact ids by FNV-1 32 only; the constants are from its state.h.
    assert (fnv1_32("id"), fnv1_32("sid")) == (926444256, 3593476751)
    ids = FactIds(["__gate", "__open"]).first(50_000)
    assert len({fnv1_32(i) for i in ids} | {fnv1_32("__gate"), fnv1_32("__open")}) == 50_002


def test_true_one_and_one_point_zero_are_normalised_apart_despite_equal_hashes():
    facts = [{"type": "x", "v": True}, {"type": "x", "v": 1}, {"type": "x", "v": 1.0}]
    values = [fact["v"] for _, fact in normalise_facts(facts)]
    assert sorted(map(repr, values)) == ["1.0", "True"]  # 1 and 1.0 are one float fact


def test_normalised_facts_are_copies_a_caller_may_change():
    fact = {"type": "x", "v": 2.0}
    normalise_facts([fact])[0][1]["v"] = 99.0
    assert normalise_facts([fact])[0][1]["v"] == 2.0 and fact["v"] == 2.0


def test_the_body_is_canonical_json_whatever_the_key_order_and_floats_never_use_an_exponent():
    (body, fact), *_ = normalise_facts([{"v": 1e-05, "type": "x", "year": 2023.0, "note": 'a"b'}])
    assert body == '{"note":"a\\"b","type":"x","v":0.000010,"year":2023'
    assert list(fact) == ["note", "type", "v", "year"] and type(fact["year"]) is int


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"value": float("inf")}, "'value' = inf is not a finite number"),
        ({"year": 2**63}, "is out of range"),
        ({"year": 1e30}, "must be a whole number"),
        ({"when": None, "detail": {"a": 1}}, "key 'detail' holds a nested dict; facts must be flat"),
        ({**{f"k{i}": 1.0 for i in range(241)}}, "at most 240"),
    ],
)
def test_a_bad_fact_is_refused_naming_its_index_and_key(fact: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineError, match=message) as caught:
        normalise_facts([{"type": "ok"}, fact])
    assert caught.value.fact_index == 1


scalars = st.one_of(
    st.text(max_size=3),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(value=scalars, whole=st.booleans())
def test_the_codecs_shortcuts_give_the_value_rules_answers(value: Any, whole: bool) -> None:
    """The codec decides common values inline; it must agree with rulesengine.values.normal."""
    field = "year" if whole else "value"
    try:
        expected: Any = normal(value, whole)
        if whole and type(expected) is float:
            expected = EngineError  # a fact's whole-number field must hold a whole number
    except Refused:
        expected = EngineError
    if value is None:
        assert normalise_facts([{field: value}])[0][1] == {}
        return
    try:
        got: Any = normalise_facts([{field: value}])[0][1][field]
    except EngineError:
        got = EngineError
    assert got == expected and type(got) is type(expected)
