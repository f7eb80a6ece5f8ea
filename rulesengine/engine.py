"""The only module that talks to durable-rules: compiled rules in, matches out.

durable-rules 2.0.28 is a Rete engine whose C core is unmaintained and has memory-safety bugs
(see /work/shared/DURABLE-RULES.md). Everything here exists to keep those bugs away from the
caller. The adapter knows nothing about plans: it takes rules in durable-rules' own JSON form
(``{"all": [{"p": {...}}, {"c": {...}}]}``) and facts as flat dicts, and says which rule fired
on which facts.

What the wrapper does, and why (each was reproduced on this machine):

* **One Host, one ruleset, per process**, with ``Host._run`` disabled: actions run inside
  ``assert_*`` on the caller's thread, and no dispatcher threads leak.
* **A gate**: every rule's first pattern matches ``{"__gate": "eval"}``, asserted after all
  facts, so a negation is evaluated only once every fact is in (otherwise it depends on arrival
  order).
* **An opener rule** fires on a first fact of every check, and a **sentinel rule** fires on the
  gate: ``delete_state`` segfaults on a state where no action ever ran (a clean plan, or a check
  whose fact batch failed half-way).
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
* **Facts are validated, normalised and serialised here**: flat, scalar values, ``None``
  dropped, numbers as float except integral ``int_fields`` (``2023`` and ``2023.0`` do not join
  in the C core), floats rounded to 6 decimals and written with a decimal point (the C number
  parser reads an exponent only after a ".", and a fact holding ``5e-05`` or ``1e+20`` — how
  ``json.dumps`` writes them — crashed the process).
* **Duplicates are removed** before asserting, and every fact gets an ``id`` whose 32-bit FNV
  hash is unique in the check (the C core compares fact ids by that hash alone). Facts go in
  sorted by content, so the same set of facts is the same input to the C core in any order,
  and their ids (``fid``) depend on the set alone.
* **Facts no pattern can match are not asserted**: a fact that fails one of the top-level
  ``field: literal`` tests of every pattern (negated ones included) can take part in no match
  and no negation, yet the C core's time grows with every fact asserted. It is still validated.
* **An empty batch is never asserted** (``assert_facts([])`` segfaults).
* **Exceptions raised in actions are caught** (durable swallows them into the state) and
  re-raised as :class:`EngineError`; C error codes are explained.
* **One state at a time**, behind a lock, always deleted in ``finally``.

Crashes that remain possible are a reason to run checks in worker processes: see
:mod:`rulesengine.engine_pool`.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import math
import numbers
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import durable_rules_engine
from durable.engine import Host, MessageNotHandledException, MessageObservedException

from rulesengine.hotcache import HotCache
from rulesengine.model import FrozenFact

__all__ = [
    "DEFAULT_INT_FIELDS",
    "EngineError",
    "Match",
    "MatchHook",
    "RuleEngine",
    "compile_rules",
    "normalise_facts",
]

DEFAULT_INT_FIELDS: Final[tuple[str, ...]] = ("year", "start", "end")
"""Fields whose integral numbers stay ``int``; every other number becomes ``float``."""

_RULESET: Final = "planalign_rules"
_GATE: Final = "__g"  # pattern name of the gate in every user rule
_GATE_KEY: Final = "__gate"
_GATE_FACT: Final = {_GATE_KEY: "eval"}
_OPEN_FACT: Final = {_GATE_KEY: "open"}
_GATE_ID: Final = "__gate"
_OPEN_ID: Final = "__open"
_OPEN_RULE: Final = "__open"
_SENTINEL_RULE: Final = "__sentinel"
_SINK_RULE: Final = "__sink"
_FID: Final = "fid"
_RESERVED_KEYS: Final = frozenset({"sid", "id", _FID})
_MAX_FACT_KEYS: Final = 240  # the C core allows 255 properties, sid/id/fid included
_MAX_INT: Final = 2**63 - 1

_NAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_PATTERN_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,63})(\$not)?")
_BAD_KEY_CHARS: Final = re.compile(r'["\\\x00-\x1f\x7f]')
_NEEDS_ESCAPE: Final = re.compile(r'["\\\x00-\x1f]')  # what json.dumps escapes (ensure_ascii off)

# Rule keys durable-rules understands but this adapter does not support (it owns "run").
_UNSUPPORTED_RULE_KEYS: Final = frozenset({"run", "any", "count", "cap", "dist"})
_COMPARISONS: Final = frozenset({"$eq", "$neq", "$lt", "$lte", "$gt", "$gte"})
_EXISTS: Final = frozenset({"$ex", "$nex"})
_REGEX: Final = frozenset({"$mt", "$imt"})
_ARITHMETIC: Final = frozenset({"$add", "$sub", "$mul", "$div"})
_GROUPS: Final = frozenset({"$and", "$or"})

# Always-true join closing every pattern that has joins (see the module docstring).
_GUARD_JOIN: Final = {"sid": {_GATE: "sid"}}

_C_ERRORS: Final[dict[int, str]] = {
    101: "out of memory",
    102: "unexpected type in a rule",
    103: "identifier too long",
    104: "unexpected value in a rule",
    105: "unknown key in a rule",
    106: "too many rules",
    107: "too many existence tests in a rule",
    108: "too many patterns in a rule",
    109: "a rule without a qualifier",
    113: "too many joins in one pattern (at most about 28)",
    201: "cannot parse a value",
    202: "cannot parse a string",
    203: "cannot parse a number",
    204: "cannot parse an object",
    205: "cannot parse an array",
    302: "a fact has too many properties",
    303: "evaluation stack too deep (too many or too complex rules)",
    304: "too many facts in one frame",
    309: "state not found",
    311: "a join refers to a property a fact does not have",
    312: "an operation on incompatible values (for example a comparison with null)",
    313: "a fact is too large",
    314: "a fact property is too large",
    501: "cannot parse a regular expression",
}
_C_CODE_RE: Final = re.compile(r"error code: (\d+)")


class EngineError(RuntimeError):
    """A bad ruleset, a bad fact, a failing action or an error code from the C core.

    The message names the rule or the fact at fault; ``rule``, ``fact_index``, ``key``,
    ``code`` (a durable-rules C error code) and ``fact_set`` (which of several fact sets, in
    :meth:`EnginePool.run_many`) carry the same information for programs. Instances pickle,
    so they cross process boundaries unchanged.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        fact_index: int | None = None,
        key: str | None = None,
        code: int | None = None,
        fact_set: int | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.fact_index = fact_index
        self.key = key
        self.code = code
        self.fact_set = fact_set


