"""The condition vocabulary of a rule file, validated and compiled to durable-rules JSON.

A rule's ``when`` is an ordered mapping of *patterns*; each pattern names one fact by the
conditions on its fields. ``unless`` holds patterns that must *not* match (durable-rules'
``<name>$not``); they may refer to ``when`` patterns but not to each other. Field conditions::

    type: target                 # required first: plan | target | target_topic | topic
    role: county                 # a literal: equality
    form: [growth, share]        # a list: one of
    indicator: $parent.indicator # $pattern.field: equality with an earlier pattern's field
    children_sum: {lt: $share.value}  # a pattern may name its own fact's fields (share here)
    value: {lt: $parent.value}   # operators: eq ne lt lte gt gte in not_in exists matches
    value: {gte: {sub: [$parent.value, 0.5]}}   # arithmetic: add sub mul div on two operands
    value_max: {exists: true}    # optional fields (value_max) get an $ex guard automatically

Why validate here, not in the engine: durable-rules accepts a misspelt field silently (the rule
just never fires) and a join on a field the other fact lacks fails at run time. Every field is
checked against the fact models in rulesengine/facts.py, every literal against the field's
allowed values, and indicator/concept/topic literals against the catalog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rulesengine.catalog import Catalog
from rulesengine.datafile import did_you_mean
from rulesengine.factmodels import FieldSpec
from rulesengine.rulebook.errors import RulebookError
from rulesengine.values import DECIMALS, Refused, rule_literal

__all__ = ["NAME_RE", "Pattern", "compile_patterns"]

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # short enough for engine rule names
_REF_RE = re.compile(r"^\$([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
_CMP = {"eq": None, "ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_ARITH = {"add": "$add", "sub": "$sub", "mul": "$mul", "div": "$div"}
_OPS = (*_CMP, "in", "not_in", "exists", "matches")
_WHY_NOT = {  # why the engine cannot hold a number (rulesengine.values), for a rule's author
    "not_finite": ("不是有限数", "it is not a finite number"),
    "out_of_range": ("超出整数范围", "it is out of the engine's integer range"),
    "exponent": (
        "只能写成科学计数法(引擎无法读取)",
        "it can only be written with an exponent, which the engine misreads",
    ),
}

Fail = Callable[[str, str, str], RulebookError]


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern: its name, fact type, whether negated, and the durable JSON."""

    name: str
    type: str
    negated: bool
    body: Mapping[str, Any]
    literals: Mapping[str, Any]  # field → literal it must equal (e.g. role: county)

    @property
    def key(self) -> str:
        return f"{self.name}$not" if self.negated else self.name


@dataclass(frozen=True)
class _Ref:
    pattern: str
    field: str


