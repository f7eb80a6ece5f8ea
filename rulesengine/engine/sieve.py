"""Facts made ready for one ruleset, once: validated, normalised, sieved and serialised.

The C core's time grows with every fact asserted, and a plan check sends many that no pattern
can match (a parent's topic mentions, topics no rule names). A fact that fails one of the
top-level ``field: literal`` tests of every pattern — negated ones included — can take part in
no match and no negation, so it is not asserted; it is still validated, so a bad fact is refused
whether or not a rule wants it.

The work is done by :meth:`Sieve.prepare` and kept in a :class:`PreparedFacts` handle, because
a parent plan's ~290 facts recur in every one of a batch's thousands of checks: the caller
prepares them once and hands the same handle to every check (``RuleEngine.run(county, parent)``).
A handle is plain data — it pickles into an engine pool's workers — and names the ruleset it
was sieved for, so an engine with other rules refuses it rather than miss a match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from rulesengine.engine.codec import Encoded, check_mapping, normalise_one, validate_one
from rulesengine.engine.compile import GATE, OWN_RULES

__all__ = ["PreparedFacts", "Sieve"]

_ABSENT: Final = object()

_Test = tuple[tuple[str, Any], ...]  # one pattern's field == literal tests, sorted


@dataclass(frozen=True, eq=False, slots=True)
class PreparedFacts:
    """Facts ready for :meth:`RuleEngine.run`: made by ``prepare``, read by any engine with the same
    rules (``rules``), any number of times, from any thread or process.

    ``facts`` are the ``(body, fact)`` pairs worth asserting — each once, in canonical order,
    their dicts shared by every run that uses the handle and never changed. ``len()`` is how many
    facts a check with this handle alone asserts; ``given`` is how many were validated to make it.
    """

    rules: str
    facts: tuple[Encoded, ...]
    given: int

    def __len__(self) -> int:
        return len(self.facts)


def _literal_tests(ruleset: Mapping[str, Mapping[str, Any]]) -> list[_Test] | None:
    """Per user pattern (negated ones too), its top-level ``field == literal`` tests.

    A fact that fails at least one of them for every pattern can match no pattern, so leaving
    it out changes no match and no negation. ``None`` when some pattern has no such test (then
    every fact may matter).
    """
    out: set[_Test] = set()
    for rule, body in ruleset.items():
        if rule in OWN_RULES:
            continue
        for entry in body["all"]:
            ((name, expr),) = entry.items()
            if name == GATE:
                continue
            tests = expr["$and"] if set(expr) == {"$and"} else [expr]
            literal = tuple(
                sorted(
                    (key, value)
                    for test in tests
                    for key, value in test.items()
                    if not key.startswith("$") and not isinstance(value, Mapping)
                )
            )
            if not literal:
                return None
            out.add(literal)
    # A fact passing a test passes every test it contains: keep only the smallest ones.
    return sorted((t for t in out if not any(set(o) < set(t) for o in out)), key=repr)


def _index_tests(tests: list[_Test] | None) -> tuple[str, dict[str, list[_Test]]] | None:
    """The tests grouped by their literal for a field every test fixes to a string (``type``
    in the rule pack), so a fact is held only against the tests that name its value."""
    if not tests:
        return None
    shared = set.intersection(*({k for k, v in t if type(v) is str} for t in tests))
    if not shared:
        return None
    key = max(sorted(shared), key=lambda k: len({dict(t)[k] for t in tests}))  # most selective
    index: dict[str, list[_Test]] = {}
    for test in tests:
        index.setdefault(dict(test)[key], []).append(test)
    return key, index


def _may_equal_raw(value: Any, literal: Any) -> bool:
    """:func:`_may_equal` before normalisation: ``None`` is a missing field (it is dropped), and
    numbers may be rounded or made floats, so only a str or bool can be ruled out, by its like."""
    if value is None:
        return False
    if isinstance(value, str) and isinstance(literal, str):
        return bool(value == literal)
    if type(value) is bool and type(literal) is bool:
        return value == literal
    return True


def _may_equal(value: Any, literal: Any) -> bool:
    """Whether the C core could find ``value == literal``; when unsure (a string against a number,
    which it may coerce), yes. A missing field never equals anything."""
    if value is _ABSENT:
        return False
    if isinstance(value, str) != isinstance(literal, str):
        return True
    return bool(value == literal)


def _digest(ruleset: Mapping[str, Mapping[str, Any]], int_fields: Iterable[str]) -> str:
    text = json.dumps([ruleset, sorted(int_fields)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Sieve:
    """One compiled ruleset's view of facts: which ones its patterns may match.

    Pure Python and stateless after construction: any thread may call :meth:`prepare`, and the
    engine pool prepares in the caller's process what its workers will run.
    """

    def __init__(self, ruleset: Mapping[str, Mapping[str, Any]], int_fields: Iterable[str]) -> None:
        """``ruleset`` as :func:`~rulesengine.engine.compile.compile_rules` returns it."""
        self._int_fields = frozenset(int_fields)
        self._tests = _literal_tests(ruleset)
        self._tests_by = _index_tests(self._tests)
        self.rules = _digest(ruleset, self._int_fields)
        """Names the ruleset and int fields: a handle fits the engines whose ``rules`` equal it."""

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> PreparedFacts:
        """Validate and normalise every fact; keep, once each and in canonical order, those some
        pattern may match. Raises :class:`EngineError` naming the fact's index and key."""
        fields = self._int_fields
        unique: dict[str, dict[str, Any]] = {}
        for index, fact in enumerate(facts):
            fact = check_mapping(index, fact)
            if self._unwanted(fact):
                validate_one(index, fact, fields)  # no serialising: it is not asserted
                continue
            body, normal = normalise_one(index, fact, fields)
            if body not in unique and self._may_match(normal):
                unique[body] = normal
        return PreparedFacts(self.rules, tuple(sorted(unique.items())), len(facts))

    def _unwanted(self, fact: Mapping[str, Any]) -> bool:
        """Whether no pattern can match ``fact`` whatever normalisation makes of its numbers: a
        string or bool field that differs from every pattern's literal (a new county's topic
        mentions, say), decided before the fact is normalised, so that it need not be."""
        tests = self._tests
        if tests is None:
            return False
        if self._tests_by is not None:  # only the tests naming this fact's value of the key field
            key, index = self._tests_by
            value = fact.get(key)
            if type(value) is str:
                tests = index.get(value, [])
            elif value is None:
                return True  # every test needs the key field
        return not any(all(_may_equal_raw(fact.get(k), v) for k, v in test) for test in tests)

    def _may_match(self, fact: Mapping[str, Any]) -> bool:
        """Whether some pattern's literal tests may hold for the normalised ``fact``."""
        tests = self._tests
        if tests is None:
            return True
        if self._tests_by is not None:  # a str in the key field can only meet tests naming it
            key, index = self._tests_by
            value = fact.get(key, _ABSENT)
            if type(value) is str:
                tests = index.get(value, [])
            elif value is _ABSENT:
                return False  # every test needs the key field
        return any(all(_may_equal(fact.get(k, _ABSENT), v) for k, v in test) for test in tests)