@dataclass(frozen=True)
class Match:
    """One firing: the rule's name and, per pattern name, the fact it matched.

    Facts are the normalised facts (what the engine saw), each with the adapter's ``fid``: a
    fact id that depends only on the set of facts in the check, never on their order. Negated
    (``$not``) patterns match no fact and so do not appear.
    """

    rule: str
    facts: dict[str, dict[str, Any]] = field(hash=False)


MatchHook = Callable[[Match], None]
"""Called inside the rule's action for every match; an exception becomes an EngineError."""


# --------------------------------------------------------------------------------------------
# 32-bit FNV-1, exactly as the C core computes it (``char`` is signed on x86).


def _fnv1_32(text: str) -> int:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF
        value = (value * 16777619) & 0xFFFFFFFF
    return value


class _FactIds:
    """Fact ids ``f0, f1, …`` skipping any whose 32-bit hash repeats an earlier one's.

    durable-rules stores a fact under ``fnv1_32(id)`` and treats two facts with equal hashes
    as the same fact, so the first *n* ids of this sequence are always safe together.
    """

    def __init__(self, reserved: Iterable[str]) -> None:
        self._ids: list[str] = []
        self._owner: dict[int, int] = {_fnv1_32(text): -1 for text in reserved}
        self._counter = itertools.count()

    def first(self, n: int) -> list[str]:
        while len(self._ids) < n:
            candidate = f"f{next(self._counter)}"
            digest = _fnv1_32(candidate)
            if digest in self._owner:
                continue
            self._owner[digest] = len(self._ids)
            self._ids.append(candidate)
        return self._ids[:n]

    def clashes(self, text: str, n: int) -> bool:
        """Whether ``text`` hashes like a reserved id or one of the first ``n`` fact ids."""
        owner = self._owner.get(_fnv1_32(text))
        return owner is not None and owner < n


# --------------------------------------------------------------------------------------------
# Rules: validation and the rewrite that keeps the C core on its safe paths.


def _rule_error(rule: str, message: str) -> EngineError:
    return EngineError(f"rule {rule!r}: {message}", rule=rule)


