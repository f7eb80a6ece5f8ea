"""A plain-Python reference evaluator of the compiled rule pack: the oracle and the floor.

Why it exists: durable-rules' C core needs a careful wrapper (rulesengine/engine/) because
its answers depended on fact order and it has memory bugs. This module reads the *same*
compiled rules (``Rulebook.engine_rules()``: durable-rules JSON) and evaluates them with a
nested loop over the facts, so a differential test can hold the engine to it on thousands of
shuffled fact sets, and the benchmark can show what the engine costs over the simplest thing.
It imports no engine and shares no code with the adapter: a bug would have to be made twice.

The subset implemented is what the rulebook emits (rulesengine/rulebook/conditions.py)::

    {"all": [{"name": <test>}, {"other$not": <test>}, ...]}
    <test>    := {"$and": [<test>...]} | {"$or": [<test>...]}
               | {"field": <operand>}                             equality
               | {"$lt"|"$lte"|"$gt"|"$gte"|"$neq"|"$eq": {"field": <operand>}}
               | {"$ex"|"$nex": {"field": 1}} | {"$mt"|"$imt": {"field": "regex"}}
    <operand> := literal | {"pattern": "field"} (a join to an earlier pattern)
               | {"$m": "field"} (the fact's own field)
               | {"$add"|"$sub"|"$mul"|"$div": {"$l": <operand>, "$r": <operand>}}

Semantics, each checked against durable-rules 2.0.28 behind the adapter (tests/test_reference.py):

* a rule fires once per combination of *distinct* facts matching its positive patterns in order;
  a fact never fills two patterns of one match;
* ``name$not`` holds when no fact, other than those bound by the patterns *before* it, matches;
* a test on a field the fact lacks is false (``$nex`` aside); ``$mt`` matches the whole string;
* strings compare with strings, numbers (bools count as numbers) with numbers; a comparison of a
  string with a number is false; division by zero matches nothing.

Facts are normalised as the adapter documents it (``None`` dropped, numbers float rounded to 6
decimals except whole numbers of ``int_fields``), de-duplicated, and put in a canonical order,
so the result depends on the set of facts only. Each matched fact carries an ``fid`` of this
evaluator's own (``f0, f1, …`` in canonical order): compare matches by a fact's content or its
``ref``, not by ``fid``.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["DEFAULT_INT_FIELDS", "Match", "ReferenceEngine", "ReferenceRuleError"]

DEFAULT_INT_FIELDS: Final[tuple[str, ...]] = ("year", "start", "end")
"""The adapter's default: fields whose whole numbers stay ``int`` (checks pass ``INT_FIELDS``)."""

_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "$eq": operator.eq,
    "$neq": operator.ne,
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
}
_ARITHMETIC: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "$add": operator.add,
    "$sub": operator.sub,
    "$mul": operator.mul,
    "$div": operator.truediv,
}
_NO_VALUE: Final = object()  # a missing field, or arithmetic that has no result


class ReferenceRuleError(ValueError):
    """A rule outside the subset this evaluator implements; the message names the rule."""


@dataclass(frozen=True)
class Match:
    """One firing, shaped like :class:`rulesengine.engine.Match`: rule name, pattern → fact."""

    rule: str
    facts: dict[str, dict[str, Any]] = field(hash=False)


@dataclass(frozen=True)
class _Pattern:
    name: str
    negated: bool
    alone: tuple[Any, ...]  # tests that read only the fact itself: filter candidates once
    joins: tuple[Any, ...]  # tests that read earlier patterns' facts: evaluated in the loop
    alone_key: str  # patterns with the same own tests share one candidate list per run


