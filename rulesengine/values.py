"""What a value may be when it reaches durable-rules' C core: the one home of those rules.

Three places need them: the engine normalising a fact (rulesengine.engine.codec), the engine
compiling a rule's literal (rulesengine.engine.compile), and the rule pack's loader refusing a
literal the engine could not hold, while it can still name the file and field
(rulesengine.rulebook.conditions). They used to write the rules out each on its own, and drifted:
the loader approximated "written without an exponent" by a range of magnitudes. This module
depends on nothing else in the project, so the loader can use it without loading the engine.

Why these rules (each was reproduced against the C core; see /work/shared/DURABLE-RULES.md):

* **Only str, bool, int and float**: a fact is flat, and the C core has no null (error 312).
* **Numbers are finite** and **rounded to** :data:`DECIMALS` **decimals**, ``-0.0`` made
  ``0.0``: a value computed two ways (``0.1 + 0.2``) must still join the same literal.
* **Whole-number fields hold an int** (years): ``2023`` and ``2023.0`` do not join in the C
  core, so a field is all ints or all floats. Every other number becomes a float, for the same
  reason. An int is a signed 64-bit number there: beyond :data:`MAX_WHOLE` it is refused.
* **A float in a rule is written the way ``json.dumps`` writes it** (durable serialises rulesets
  itself), and the C parser reads an exponent only after a ".": ``5e-05`` and ``1e+16`` crashed
  the process. Facts are serialised by the engine with a fixed point, so this binds rules only.

Where facts and rules differ, on purpose: a fact's whole-number field must hold a whole number
(it is joined on), while a rule may compare one with any number (``year < 2023.5``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Final, Literal

__all__ = ["DECIMALS", "MAX_WHOLE", "Refused", "Scalar", "Whole", "normal", "rule_literal"]

DECIMALS: Final = 6
"""Decimals a float keeps."""

MAX_WHOLE: Final = 2**63 - 1
"""The largest magnitude of an int (the C core's is a signed 64-bit integer)."""

Scalar = str | bool | int | float

Whole = bool | None
"""For :func:`normal`: ``True`` for a whole-number field (an int), ``False`` for any other field
(a float), ``None`` for a value that belongs to no field (a rule's arithmetic operand: an int
stays an int, as durable-rules computes with it)."""

Reason = Literal["type", "nested", "not_finite", "out_of_range", "exponent"]


class Refused(ValueError):
    """A value the C core cannot take; ``reason`` says which rule, so each caller can word the
    error for its reader (a fact's index and key, a rule's name, a rule file's field)."""

    def __init__(self, reason: Reason, value: object, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.value = value


def normal(value: object, whole: Whole) -> Scalar:
    """``value`` as the C core must see it; raises :class:`Refused`.

    A number that is not whole in a whole-number field stays a float: whether that is allowed
    is the caller's rule (a fact refuses it, a rule literal may compare with it).
    """
    if isinstance(value, str | bool):
        return value
    if isinstance(value, numbers.Integral):
        as_int = int(value)
        if whole is not False:
            if abs(as_int) > MAX_WHOLE:
                raise Refused("out_of_range", value, f"{as_int} is out of range")
            return as_int
        try:
            return float(as_int)
        except OverflowError:
            raise Refused("not_finite", value, f"{as_int} is too large for a float") from None
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise Refused("not_finite", value, f"{as_float} is not a finite number")
        as_float = round(as_float, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
        if whole and as_float.is_integer() and abs(as_float) <= MAX_WHOLE:
            return int(as_float)
        return as_float
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        raise Refused("nested", value, f"a nested {type(value).__name__}")
    raise Refused("type", value, f"a {type(value).__name__}; values must be str, int, float or bool")


def rule_literal(value: object, whole: Whole) -> Scalar:
    """A literal in a rule, normalised like a fact's value so that both sides compare alike, and
    writable by ``json.dumps`` in a form the C parser reads; raises :class:`Refused`."""
    if value is None:
        raise Refused("type", value, "None; facts hold no nulls")
    out = normal(value, whole)
    if type(out) is float:
        text = repr(out)  # what json.dumps writes
        if "e" in text and "." not in text:
            raise Refused("exponent", value, f"{value!r} cannot be written without an exponent")
    return out