def _check_field(rule: str, name: object) -> str:
    if not isinstance(name, str) or not name:
        raise _rule_error(rule, f"field name {name!r} must be a non-empty string")
    if name.startswith(("$", "__")) or name in ("sid", "id"):
        raise _rule_error(rule, f"field name {name!r} is reserved")
    if _BAD_KEY_CHARS.search(name):
        raise _rule_error(rule, f"field name {name!r} has quotes, backslashes or control chars")
    return name


def _literal(rule: str, fieldname: str | None, value: object, int_fields: frozenset[str]) -> Any:
    """A literal in a rule, normalised like fact values so that both sides compare alike."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):
        as_int = int(value)
        if abs(as_int) > _MAX_INT:
            raise _rule_error(rule, f"integer {as_int} is out of range")
        if fieldname is None or fieldname in int_fields:
            return as_int
        return float(as_int)
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise _rule_error(rule, f"number {as_float} is not finite")
        as_float = round(as_float, 6) + 0.0
        if "e" in repr(as_float) and "." not in repr(as_float):
            # durable serialises rules with json.dumps; the C parser crashes on "5e-05".
            raise _rule_error(rule, f"number {value!r} cannot be written without an exponent")
        if fieldname in int_fields and as_float.is_integer():
            return int(as_float)
        return as_float
    raise _rule_error(rule, f"value {value!r} for {fieldname!r} must be a string, number or bool")


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
    out: dict[str, Any] = {"all": [{_GATE: dict(_GATE_FACT)}, *map(_build_pattern, infos)]}
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
    ruleset[_OPEN_RULE] = {"all": [{"__o": dict(_OPEN_FACT)}]}
    ruleset[_SENTINEL_RULE] = {"all": [{_GATE: dict(_GATE_FACT)}]}
    # Matches every fact (all carry a fid); the second pattern can never match (fact keys may
    # not start with "__"), so the rule never fires but no fact goes unhandled.
    ruleset[_SINK_RULE] = {"all": [{"__f": {"$ex": {_FID: 1}}}, {"__n": {"$ex": {"__never": 1}}}]}
    return ruleset


# --------------------------------------------------------------------------------------------
# Facts: validation, normalisation, serialisation.

_KEY_OK: dict[str, bool] = {}  # keys already checked (shared; a dict write is atomic)
_KEY_BY_HASH: dict[int, str] = {_fnv1_32(key): key for key in _RESERVED_KEYS}
_KEY_LOCK = threading.Lock()


def _check_key(index: int, key: object) -> str:
    if isinstance(key, str) and _KEY_OK.get(key):
        return key
    if not isinstance(key, str) or not key:
        raise EngineError(f"fact #{index}: key {key!r} must be a non-empty string", fact_index=index)
    if key.startswith(("$", "__")) or key in _RESERVED_KEYS:
        raise EngineError(f"fact #{index}: key {key!r} is reserved by the engine", fact_index=index, key=key)
    if _BAD_KEY_CHARS.search(key):
        raise EngineError(
            f"fact #{index}: key {key!r} has quotes, backslashes or control characters",
            fact_index=index,
            key=key,
        )
    with _KEY_LOCK:
        digest = _fnv1_32(key)
        other = _KEY_BY_HASH.setdefault(digest, key)
        if other != key:
            # The C core indexes properties by this hash: the two keys would be one property.
            raise EngineError(
                f"fact #{index}: key {key!r} has the same 32-bit hash as key {other!r}; rename it",
                fact_index=index,
                key=key,
            )
        _KEY_OK[key] = True
    return key


def _normalise_value(index: int, key: str, value: object, int_fields: frozenset[str]) -> Any:
    if isinstance(value, str | bool):
        return value
    if isinstance(value, float) and key not in int_fields and math.isfinite(value):
        return round(value, 6) + 0.0  # the common case first; + 0.0 turns -0.0 into 0.0
    if isinstance(value, numbers.Integral):
        as_int = int(value)
        if key in int_fields:
            if abs(as_int) > _MAX_INT:
                raise EngineError(
                    f"fact #{index}: {key!r} = {as_int} is out of range",
                    fact_index=index,
                    key=key,
                )
            return as_int
        return float(as_int)
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise EngineError(
                f"fact #{index}: {key!r} = {as_float} is not a finite number",
                fact_index=index,
                key=key,
            )
        as_float = round(as_float, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
        if key in int_fields:
            if not as_float.is_integer() or abs(as_float) > _MAX_INT:
                raise EngineError(
                    f"fact #{index}: {key!r} = {value!r} must be a whole number",
                    fact_index=index,
                    key=key,
                )
            return int(as_float)
        return as_float
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        raise EngineError(
            f"fact #{index}: key {key!r} holds a nested {type(value).__name__}; "
            "facts must be flat (str, int, float or bool values)",
            fact_index=index,
            key=key,
        )
    raise EngineError(
        f"fact #{index}: key {key!r} holds a {type(value).__name__}; values must be str, int, float or bool",
        fact_index=index,
        key=key,
    )


def _encode(value: Any) -> str:
    """JSON the C parser reads safely: floats always with a decimal point, never an exponent."""
    kind = type(value)
    if kind is str:
        if _NEEDS_ESCAPE.search(value) is None:
            return f'"{value}"'
        return json.dumps(value, ensure_ascii=False)
    if kind is float:
        return format(value, ".6f")
    if kind is bool:
        return "true" if value else "false"
    return str(value)  # int


def _normalise_one(index: int, fact: Mapping[str, Any], fields: frozenset[str]) -> tuple[str, dict[str, Any]]:
    """One fact's canonical body (sorted keys, no closing brace) and normalised dict; see below.

    The common cases (a known key; a str, bool or finite float value; a string needing no
    escape) are handled inline: this runs for every new fact of every check.
    """
    normal: dict[str, Any] = {}
    known = _KEY_OK
    for key, value in fact.items():
        name = key if type(key) is str and known.get(key) else _check_key(index, key)
        kind = type(value)
        if kind is str or kind is bool:
            normal[name] = value
        elif kind is float and name not in fields and math.isfinite(value):
            normal[name] = round(value, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
        elif kind is int and name in fields and -_MAX_INT <= value <= _MAX_INT:
            normal[name] = value  # a year: the common int, without the numbers ABCs
        elif value is not None:
            normal[name] = _normalise_value(index, name, value, fields)
    if len(normal) > _MAX_FACT_KEYS:
        raise EngineError(
            f"fact #{index} has {len(normal)} keys; at most {_MAX_FACT_KEYS} are allowed",
            fact_index=index,
        )
    ordered = {key: normal[key] for key in sorted(normal)}
    parts = []
    for key, value in ordered.items():
        if type(value) is str and _NEEDS_ESCAPE.search(value) is None:
            parts.append(f'"{key}":"{value}"')
        else:
            parts.append(f'"{key}":{_encode(value)}')
    return "{" + ",".join(parts), ordered


def _validate_one(index: int, fact: Mapping[str, Any], fields: frozenset[str]) -> None:
    """Raise what :func:`_normalise_one` would raise for ``fact``, without building anything:
    for a fact that will not be asserted, which must still be refused if it is bad."""
    known = _KEY_OK
    size = 0
    for key, value in fact.items():
        name = key if type(key) is str and known.get(key) else _check_key(index, key)
        kind = type(value)
        if value is None:
            continue
        size += 1
        if not (
            kind is str
            or kind is bool
            or (kind is float and name not in fields and math.isfinite(value))
            or (kind is int and name in fields and -_MAX_INT <= value <= _MAX_INT)
        ):
            _normalise_value(index, name, value, fields)
    if size > _MAX_FACT_KEYS:
        raise EngineError(
            f"fact #{index} has {size} keys; at most {_MAX_FACT_KEYS} are allowed", fact_index=index
        )


# Facts already normalised, by content: a parent plan's facts recur in every check of its
# counties (3,000 checks in a batch), and validating them in every check repeats the same work. The key
# holds each value's type, so True, 1 and 1.0 (equal and hash-equal in Python) stay apart.
# Only successful results are kept (an error must name the fact's index in *this* call).
# Bounded (two generations, rulesengine.hotcache): a parent's facts, hit in every check, stay;
# a county's, seen once, go; memory stays flat whatever the input.
_NORMAL_CACHE_MAX: Final = 2048


class _ContentKey:
    """A fact's content as a cache key, hashed once.

    A fact's content is a tuple of ~20 pairs; hashing it costs about a microsecond, and a miss
    looks it up in two caches of two generations and stores it in one: five hashes. The key
    keeps its hash, so a county's new facts (in a batch, every check has ~140 of them) pay for
    one. ``TypeError`` from the constructor means an unhashable value (a list, a dict).
    """

    __slots__ = ("_hash", "content")

    def __init__(self, fact: Mapping[str, Any], fields: frozenset[str]) -> None:
        self.content = (fields, tuple(fact.items()), tuple(map(type, fact.values())))
        self._hash = hash(self.content)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ContentKey) and self._hash == other._hash and self.content == other.content


_Prepared = tuple[str, dict[str, Any]]
_NORMAL_CACHE: HotCache[_ContentKey, _Prepared] = HotCache(_NORMAL_CACHE_MAX)


@dataclass
class _Sieve:
    """One engine's memory of which facts its rules can want (see :func:`_prepare`)."""

    unwanted: Callable[[Mapping[str, Any]], bool]
    may_match: Callable[[str, dict[str, Any]], bool]
    skipped: HotCache[_ContentKey, bool]  # content keys of valid facts no pattern wants
    # FrozenFact objects seen before, by id: the fact (held, so the id cannot be reused while
    # the entry lives) and its prepared form, or None when it is not asserted.
    frozen: HotCache[int, tuple[FrozenFact, _Prepared | None]]


