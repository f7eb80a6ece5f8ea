"""The value rules in one place (rulesengine.values): what a fact or a rule may hold for the C core.

The engine's codec and compiler and the rule pack's loader all ask these functions; their own
tests (tests/engine/, tests/hardening/test_rule_file_properties.py) hold them to the answers."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from rulesengine.values import MAX_WHOLE, Refused, normal, rule_literal


@pytest.mark.parametrize(
    ("value", "whole", "expected"),
    [
        ("2023", True, "2023"),  # strings stay strings: the C core compares them as text
        (True, False, True),  # a bool is not a number here
        (2023, True, 2023),
        (2023.0, True, 2023),  # 2023 and 2023.0 do not join in the C core: a year is an int
        (Fraction(4046, 2), True, 2023),
        (2023.5, True, 2023.5),  # not whole: the caller decides (a fact refuses it)
        (5, False, 5.0),  # every other number is a float
        (Fraction(1, 3), False, 0.333333),
        (-0.0, False, 0.0),
        (0.1 + 0.2, False, 0.3),  # computed two ways, still equal
        (5, None, 5),  # an arithmetic operand keeps its kind
        (1.5, None, 1.5),
    ],
)
def test_values_are_normalised_the_way_the_c_core_compares_them(
    value: Any, whole: Any, expected: Any
) -> None:
    got = normal(value, whole)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "whole", "reason"),
    [
        (math.nan, False, "not_finite"),
        (-math.inf, True, "not_finite"),
        (10**400, False, "not_finite"),
        (MAX_WHOLE + 1, True, "out_of_range"),
        (-(MAX_WHOLE + 1), None, "out_of_range"),
        ([1], False, "nested"),
        ({"a": 1}, False, "nested"),
        (None, False, "type"),
        (object(), False, "type"),
        (Decimal("1.5"), False, "type"),  # not a numbers.Real: refused, as before
    ],
)
def test_values_the_c_core_cannot_take_are_refused_with_a_reason(value: Any, whole: Any, reason: str) -> None:
    with pytest.raises(Refused) as caught:
        normal(value, whole)
    assert caught.value.reason == reason


def test_a_rule_literal_must_also_be_written_without_a_bare_exponent() -> None:
    assert rule_literal(1.5e-05, False) == 1.5e-05  # json.dumps: "1.5e-05", which the parser reads
    assert rule_literal(2 * 10**15, False) == 2e15
    for value in (5e-05, 1e16, 10**18, 2e-06):
        with pytest.raises(Refused) as caught:
            rule_literal(value, False)
        assert caught.value.reason == "exponent"
    with pytest.raises(Refused):
        rule_literal(None, None)