class _Compiler:
    def __init__(self, fail: Fail, specs: Mapping[str, Mapping[str, FieldSpec]], catalog: Catalog) -> None:
        self.fail = fail
        self.specs = specs
        self.catalog = catalog
        self.concepts = {i.concept or i.id for i in catalog} | set(catalog.indicators)
        self.types: dict[str, str] = {}  # positive pattern name → fact type
        self.guards: dict[str, set[str]] = {}  # pattern → optional fields needing $ex
        self.names: set[str] = set()
        self.current = ""  # the fact type of the pattern being compiled

    # -- operands ----------------------------------------------------------------------------
    def _ref(self, text: str, here: str, path: str) -> _Ref | None:
        m = _REF_RE.match(text) if isinstance(text, str) else None
        if not m:
            if isinstance(text, str) and text.startswith("$"):
                raise self.fail(
                    path,
                    f"引用 {text!r} 应写作 $模式名.字段名",
                    f"reference {text!r} must look like $pattern.field",
                )
            return None
        name, field = m.groups()
        own = name == here  # a field of the pattern's own fact: durable's {"$m": field}
        if not own and name not in self.types:
            raise self.fail(
                path,
                f"引用 {text!r} 指向未在前面 when 中定义的模式 {name}",
                f"reference {text!r} names no earlier `when` pattern {name!r}",
            )
        fact_type = self.current if own else self.types[name]
        spec = self.specs[fact_type].get(field)
        if spec is None:
            zh, en = did_you_mean(field, self.specs[fact_type])
            raise self.fail(
                path,
                f"引用 {text!r}:{fact_type} 事实没有字段 {field}{zh}",
                f"reference {text!r}: a {fact_type} fact has no field {field!r}{en}",
            )
        if spec.optional:
            self.guards.setdefault(name, set()).add(field)
        return _Ref("$m" if own else name, field)

    def _literal(self, spec: FieldSpec, value: Any, path: str) -> Any:
        if isinstance(value, bool) or spec.scalar is bool:
            if not (isinstance(value, bool) and spec.scalar is bool):
                raise self.fail(path, f"应为{spec.scalar.__name__}值", f"expected a {spec.scalar.__name__}")
            return value
        if spec.scalar in (int, float):
            if not isinstance(value, int | float):
                raise self.fail(path, f"{value!r} 不是数字", f"{value!r} is not a number")
            # Refused here, naming the field, rather than when the engine is built: what the engine
            # can hold is decided in one place, and so is what it would make of the number.
            try:
                held = rule_literal(value, spec.scalar is int)
            except Refused as exc:
                zh, en = _WHY_NOT[exc.reason]
                raise self.fail(
                    path, f"数值 {value!r} 无法交给规则引擎:{zh}", f"number {value!r}: {en}"
                ) from None
            if spec.scalar is int and type(held) is not int:
                raise self.fail(path, f"{value!r} 不是整数", f"{value!r} is not an integer")
            if held != value:
                raise self.fail(
                    path,
                    f"数值 {value!r} 超过 {DECIMALS} 位小数:引擎会把它当作 {held!r}",
                    f"number {value!r} has more than {DECIMALS} decimals: "
                    f"the engine would compare with {held!r}",
                )
            return spec.scalar(value)
        if not isinstance(value, str):
            raise self.fail(path, f"{value!r} 应为文字", f"{value!r} must be text")
        if spec.values is not None and value not in spec.values:
            allowed = ", ".join(sorted(spec.values))
            zh, en = did_you_mean(value, spec.values)
            raise self.fail(
                path, f"未知取值 {value!r}{zh}(可选:{allowed})", f"unknown value {value!r}{en} ({allowed})"
            )
        self._domain(spec, value, path)
        return value

    def _domain(self, spec: FieldSpec, value: str, path: str) -> None:
        known = {
            "indicator": lambda v: v in self.catalog or v.startswith("other:"),
            "concept": lambda v: v in self.concepts or v.startswith("other:"),
            "topic": lambda v: v in self.catalog.topics,
        }
        check = known.get(spec.domain or "")
        if check and not check(value):
            names = {
                "indicator": self.catalog.indicators,
                "concept": self.concepts,
                "topic": self.catalog.topics,
            }
            zh, en = did_you_mean(value, names.get(spec.domain or "", ()))
            raise self.fail(
                path,
                f"指标目录中没有{spec.domain} {value!r}{zh}",
                f"unknown {spec.domain} {value!r}: not in the indicator catalog{en}",
            )

    def _operand(self, spec: FieldSpec, raw: Any, here: str, path: str, numeric: bool) -> Any:
        """A literal, a $ref or an arithmetic expression, as durable JSON."""
        if isinstance(raw, Mapping):
            if len(raw) != 1 or next(iter(raw)) not in _ARITH:
                raise self.fail(
                    path,
                    f"算式只能是 {', '.join(_ARITH)} 之一,且含两个操作数",
                    f"an expression is one of {', '.join(_ARITH)} with two operands",
                )
            ((op, args),) = raw.items()
            if spec.scalar not in (int, float) or not isinstance(args, list) or len(args) != 2:
                raise self.fail(
                    f"{path}.{op}",
                    "算式用于数值字段,且需两个操作数",
                    "arithmetic needs a numeric field and exactly two operands",
                )
            left, right = (self._operand(spec, a, here, f"{path}.{op}", True) for a in args)
            return {_ARITH[op]: {"$l": left, "$r": right}}
        ref = self._ref(raw, here, path)
        if ref is not None:
            other = self.specs[self.current if ref.pattern == "$m" else self.types[ref.pattern]][ref.field]
            same = other.scalar is spec.scalar
            both_numeric = {other.scalar, spec.scalar} <= {int, float}
            if not (same or (numeric and both_numeric)):
                raise self.fail(
                    path,
                    f"字段类型不一致:{spec.name} 与 {ref.pattern}.{ref.field}",
                    f"type mismatch: {spec.name} vs {ref.pattern}.{ref.field}",
                )
            return {ref.pattern: ref.field}
        return self._literal(spec, raw, path)

    # -- one field ---------------------------------------------------------------------------
    def _field(self, spec: FieldSpec, raw: Any, here: str, path: str) -> list[dict[str, Any]]:
        name = spec.name
        if isinstance(raw, list):
            raw = {"in": raw}
        if not isinstance(raw, Mapping) or (set(raw) & set(_ARITH)):
            return [{name: self._operand(spec, raw, here, path, False)}]
        out: list[dict[str, Any]] = []
        for op, arg in raw.items():
            at = f"{path}.{op}"
            if op not in _OPS:
                raise self.fail(at, f"未知运算 {op}(可用:{', '.join(_OPS)})", f"unknown operator {op!r}")
            if op in _CMP:
                ordered = op not in ("eq", "ne")
                if ordered and spec.scalar not in (int, float):
                    raise self.fail(at, "大小比较只用于数值字段", "ordering needs a numeric field")
                operand = self._operand(spec, arg, here, at, ordered)
                durable_op = _CMP[op]
                out.append({name: operand} if durable_op is None else {durable_op: {name: operand}})
            elif op in ("in", "not_in"):
                if not isinstance(arg, list) or not arg:
                    raise self.fail(at, "应为非空列表", "must be a non-empty list")
                values = [self._literal(spec, v, f"{at}[{i}]") for i, v in enumerate(arg)]
                if op == "not_in":
                    out.extend({"$neq": {name: v}} for v in values)
                elif len(values) == 1:
                    out.append({name: values[0]})
                else:
                    out.append({"$or": [{name: v} for v in values]})
            elif op == "exists":
                if not isinstance(arg, bool):
                    raise self.fail(at, "应为 true 或 false", "must be true or false")
                out.append({"$ex" if arg else "$nex": {name: 1}})
            else:  # matches
                if spec.scalar is not str or not isinstance(arg, str):
                    raise self.fail(at, "正则只用于文字字段", "a regex needs a text field")
                try:
                    re.compile(arg)
                except re.error as exc:
                    raise self.fail(at, f"正则有误:{exc}", f"bad regex: {exc}") from None
                out.append({"$mt": {name: arg}})
        uses_value = any(op != "exists" for op in raw)
        if spec.optional and uses_value:
            self.guards.setdefault(here, set()).add(name)
        return out

    # -- one pattern -------------------------------------------------------------------------
    def pattern(self, name: Any, body: Any, path: str, negated: bool) -> tuple[str, str, list, dict]:
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise self.fail(
                path,
                f"模式名 {name!r} 应为小写字母、数字、下划线",
                f"pattern name {name!r} must be lowercase letters, digits, underscores",
            )
        if name in self.names:
            raise self.fail(path, f"模式名 {name} 重复", f"pattern name {name!r} is used twice")
        self.names.add(name)
        if not isinstance(body, Mapping) or not isinstance(body.get("type"), str):
            raise self.fail(
                f"{path}.type",
                f"需要 type(可选:{', '.join(self.specs)})",
                f"`type` is required ({', '.join(self.specs)})",
            )
        fact_type = body["type"]
        if fact_type not in self.specs:
            raise self.fail(
                f"{path}.type",
                f"未知事实类型 {fact_type!r}(可选:{', '.join(self.specs)})",
                f"unknown fact type {fact_type!r} ({', '.join(self.specs)})",
            )
        fields = self.specs[fact_type]
        self.current = fact_type
        conds: list[dict[str, Any]] = [{"type": fact_type}]
        literals: dict[str, Any] = {}
        for field, raw in body.items():
            if field == "type":
                continue
            spec = fields.get(str(field))
            if spec is None:
                zh, en = did_you_mean(field, fields)
                raise self.fail(
                    f"{path}.{field}",
                    f"{fact_type} 事实没有字段 {field}{zh}(可用:{', '.join(fields)})",
                    f"unknown field {field!r} for a {fact_type} fact{en}",
                )
            compiled = self._field(spec, raw, name, f"{path}.{field}")
            conds.extend(compiled)
            if not isinstance(raw, list | Mapping) and not (isinstance(raw, str) and raw.startswith("$")):
                literals[str(field)] = compiled[0][str(field)]
        if not negated:
            self.types[name] = fact_type
        return name, fact_type, conds, literals