def _prepare(
    facts: Sequence[Mapping[str, Any]], fields: frozenset[str], sieve: _Sieve | None = None
) -> list[_Prepared]:
    """:func:`normalise_facts` without copies: the dicts may be shared with the cache (read only).

    With a ``sieve``, only the facts some pattern may match are returned. A new fact for which
    ``sieve.unwanted(fact)`` holds is validated but left out: the engine's rules could not match
    it, so its canonical form is not needed. Its content key goes into ``sieve.skipped``, so the
    same fact in a later call — a parent's topic mentions, in every check — is left out at once.
    A :class:`FrozenFact` seen before (the same object: a parent's, in every check of a batch)
    is taken from ``sieve.frozen`` by identity, without looking at its content again.
    """
    unique: dict[str, dict[str, Any]] = {}
    for index, fact in enumerate(facts):
        if sieve is not None and type(fact) is FrozenFact:
            seen = sieve.frozen.get(id(fact))
            if seen is not None and seen[0] is fact:
                if seen[1] is not None:
                    unique.setdefault(*seen[1])
                continue
            item = _prepare_one(index, fact, fields, sieve, by_content=False)
            sieve.frozen.put(id(fact), (fact, item))
        else:
            item = _prepare_one(index, fact, fields, sieve)
        if item is not None:
            unique.setdefault(*item)
    return sorted(unique.items())