def _patterns(rule: str, body: Any) -> tuple[_Pattern, ...]:
    entries = body.get("all") if isinstance(body, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise ReferenceRuleError(f"rule {rule!r}: needs a non-empty 'all' list")
    out = []
    for entry in entries:
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise ReferenceRuleError(f"rule {rule!r}: a pattern is an object with one key: {entry!r}")
        ((key, test),) = entry.items()
        if not isinstance(test, Mapping) or len(test) != 1:
            raise ReferenceRuleError(f"rule {rule!r}: pattern {key!r} must be one test object: {test!r}")
        name, negated = (key[: -len("$not")], True) if key.endswith("$not") else (key, False)
        tests = test["$and"] if set(test) == {"$and"} else [test]
        alone = tuple(t for t in tests if not _refers_to_pattern(t))
        joins = tuple(t for t in tests if _refers_to_pattern(t))
        out.append(_Pattern(name, negated, alone, joins, json.dumps(alone, sort_keys=True)))
    return tuple(out)


def _refers_to_pattern(test: Any) -> bool:
    """Whether a test reads a field of another pattern's fact (``{"pattern": "field"}``)."""
    ((key, value),) = test.items()
    if key in ("$and", "$or"):
        return any(_refers_to_pattern(t) for t in value)
    if key in ("$ex", "$nex", "$mt", "$imt"):
        return False
    operand = next(iter(value.values())) if key in _COMPARE else value
    return _operand_refers(operand)


def _operand_refers(operand: Any) -> bool:
    if not isinstance(operand, Mapping):
        return False
    ((key, value),) = operand.items()
    if key in _ARITHMETIC:
        return _operand_refers(value["$l"]) or _operand_refers(value["$r"])
    return key != "$m"


def _number(key: str | None, value: Any, int_fields: frozenset[str]) -> Any:
    """Numbers as the adapter stores them: float rounded to 6 places, or int for int fields."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int) and (key is None or key in int_fields):
        return value
    if isinstance(value, int | float):
        rounded = round(float(value), 6) + 0.0  # + 0.0: -0.0 becomes 0.0
        return int(rounded) if key in int_fields and rounded.is_integer() else rounded
    raise ValueError(f"fact field {key!r} holds a {type(value).__name__}; facts are flat scalars")


class ReferenceEngine:
    """Evaluates compiled rules over facts by brute force: ``run(facts, *more) -> list[Match]``.

    A drop-in for :class:`rulesengine.engine.RuleEngine` where only answers matter (the
    differential test, ``check_plan(engine=ReferenceEngine(...))``, the benchmark floor). Its
    ``prepare`` only copies the facts: it leaves nothing out, so the test also shows that what
    the engine's sieve leaves out changes no answer.
    """

    def __init__(
        self, rules: Mapping[str, Mapping[str, Any]], *, int_fields: Iterable[str] = DEFAULT_INT_FIELDS
    ) -> None:
        self._int_fields = frozenset(int_fields)
        self._rules = [(name, _patterns(name, body)) for name, body in sorted(rules.items())]

    # -- facts -------------------------------------------------------------------------------
    def _prepare(self, facts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Normalised, de-duplicated facts in canonical order, each with a ``fid``."""
        unique: dict[str, dict[str, Any]] = {}
        for fact in facts:
            normal = {k: _number(k, v, self._int_fields) for k, v in fact.items() if v is not None}
            unique.setdefault(json.dumps(normal, sort_keys=True, ensure_ascii=False), normal)
        return [{**fact, "fid": f"f{i}"} for i, (_, fact) in enumerate(sorted(unique.items()))]

    # -- tests -------------------------------------------------------------------------------
    def _value(self, operand: Any, fact: Mapping[str, Any], bound: Mapping[str, Mapping[str, Any]]) -> Any:
        if not isinstance(operand, dict):
            return _number(None, operand, self._int_fields) if isinstance(operand, float) else operand
        ((key, inner),) = operand.items()
        if key in _ARITHMETIC:
            left = self._value(inner["$l"], fact, bound)
            right = self._value(inner["$r"], fact, bound)
            if left is _NO_VALUE or right is _NO_VALUE or isinstance(left, str) or isinstance(right, str):
                return _NO_VALUE
            if key == "$div" and right == 0:
                return _NO_VALUE
            return _ARITHMETIC[key](left, right)
        source = fact if key == "$m" else bound.get(key, {})
        return source.get(inner, _NO_VALUE)

    def _test(self, test: Mapping[str, Any], fact: Mapping[str, Any], bound: Mapping[str, Any]) -> bool:
        ((key, value),) = test.items()
        if key == "$and":
            return all(self._test(t, fact, bound) for t in value)
        if key == "$or":
            return any(self._test(t, fact, bound) for t in value)
        if key in ("$ex", "$nex"):
            return (next(iter(value)) in fact) == (key == "$ex")
        if key in ("$mt", "$imt"):
            ((name, pattern),) = value.items()
            text = fact.get(name)
            flags = re.IGNORECASE if key == "$imt" else 0
            return isinstance(text, str) and re.fullmatch(pattern, text, flags) is not None
        if key in _COMPARE:
            ((name, operand),) = value.items()
        else:
            key, name, operand = "$eq", key, value
        left = fact.get(name, _NO_VALUE)
        right = self._value(operand, fact, bound)
        if left is _NO_VALUE or right is _NO_VALUE or isinstance(left, str) != isinstance(right, str):
            return False
        return _COMPARE[key](left, right)

    # -- the nested loop ---------------------------------------------------------------------
    def _combinations(
        self,
        patterns: Sequence[_Pattern],
        candidates: Mapping[str, list[dict[str, Any]]],
        bound: dict[str, dict[str, Any]],
    ) -> Iterator[dict[str, dict[str, Any]]]:
        """Every way to bind the remaining patterns, given the facts bound so far."""
        if not patterns:
            yield dict(bound)
            return
        pattern, rest = patterns[0], patterns[1:]
        taken = {id(f) for f in bound.values()}
        fitting = (
            fact
            for fact in candidates[pattern.name]
            if id(fact) not in taken and all(self._test(t, fact, bound) for t in pattern.joins)
        )
        if pattern.negated:
            if next(fitting, None) is None:
                yield from self._combinations(rest, candidates, bound)
            return
        for fact in fitting:
            bound[pattern.name] = fact
            yield from self._combinations(rest, candidates, bound)
            del bound[pattern.name]

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
        """The facts, copied: what :meth:`run` takes with others (``run(county, parent)``)."""
        return tuple(dict(fact) for fact in facts)

    def run(self, facts: Sequence[Mapping[str, Any]], *more: Sequence[Mapping[str, Any]]) -> list[Match]:
        """Every firing among all the facts given, sorted by rule name and then by the canonical
        positions of its facts."""
        prepared = self._prepare([*facts, *itertools.chain.from_iterable(more)])
        position = {id(f): i for i, f in enumerate(prepared)}
        found: list[tuple[tuple[Any, ...], Match]] = []
        shared: dict[str, list[dict[str, Any]]] = {}
        for rule, patterns in self._rules:
            candidates = {}
            for p in patterns:
                if p.alone_key not in shared:
                    shared[p.alone_key] = [f for f in prepared if all(self._test(t, f, {}) for t in p.alone)]
                candidates[p.name] = shared[p.alone_key]
            for bound in self._combinations(patterns, candidates, {}):
                key = (rule, sorted((name, position[id(f)]) for name, f in bound.items()))
                found.append((key, Match(rule, {name: dict(f) for name, f in sorted(bound.items())})))
        found.sort(key=lambda item: item[0])
        return [match for _, match in found]
