"""Rules in durable-rules' JSON form, validated and rewritten to keep the C core on its safe paths.

Pure Python, no C: the process pool and the rule pack's tests validate rules and read the
rewritten JSON without loading durable-rules. What the rewrite adds, and why (each was
reproduced on this machine):

* **A gate**: every rule's first pattern matches ``{"__gate": "eval"}``, a fact the host asserts
  after all plan facts, so a negation is evaluated only once every fact is in (otherwise it
  depends on arrival order: 928 of 1,000 shuffled checks were wrong).
* **An opener rule** fires on a first fact of every check, and a **sentinel rule** fires on the
  gate: ``delete_state`` segfaults on a state where no action ever ran (a clean plan, or a check
  whose fact batch failed half-way), and the host counts both to know the check was evaluated.
* **A sink rule** matches every fact, so a fact no rule wants does not raise
  ``MessageNotHandledException``.
* **A guard join at the end of every join pattern** (``sid == gate.sid``, always true): the C
  function ``reduceExpressionSequence`` skips the closing ``OP_END`` when the *last* test of an
  ``$and`` is a false join and reads past the expression array until it meets a stray byte 13.
  Without the guard, a check with one false ``$lt`` join segfaulted in about one process in
  four (20 checks each), gate or no gate; with it valgrind reports no invalid read in the core.
  The same function stops evaluating a pattern after a nested ``$and``/``$or`` group, so nested
  ``$and`` is flattened, nested groups go last, and joins inside ``$or`` are refused.
* **``$ex`` guards** on both sides of every join, so a fact lacking a joined field does not
  match instead of failing the whole check with error 311.
* **Literals are normalised like facts' values** (:mod:`rulesengine.values`), so ``2023`` in a
  rule joins ``2023`` in a fact, and a float the C parser would misread is refused here.
* **Metadata is dropped**: durable rejects any key it does not know (error 105).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from rulesengine.engine.codec import BAD_KEY_CHARS, DEFAULT_INT_FIELDS, FID
from rulesengine.engine.errors import EngineError
from rulesengine.values import Refused, Whole, rule_literal

__all__ = [
    "GATE",
    "GATE_FACT",
    "OPEN_FACT",
    "OPEN_RULE",
    "OWN_RULES",
    "SENTINEL_RULE",
    "compile_rules",
]

GATE: Final = "__g"
"""The pattern name of the gate in every user rule (and of the sentinel rule's only pattern)."""
_GATE_KEY: Final = "__gate"
GATE_FACT: Final = {_GATE_KEY: "eval"}
"""Asserted after every fact of a check: what every rule waits for."""
OPEN_FACT: Final = {_GATE_KEY: "open"}
"""Asserted first in every check: the opener rule fires on it."""
OPEN_RULE: Final = "__open"
SENTINEL_RULE: Final = "__sentinel"
_SINK_RULE: Final = "__sink"
OWN_RULES: Final = frozenset({OPEN_RULE, SENTINEL_RULE, _SINK_RULE})
"""The rules the engine adds to every ruleset."""

_NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_PATTERN_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,63})(\$not)?")

# Rule keys durable-rules understands but this adapter does not support (it owns "run").
_UNSUPPORTED_RULE_KEYS: Final = frozenset({"run", "any", "count", "cap", "dist"})
_COMPARISONS: Final = frozenset({"$eq", "$neq", "$lt", "$lte", "$gt", "$gte"})
_EXISTS: Final = frozenset({"$ex", "$nex"})
_REGEX: Final = frozenset({"$mt", "$imt"})
_ARITHMETIC: Final = frozenset({"$add", "$sub", "$mul", "$div"})
_GROUPS: Final = frozenset({"$and", "$or"})

# Always-true join closing every pattern that has joins (see the module docstring).
_GUARD_JOIN: Final = {"sid": {GATE: "sid"}}


def _rule_error(rule: str, message: str) -> EngineError:
    return EngineError(f"rule {rule!r}: {message}", rule=rule)


def _check_field(rule: str, name: object) -> str:
    if not isinstance(name, str) or not name:
        raise _rule_error(rule, f"field name {name!r} must be a non-empty string")
    if name.startswith(("$", "__")) or name in ("sid", "id"):
        raise _rule_error(rule, f"field name {name!r} is reserved")
    if BAD_KEY_CHARS.search(name):
        raise _rule_error(rule, f"field name {name!r} has quotes, backslashes or control chars")
    return name


def _literal(rule: str, fieldname: str | None, value: object, int_fields: frozenset[str]) -> Any:
    """:func:`rulesengine.values.rule_literal`, its refusals worded for a rule."""
    whole: Whole = None if fieldname is None else fieldname in int_fields
    try:
        return rule_literal(value, whole)
    except Refused as exc:
        if exc.reason in ("type", "nested"):
            message = f"value {value!r} for {fieldname!r} must be a string, number or bool"
        elif exc.reason == "out_of_range":
            message = f"integer {exc}"
        else:
            message = f"number {exc}"
        raise _rule_error(rule, message) from None