def _prepare_one(
    index: int,
    fact: Mapping[str, Any],
    fields: frozenset[str],
    sieve: _Sieve | None,
    *,
    by_content: bool = True,
) -> _Prepared | None:
    """One fact validated and normalised (or found by its content), or None if not wanted.

    The content lookup serves plain dicts that recur as new objects (facts pickled to an engine
    pool worker, hand-made facts). A FrozenFact is remembered by identity instead
    (``by_content=False``): rulesengine.facts hands out the same objects for the same plan, so
    a new FrozenFact is a county's new fact, and keying it by content would be waste.
    """
    if not isinstance(fact, Mapping):
        raise EngineError(f"fact #{index} is a {type(fact).__name__}, not a dict", fact_index=index)
    done: _Prepared | None = None
    key: _ContentKey | None = None
    if by_content:
        try:
            key = _ContentKey(fact, fields)
            if sieve is not None and key in sieve.skipped:
                return None  # validated before, with the same values of the same types
            done = _NORMAL_CACHE.get(key)
        except TypeError:  # an unhashable value (a list, a dict): the slow path names it
            done, key = None, None
    if done is None:
        if sieve is not None and sieve.unwanted(fact):
            _validate_one(index, fact, fields)
            if key is not None:
                sieve.skipped.put(key, True)
            return None
        done = _normalise_one(index, fact, fields)
        if key is not None:
            _NORMAL_CACHE.put(key, done)
    if sieve is not None and not sieve.may_match(*done):
        return None
    return done