def compile_patterns(
    when: Any,
    unless: Any,
    *,
    path: str,
    fail: Fail,
    specs: Mapping[str, Mapping[str, FieldSpec]],
    catalog: Catalog,
) -> tuple[Pattern, ...]:
    """Validate ``when``/``unless`` and compile them, in order, to durable-rules patterns."""
    if not isinstance(when, Mapping) or not when:
        raise fail(f"{path}when", "when 应为非空的 模式名: 条件 映射", "`when` must map pattern names")
    if unless is not None and not isinstance(unless, Mapping):
        raise fail(f"{path}unless", "unless 应为 模式名: 条件 映射", "`unless` must map names")
    comp = _Compiler(fail, specs, catalog)
    raw: list[tuple[str, str, list, dict, bool]] = []
    for name, body in when.items():
        raw.append((*comp.pattern(name, body, f"{path}when.{name}", False), False))
    for name, body in (unless or {}).items():
        raw.append((*comp.pattern(name, body, f"{path}unless.{name}", True), True))
    out: list[Pattern] = []
    for name, fact_type, conds, literals, negated in raw:
        guards = [{"$ex": {f: 1}} for f in sorted(comp.guards.get(name, ()))]
        body = {"$and": [conds[0], *guards, *conds[1:]]}
        out.append(Pattern(name, fact_type, negated, body, literals))
    return tuple(out)