@dataclass
class _PatternInfo:
    name: str  # without "$not"
    negated: bool
    leaves: list[dict[str, Any]]  # tests outside nested groups, in order
    groups: list[dict[str, Any]]  # nested alpha-only $and/$or groups
    top_or: dict[str, Any] | None  # the pattern is one alpha-only $or group
    join_fields: list[str]  # own fields that take part in joins
    has_join: bool = False
    exists: list[str] = field(default_factory=list)  # fields needing {"$ex": …}


class _RuleCompiler:
    def __init__(self, rule: str, int_fields: frozenset[str]) -> None:
        self.rule = rule
        self.int_fields = int_fields

    def fail(self, message: str) -> EngineError:
        return _rule_error(self.rule, message)

    def single(self, test: object, where: str) -> tuple[str, Any]:
        if not isinstance(test, Mapping) or len(test) != 1:
            raise self.fail(f"{where}: a test must be an object with exactly one key: {test!r}")
        ((key, value),) = test.items()
        if not isinstance(key, str):
            raise self.fail(f"{where}: key {key!r} must be a string")
        return key, value

    def operand(
        self, value: object, fieldname: str | None, earlier: set[str], refs: set[tuple[str, str]], where: str
    ) -> tuple[Any, bool]:
        """Validate an operand; return it normalised and whether it is a join (not a literal)."""
        if isinstance(value, Mapping):
            key, inner = self.single(value, where)
            if key in _ARITHMETIC:
                if not isinstance(inner, Mapping) or set(inner) != {"$l", "$r"}:
                    raise self.fail(f"{where}: {key} needs exactly '$l' and '$r'")
                left, _ = self.operand(inner["$l"], None, earlier, refs, where)
                right, _ = self.operand(inner["$r"], None, earlier, refs, where)
                return {key: {"$l": left, "$r": right}}, True
            if key == "$m":  # a field of the pattern's own fact
                refs.add((key, _check_field(self.rule, inner)))
                return {key: inner}, True
            if key.startswith("$"):
                raise self.fail(f"{where}: unsupported operand {key!r}")
            if key not in earlier:
                raise self.fail(f"{where}: {key!r} must name an earlier, non-negated pattern of this rule")
            refs.add((key, _check_field(self.rule, inner)))
            return {key: inner}, True
        if value is None or isinstance(value, list | tuple):
            raise self.fail(f"{where}: value {value!r} is not allowed (facts are flat scalars)")
        return _literal(self.rule, fieldname, value, self.int_fields), False

    def leaf(
        self, test: object, earlier: set[str], refs: set[tuple[str, str]], where: str
    ) -> tuple[dict[str, Any], str | None]:
        """Validate one non-group test; return it and the own field it joins on (or None)."""
        key, value = self.single(test, where)
        if key in _COMPARISONS:
            fieldname, operand = self.single(value, where)
            _check_field(self.rule, fieldname)
            normal, is_join = self.operand(operand, fieldname, earlier, refs, where)
            return {key: {fieldname: normal}}, fieldname if is_join else None
        if key in _EXISTS:
            fieldname, operand = self.single(value, where)
            _check_field(self.rule, fieldname)
            return {key: {fieldname: 1}}, None
        if key in _REGEX:
            fieldname, operand = self.single(value, where)
            _check_field(self.rule, fieldname)
            if not isinstance(operand, str):
                raise self.fail(f"{where}: {key} needs a regular expression string")
            return {key: {fieldname: operand}}, None
        if key.startswith("$"):
            raise self.fail(f"{where}: unsupported operator {key!r}")
        _check_field(self.rule, key)
        normal, is_join = self.operand(value, key, earlier, refs, where)
        return {key: normal}, key if is_join else None

    def alpha_group(self, test: Mapping[str, Any], earlier: set[str], where: str) -> dict[str, Any]:
        """A nested $and/$or that must not contain joins (the C core evaluates those wrongly)."""
        ((op, children),) = test.items()
        if not isinstance(children, list) or not children:
            raise self.fail(f"{where}: {op} needs a non-empty list")
        out: list[dict[str, Any]] = []
        for child in children:
            key, _ = self.single(child, where)
            if key in _GROUPS:
                out.append(self.alpha_group(child, earlier, where))
                continue
            refs: set[tuple[str, str]] = set()
            normal, join_field = self.leaf(child, earlier, refs, where)
            if join_field is not None or refs:
                raise self.fail(
                    f"{where}: joins inside {op} groups are evaluated wrongly by durable-rules "
                    "2.0.28; write the join at the top level of the pattern's $and"
                )
            out.append(normal)
        return {op: out}

    def pattern(self, name: str, expr: object, earlier: set[str], refs: set[tuple[str, str]]) -> _PatternInfo:
        match = _PATTERN_RE.fullmatch(name)
        if match is None:
            raise self.fail(
                f"pattern name {name!r} must be a letter then letters, digits or '_' "
                "(optionally ending in '$not')"
            )
        base, negated = match.group(1), match.group(2) is not None
        where = f"pattern {name!r}"
        key, value = self.single(expr, where)
        info = _PatternInfo(base, negated, [], [], None, [])
        if key == "$or":
            info.top_or = self.alpha_group({"$or": value}, earlier, where)
            return info
        tests = self.flatten(value, where) if key == "$and" else [expr]
        for test in tests:
            test_key, test_value = self.single(test, where)
            if test_key in _GROUPS:
                info.groups.append(self.alpha_group({test_key: test_value}, earlier, where))
                continue
            own_refs: set[tuple[str, str]] = set()
            normal, join_field = self.leaf(test, earlier, own_refs, where)
            info.leaves.append(normal)
            if join_field is not None or own_refs:
                info.has_join = True
            if join_field is not None:
                info.join_fields.append(join_field)
            info.join_fields.extend(sorted(f for p, f in own_refs if p == "$m"))
            refs |= {(p, f) for p, f in own_refs if p != "$m"}
        return info

    def flatten(self, children: object, where: str) -> list[Any]:
        if not isinstance(children, list) or not children:
            raise self.fail(f"{where}: $and needs a non-empty list")
        out: list[Any] = []
        for child in children:
            key, value = self.single(child, where)
            out.extend(self.flatten(value, where) if key == "$and" else [child])
        return out