def normalise_facts(
    facts: Sequence[Mapping[str, Any]],
    int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
) -> list[tuple[str, dict[str, Any]]]:
    """Validate and normalise ``facts``; drop duplicates; order them canonically.

    Returns ``(body, fact)`` pairs sorted by ``body``, the fact's canonical JSON (sorted keys,
    without the closing brace) — so the result depends on the set of facts only. Raises
    :class:`EngineError` naming the fact's index in ``facts`` and the key at fault.
    """
    return [(body, dict(fact)) for body, fact in _prepare(facts, frozenset(int_fields))]


# --------------------------------------------------------------------------------------------
# Which facts the rules can want: the C core's time grows with the facts asserted, and a plan
# check sends many no pattern can match (a parent's topic mentions, topics no rule names).

_ABSENT: Final = object()


def _literal_tests(ruleset: Mapping[str, Mapping[str, Any]]) -> list[tuple[tuple[str, Any], ...]] | None:
    """Per user pattern (negated ones too), its top-level ``field == literal`` tests.

    A fact that fails at least one of them for every pattern can match no pattern, so leaving
    it out changes no match and no negation. ``None`` when some pattern has no such test (then
    every fact may matter).
    """
    own = {_OPEN_RULE, _SENTINEL_RULE, _SINK_RULE}
    out: set[tuple[tuple[str, Any], ...]] = set()
    for rule, body in ruleset.items():
        if rule in own:
            continue
        for entry in body["all"]:
            ((name, expr),) = entry.items()
            if name == _GATE:
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


def _index_tests(
    tests: list[tuple[tuple[str, Any], ...]] | None,
) -> tuple[str, dict[str, list[tuple[tuple[str, Any], ...]]]] | None:
    """The tests grouped by their literal for a field every test fixes to a string (``type``
    in the rule pack), so a fact is held only against the tests that name its value."""
    if not tests:
        return None
    shared = set.intersection(*({k for k, v in t if type(v) is str} for t in tests))
    if not shared:
        return None
    key = max(sorted(shared), key=lambda k: len({dict(t)[k] for t in tests}))  # most selective
    index: dict[str, list[tuple[tuple[str, Any], ...]]] = {}
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


# --------------------------------------------------------------------------------------------
# The engine.


@dataclass
class _Run:
    """What the actions of one check record."""

    facts: dict[str, dict[str, Any]]  # fid → normalised fact (shared, read only; Match copies it)
    positions: dict[str, int]  # fid → rank of the fact in canonical order
    hook: MatchHook | None
    fired: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # rule, pattern→fid
    errors: list[tuple[str, BaseException]] = field(default_factory=list)
    opened: int = 0
    gated: int = 0


class _CollectingHost(Host):
    """A Host without dispatcher threads whose actions report to the engine."""

    def __init__(self, engine: RuleEngine) -> None:
        self._engine = engine
        super().__init__()

    def _run(self) -> None:
        # The base class starts two timer threads that run actions late on another thread;
        # with them disabled, actions run inside assert_* on the caller's thread.
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        engine = self._engine

        def action(c: Any) -> None:  # durable requires exactly one positional parameter
            engine._on_action(action_name, c._m)

        return action


