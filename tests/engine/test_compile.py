"""Rules compiled for the C core (rulesengine.engine.compile): the rewrite that keeps it on its safe
paths, literals normalised like facts, and bad rules refused by name before any C runs."""

from __future__ import annotations

import pytest

from rulesengine.engine import EngineError, compile_rules
from tests.engine.conftest import RULES


def test_every_join_pattern_ends_with_the_always_true_guard_join():
    compiled = compile_rules(RULES)
    assert compiled["weaker"]["all"][2]["c"]["$and"][-1] == {"sid": {"__g": "sid"}}
    assert compiled["missing"]["all"][2]["nc$not"]["$and"][-1] == {"sid": {"__g": "sid"}}
    assert compiled["weaker"]["all"][0] == {"__g": {"__gate": "eval"}}


def test_metadata_keys_are_stripped_and_joined_fields_get_exists_guards():
    compiled = compile_rules(RULES)
    assert "meta" not in compiled["weaker"]
    assert {"$ex": {"value": 1}} in compiled["weaker"]["all"][1]["p"]["$and"]
    assert {"$ex": {"indicator": 1}} in compiled["missing"]["all"][2]["nc$not"]["$and"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"bad name": {"all": [{"p": {"a": 1}}]}}, "rule name 'bad name'"),
        ({"__x": {"all": [{"p": {"a": 1}}]}}, "rule name '__x'"),
        ({"r": {"all": [{"p": {"a": 1}}], "run": "x"}}, "rule 'r': run not supported"),
        ({"r": {"any": [{"p": {"a": 1}}]}}, "rule 'r': any not supported"),
        ({"r": {"all": []}}, "rule 'r': 'all' must be a non-empty list"),
        ({"r": {"all": [{"p": {"a": None}}]}}, "rule 'r': pattern 'p': value None"),
        ({"r": {"all": [{"p": {"a": {"q": "a"}}}]}}, "'q' must name an earlier"),
        ({"r": {"all": [{"p": {"a": 1}}, {"n$not": {"a": 1}}, {"c": {"a": {"n": "a"}}}]}}, "'n' must name"),
        (
            {"r": {"all": [{"p": {"a": 1}}, {"c": {"$or": [{"a": {"p": "a"}}, {"b": 1}]}}]}},
            "joins inside \\$or groups",
        ),
        ({"r": {"all": [{"p": {"$foo": {"a": 1}}}]}}, "unsupported operator '\\$foo'"),
        ({"r": {"all": [{"p": {"a": 1}}, {"p": {"b": 1}}]}}, "'p' is used twice"),
        ({"r": {"all": [{"p": {"value": 5e-05}}]}}, "without an exponent"),
        ({"r": {"all": [{"p": {"sid": "1"}}]}}, "field name 'sid' is reserved"),
    ],
)
def test_bad_rules_raise_engine_error_naming_the_rule(rules, message):
    with pytest.raises(EngineError, match=message):
        compile_rules(rules)


def literal(value: object, field: str = "value") -> object:
    """The literal as the compiled rule holds it."""
    compiled = compile_rules({"r": {"all": [{"p": {field: value}}]}}, ["year"])
    return compiled["r"]["all"][1]["p"][field]


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        (2023, "year", 2023),  # an int field keeps ints: 2023 joins a fact's 2023
        (2023.0, "year", 2023),
        (5, "value", 5.0),  # every other number is a float, as in facts
        (0.1234567, "value", 0.123457),  # six decimals, as facts
        (-0.0, "value", 0.0),
        (1.5e-05, "value", 1.5e-05),  # json.dumps writes "1.5e-05": the C parser reads it
        ("5", "value", "5"),
        (True, "flag", True),
    ],
)
def test_literals_are_normalised_like_fact_values(value, field, expected):
    got = literal(value, field)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "not a finite number"),
        (5e-05, "without an exponent"),
        (1e16, "without an exponent"),
        (10**18, "without an exponent"),  # an int made a float: json.dumps writes 1e+18
        (object(), "must be a string, number or bool"),
    ],
)
def test_a_literal_the_c_core_cannot_read_is_refused_naming_the_rule(value, message):
    with pytest.raises(EngineError, match=message) as caught:
        literal(value)
    assert caught.value.rule == "r"


def test_a_year_literal_out_of_the_c_cores_integer_range_is_refused():
    with pytest.raises(EngineError, match=r"integer \d+ is out of range"):
        literal(2**63, "year")
    assert literal(2023.5, "year") == 2023.5  # a rule may compare a year with any number