def _build_pattern(info: _PatternInfo) -> dict[str, Any]:
    exists = [{"$ex": {name: 1}} for name in dict.fromkeys(info.join_fields + info.exists)]
    if info.top_or is not None:
        body: dict[str, Any] = {"$and": [info.top_or, *exists]} if exists else copy.deepcopy(info.top_or)
    elif info.has_join:
        # Own $ex guards, the tests in order, the always-true guard join, then nested groups:
        # the guard keeps a false last join from overrunning the expression array, and groups
        # go last because evaluation of a pattern stops after a nested group.
        body = {"$and": [*exists, *info.leaves, _GUARD_JOIN, *info.groups]}
    else:
        tests = [*exists, *info.leaves, *info.groups]
        body = tests[0] if len(tests) == 1 else {"$and": tests}
    return {info.name + ("$not" if info.negated else ""): body}


def _compile_rule(rule: str, body: object, int_fields: frozenset[str]) -> dict[str, Any]:
    if not isinstance(rule, str) or _NAME_RE.fullmatch(rule) is None:
        raise EngineError(
            f"rule name {rule!r} must be a letter then up to 63 letters, digits or '_'",
            rule=str(rule),
        )
    if not isinstance(body, Mapping):
        raise _rule_error(rule, "the rule body must be an object with an 'all' list")
    bad = sorted(_UNSUPPORTED_RULE_KEYS & set(body))
    if bad:
        raise _rule_error(rule, f"{', '.join(bad)} not supported here (use 'all'; the engine adds 'run')")
    patterns = body.get("all")
    if not isinstance(patterns, list) or not patterns:
        raise _rule_error(rule, "'all' must be a non-empty list of patterns")
    compiler = _RuleCompiler(rule, int_fields)
    earlier: set[str] = set()
    seen: set[str] = set()
    infos: list[_PatternInfo] = []
    refs: set[tuple[str, str]] = set()
    for entry in patterns:
        name, expr = compiler.single(entry, "'all'")
        info = compiler.pattern(name, expr, earlier, refs)
        if info.name in seen:
            raise _rule_error(rule, f"pattern name {info.name!r} is used twice")
        seen.add(info.name)
        if not info.negated:
            earlier.add(info.name)
        infos.append(info)
    by_name = {info.name: info for info in infos}
    for pattern, fieldname in sorted(refs):
        by_name[pattern].exists.append(fieldname)
    out: dict[str, Any] = {"all": [{GATE: dict(GATE_FACT)}, *map(_build_pattern, infos)]}
    if "pri" in body:
        if not isinstance(body["pri"], int) or isinstance(body["pri"], bool):
            raise _rule_error(rule, "'pri' must be an integer")
        out["pri"] = body["pri"]
    # Every other key (a "meta" block, a description, …) is metadata: durable rejects unknown
    # keys with error 105, so it is dropped here.
    return out


def compile_rules(
    rules: Mapping[str, Mapping[str, Any]],
    int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
) -> dict[str, dict[str, Any]]:
    """Validate ``rules`` and return the complete ruleset the engine loads (without "run").

    Pure Python, no C: callers (the process pool, a rules linter) can validate rules and read
    the rewritten JSON without loading durable-rules. Raises :class:`EngineError` naming the rule.
    """
    if not isinstance(rules, Mapping):
        raise EngineError("rules must be a mapping of rule name to rule body")
    fields = frozenset(int_fields)
    ruleset = {name: _compile_rule(name, body, fields) for name, body in rules.items()}
    ruleset[OPEN_RULE] = {"all": [{"__o": dict(OPEN_FACT)}]}
    ruleset[SENTINEL_RULE] = {"all": [{GATE: dict(GATE_FACT)}]}
    # Matches every fact (all carry a fid); the second pattern can never match (fact keys may
    # not start with "__"), so the rule never fires but no fact goes unhandled.
    ruleset[_SINK_RULE] = {"all": [{"__f": {"$ex": {FID: 1}}}, {"__n": {"$ex": {"__never": 1}}}]}
    return ruleset