class RuleEngine:
    """durable-rules behind a safe, synchronous, thread-safe call: facts in, matches out.

    One instance per process is enough and best: the C core is not thread-safe and holds the
    GIL, so checks are serialised by a lock; parallelism comes from processes
    (:class:`rulesengine.engine_pool.EnginePool`).
    """

    def __init__(
        self,
        rules: Mapping[str, Mapping[str, Any]],
        *,
        int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
        on_match: MatchHook | None = None,
    ) -> None:
        """Compile and load ``rules`` (rule name → durable JSON body without "run").

        ``int_fields`` name the fact fields whose whole numbers stay ``int`` (years); every
        other number becomes a float. ``on_match`` is called inside the action for every match,
        for tracing and tests; whatever it raises surfaces from :meth:`run` as EngineError.
        """
        self._int_fields = frozenset(int_fields)
        self._ruleset = compile_rules(rules, self._int_fields)
        self._literal_tests = _literal_tests(self._ruleset)
        self._tests_by = _index_tests(self._literal_tests)
        # fact body → whether some pattern may match it; content keys of valid facts no pattern wants
        self._wanted: HotCache[str, bool] = HotCache(_NORMAL_CACHE_MAX)
        self._skipped: HotCache[_ContentKey, bool] = HotCache(_NORMAL_CACHE_MAX)
        self._sieve = _Sieve(self._unwanted, self._may_match, self._skipped, HotCache(_NORMAL_CACHE_MAX))
        self._on_match = on_match
        self._lock = threading.Lock()
        self._ids = _FactIds([_GATE_ID, _OPEN_ID])
        self._sids = itertools.count(1)
        self._active: _Run | None = None
        self._host: Any = None
        self._rules: Any = None
        with self._lock:
            self._build()

    @property
    def ruleset(self) -> dict[str, dict[str, Any]]:
        """The rewritten ruleset as loaded (a copy), for debugging rules."""
        return copy.deepcopy(self._ruleset)

    def _build(self) -> None:
        """Make the Host, load the ruleset and run one warm-up check. Needs the lock."""
        definition = copy.deepcopy(self._ruleset)
        for name, body in definition.items():
            body["run"] = name
        host = _CollectingHost(self)
        try:
            host.set_rulesets({_RULESET: definition})
        except durable_rules_engine.error as exc:
            raise _c_error(exc, "loading the rules") from exc
        self._host = host
        self._rules = host.get_ruleset(_RULESET)
        self._rules._flush_actions = _lean_flush(self._rules, self)
        self._run_locked([])  # the host's first check is ours, not a caller's

    def run(self, facts: Sequence[Mapping[str, Any]]) -> list[Match]:
        """Check ``facts`` against the rules; return every firing, in a stable order.

        Facts are validated and normalised first (see :func:`normalise_facts`); duplicates count
        once; facts that no pattern's ``field: literal`` tests admit are not asserted (they could
        match nothing). Matches are sorted by rule name, then by the ids of the matched facts, which
        depend on the set of facts only — never on their order.
        """
        prepared = _prepare(facts, self._int_fields, self._sieve)
        with self._lock:
            if self._host is None:
                self._build()
            return self._run_locked(prepared)

    def _unwanted(self, fact: Mapping[str, Any]) -> bool:
        """Whether no pattern can match ``fact`` whatever normalisation makes of its numbers: a
        string or bool field that differs from every pattern's literal (a new county's topic
        mentions, say), decided before the fact is normalised."""
        tests = self._literal_tests
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

    def _may_match(self, body: str, fact: Mapping[str, Any]) -> bool:
        """Whether some pattern's literal tests may hold for ``fact`` (cached by its body)."""
        tests = self._literal_tests
        if tests is None:
            return True
        wanted = self._wanted.get(body)
        if wanted is None:
            wanted = any(all(_may_equal(fact.get(k, _ABSENT), v) for k, v in test) for test in tests)
            self._wanted.put(body, wanted)
        return wanted

    def _next_sid(self, n: int) -> str:
        while True:
            sid = str(next(self._sids))
            # durable stores the state itself as a fact with id "sid-<sid>".
            if not self._ids.clashes(f"sid-{sid}", n):
                return sid

    def _run_locked(self, prepared: list[tuple[str, dict[str, Any]]]) -> list[Match]:
        n = len(prepared)
        ids = self._ids.first(n)
        sid = self._next_sid(n)
        run = _Run(
            facts={fid: fact for fid, (_, fact) in zip(ids, prepared, strict=True)},
            positions={fid: index for index, fid in enumerate(ids)},
            hook=self._on_match,
        )
        self._active = run
        host, rules = self._host, self._rules
        state: Any = None
        failure: EngineError | None = None
        try:
            host.assert_fact(_RULESET, {"sid": sid, "id": _OPEN_ID, **_OPEN_FACT})
            if n:  # assert_facts([]) segfaults
                parts = []
                for fid, (body, _) in zip(ids, prepared, strict=True):
                    comma = "," if len(body) > 1 else ""
                    parts.append(f'{body}{comma}"fid":"{fid}","id":"{fid}","sid":"{sid}"}}')
                payload = "[" + ",".join(parts) + "]"
                host._handle_function(rules, lambda text: _assert_json(rules, text), payload, None)
            state = host.assert_fact(_RULESET, {"sid": sid, "id": _GATE_ID, **_GATE_FACT})
        except durable_rules_engine.error as exc:
            failure = _c_error(exc, "checking facts")
            failure.__cause__ = exc
        except (MessageNotHandledException, MessageObservedException) as exc:
            failure = EngineError(f"durable-rules refused a fact: {exc.message}")
            failure.__cause__ = exc
        finally:
            self._active = None
            if run.opened:
                try:
                    host.delete_state(_RULESET, sid)
                except durable_rules_engine.error as exc:  # pragma: no cover - defensive
                    self._host = None  # rebuild before the next check
                    if failure is None:
                        failure = _c_error(exc, "deleting the check's state")
            else:
                # No action ran on this state, so delete_state would segfault: leave it, and
                # start over with a fresh host next time.
                self._host = None
        if failure is not None:
            if failure.code is not None:
                self._host = None  # after a C error, do not trust this ruleset again
            raise failure
        if run.errors:
            rule, error = run.errors[0]
            raise EngineError(
                f"rule {rule!r}: action failed with {type(error).__name__}: {error}", rule=rule
            ) from error
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"durable-rules reported a failed action: {state['exception']}")
        if run.opened != 1 or run.gated != 1:
            self._host = None
            raise EngineError(
                f"the engine did not evaluate the check (opener fired {run.opened}x, "
                f"gate {run.gated}x); it will be rebuilt"
            )
        return self._matches(run)

    def _matches(self, run: _Run) -> list[Match]:
        keyed = []
        for rule, fids in run.fired:
            key = (rule, sorted((pattern, run.positions[fid]) for pattern, fid in fids.items()))
            keyed.append((key, rule, fids))
        keyed.sort(key=lambda item: item[0])
        return [
            Match(rule, {pattern: {**run.facts[fid], _FID: fid} for pattern, fid in sorted(fids.items())})
            for _, rule, fids in keyed
        ]

    def _on_action(self, name: str, matched: Any) -> None:
        """Record one firing; ``matched`` is durable's action message (pattern name → fact)."""
        run = self._active
        if run is None:  # pragma: no cover - actions only run inside _run_locked
            return
        if name == _OPEN_RULE:
            run.opened += 1
            return
        if name == _SENTINEL_RULE:
            run.gated += 1
            return
        try:
            if not isinstance(matched, dict):
                raise TypeError(f"unexpected action message {matched!r}")
            fids: dict[str, str] = {}
            for pattern, fact in matched.items():
                if pattern == _GATE:
                    continue
                fid = fact.get(_FID) if isinstance(fact, dict) else None
                if fid not in run.facts:
                    raise LookupError(f"pattern {pattern!r} matched an unknown fact {fact!r}")
                fids[pattern] = fid
            run.fired.append((name, fids))
            if run.hook is not None:
                run.hook(Match(name, {p: {**run.facts[f], _FID: f} for p, f in sorted(fids.items())}))
        except BaseException as exc:
            run.errors.append((name, exc))
            raise  # durable also records it in the state


def _lean_flush(rules: Any, engine: RuleEngine) -> Callable[[Any, dict[str, Any], Any, Any], None]:
    """durable's ``Ruleset._flush_actions`` without what these actions never use.

    durable wraps each action in a Closure (timestamps, a Content copy of the state), runs it
    through its Promise chain, writes the state back as JSON (``update_state``) and only then
    asks the C core for the next action, for every match. Our actions only
    record the match and never change the state, so the loop hands the message to the engine
    and asks for the next action directly — the same C calls in the same order, minus the
    state write. An action that fails is recorded by the engine (run.errors) and the loop goes
    on, as durable's does after it stores the exception in the state.
    """
    handle = rules._handle

    def flush(state: Any, result: dict[str, Any], state_offset: Any, complete: Any) -> None:
        while "message" in result:
            action_name, message = next(iter(result.pop("message").items()))
            with contextlib.suppress(Exception):  # recorded in run.errors, raised after the check
                engine._on_action(action_name, message)
            following = durable_rules_engine.complete_and_start_action(handle, state_offset)
            if following:
                result["message"] = json.loads(following)
            else:
                complete(None, state)

    return flush


def _assert_json(rules: Any, payload: str) -> Any:
    """``Ruleset.assert_facts`` with our own JSON (its json.dumps writes floats the C misreads)."""
    result = durable_rules_engine.assert_facts(rules._handle, payload)
    return rules._handle_result(result, payload)


def _c_error(exc: BaseException, doing: str) -> EngineError:
    text = str(exc)
    found = _C_CODE_RE.search(text)
    code = int(found.group(1)) if found else None
    meaning = _C_ERRORS.get(code, "unknown error") if code is not None else "unknown error"
    return EngineError(f"durable-rules failed while {doing}: {text} ({meaning})", code=code)
