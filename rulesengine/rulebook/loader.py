"""Loads pack/*.yaml of the rules data (one rule per file) into a validated, compiled :class:`Rulebook`.

Rules are data an analyst edits; this loader is the only gate between a YAML file and the
engine, so it refuses anything it cannot vouch for: unknown keys, unknown fields, values or
indicator ids, duplicate rule ids, a file not named after its rule, a bad severity or category,
a message template naming a field the rule does not match, and a rule that no spec scenario
mentions. Each refusal is a :class:`RulebookError` naming file, rule and field.

The pack's own settings live in ``rules/pack/_pack.yaml`` (files starting with ``_`` are not
rules): its version, and the cue phrases that mark a parent's headline sentence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.datafile import YamlFile, did_you_mean, read_yaml
from rulesengine.factmodels import ACROSS_FACT_TYPES, field_specs
from rulesengine.model import Category, Severity
from rulesengine.rulebook.conditions import NAME_RE, Pattern, compile_patterns
from rulesengine.rulebook.errors import RulebookError
from rulesengine.rulebook.specindex import ScenarioRef, SpecIndex, index_specs
from rulesengine.rulebook.templates import DISPLAY_FIELDS, TOP_FIELDS, template_fields
from rulesengine.ruledata import rules_data

__all__ = ["Case", "Rule", "Rulebook", "default_rulebook", "load_rulebook"]

PACK_FILE = "_pack.yaml"

_RULE_KEYS = {
    "id", "version", "title", "severity", "category", "reference", "description",
    "subject", "message", "fingerprint", "specs", "when", "unless", "cases", "scope",
}  # fmt: skip
_REQUIRED = ("id", "version", "title", "severity", "category", "reference", "message", "specs")
_CASE_KEYS = {"name", "description", "when", "unless", "message", "severity", "subject", "fingerprint"}
_PACK_KEYS = {"name", "version", "description", "headline_cues", "per_region_cues"}
_MAX_ENGINE_NAME = 64  # durable-rules rule names: a letter, then up to 63 letters, digits or _
SCOPES = ("plan", "across")
"""What a rule is run over: ``plan``, one plan against its parents (rulesengine.check, the
default); ``across``, the facts a batch computes over all its plans (rulesengine.across)."""


@dataclass(frozen=True)
class Case:
    """One way a rule can fire: its patterns, and the severity and wording it fires with."""

    name: str
    engine_name: str
    severity: Severity
    message: str
    subject: str
    fingerprint: tuple[tuple[str, str], ...] | None
    patterns: tuple[Pattern, ...]
    description: str = ""

    @property
    def positives(self) -> tuple[Pattern, ...]:
        return tuple(p for p in self.patterns if not p.negated)

    def engine_body(self) -> dict[str, Any]:
        """The durable-rules rule body; the engine adds its gate pattern in front."""
        return {"all": [{p.key: p.body} for p in self.patterns]}


@dataclass(frozen=True)
class Rule:
    """A rule file: what it checks, why (reference), and the cases that make it fire."""

    id: str
    version: int
    title: str
    severity: Severity
    category: Category
    reference: str
    description: str
    specs: tuple[str, ...]
    cases: tuple[Case, ...]
    file: str
    scenarios: tuple[ScenarioRef, ...] = ()
    scope: str = "plan"  # SCOPES


@dataclass(frozen=True)
class Rulebook:
    """The validated pack: rules in id order, the compiled engine rules, and a version."""

    rules: tuple[Rule, ...]
    version: str
    pack_version: int
    headline_cues: tuple[str, ...]
    catalog: Catalog
    source: str
    specs_source: str = ""  # the specs folder the pack was checked against ("" if it was not)
    per_region_cues: tuple[str, ...] = ()  # a parent number asked of each region below (每个县)
    _cases: dict[str, tuple[Rule, Case]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for rule in self.rules:
            for case in rule.cases:
                self._cases[case.engine_name] = (rule, case)

    def engine_rules(self) -> dict[str, dict[str, Any]]:
        """Engine rule name → durable-rules JSON body, as ``RuleEngine`` takes them."""
        return {name: case.engine_body() for name, (_, case) in self._cases.items()}

    def has_scope(self, scope: str) -> bool:
        return any(r.scope == scope for r in self.rules)

    def case(self, engine_name: str) -> tuple[Rule, Case]:
        return self._cases[engine_name]

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)


class _RuleReader:
    """Validates one parsed rule file; every failure names this file, the line, the rule and the field."""

    def __init__(self, doc: YamlFile[RulebookError], catalog: Catalog, specs: SpecIndex | None) -> None:
        self.doc = doc
        self.file = doc.path
        self.data = doc.data
        self.catalog = catalog
        self.specs = specs
        self.rule_id = doc.data.get("id") if isinstance(doc.data, dict) else None

    def fail(self, field_path: str | None, zh: str, en: str) -> RulebookError:
        rid = str(self.rule_id) if self.rule_id is not None else None
        return self.doc.error(field_path, zh, en, rule_id=rid)

    def _text(self, key: str, data: Mapping[str, Any], path: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "应为非空文字", "must be non-empty text")
        return value.strip()

    def _enum(self, enum: type[Severity] | type[Category], value: Any, path: str) -> Any:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            zh, en = did_you_mean(value, (m.value for m in enum))
            raise self.fail(
                path, f"未知取值 {value!r}{zh}(可选:{allowed})", f"unknown value {value!r}{en} ({allowed})"
            ) from None

    def read(self) -> Rule:
        data = self.data
        if not isinstance(data, dict):
            raise self.fail(None, "顶层应为映射", "top level must be a mapping")
        unknown = sorted(set(data) - _RULE_KEYS, key=str)
        if unknown:
            zh, en = did_you_mean(unknown[0], _RULE_KEYS)
            raise self.fail(str(unknown[0]), f"未知字段 {unknown[0]}{zh}", f"unknown key {unknown[0]!r}{en}")
        for key in _REQUIRED:
            if key not in data:
                raise self.fail(key, f"缺少必填字段 {key}", f"required key {key!r} is missing")
        rid = data["id"]
        if not isinstance(rid, str) or not NAME_RE.match(rid):
            raise self.fail("id", "规则编号应为小写字母、数字、下划线", "id must be snake_case")
        if rid != self.file.stem:
            raise self.fail(
                "id", f"文件名应为 {rid}.yaml", f"the file must be named after the rule: {rid}.yaml"
            )
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", "版本号应为正整数", "version must be a positive integer")
        severity = self._enum(Severity, data["severity"], "severity")
        scope = data.get("scope", "plan")
        if scope not in SCOPES:
            zh, en = did_you_mean(scope, SCOPES)
            raise self.fail(
                "scope",
                f"未知取值 {scope!r}{zh}(可选:{', '.join(SCOPES)})",
                f"unknown value {scope!r}{en} ({', '.join(SCOPES)})",
            )
        has_cases = "cases" in data
        if has_cases == ("when" in data):
            raise self.fail("when", "应给出 when 或 cases(二选一)", "give either `when` or `cases`, not both")
        raw_cases = data["cases"] if has_cases else [{"name": "main", **data}]
        if not isinstance(raw_cases, list) or not raw_cases:
            raise self.fail("cases", "cases 应为非空列表", "`cases` must be a non-empty list")
        cases = tuple(
            self._case(c, f"cases[{i}]." if has_cases else "", severity, data)
            for i, c in enumerate(raw_cases)
        )
        for i, case in enumerate(cases):
            self._scope_types(case, scope, f"cases[{i}]." if has_cases else "")
        names = [c.name for c in cases]
        if len(set(names)) != len(names):
            raise self.fail("cases", "情形名重复", "two cases share a name")
        specs = self._specs(data["specs"], rid)
        return Rule(
            id=rid,
            version=version,
            title=self._text("title", data, "title"),
            severity=severity,
            category=self._enum(Category, data["category"], "category"),
            reference=self._text("reference", data, "reference"),
            description=self._text("description", data, "description", required=False),
            specs=specs,
            cases=cases,
            file=str(self.file),
            scenarios=self.specs.scenarios_for(rid) if self.specs else (),
            scope=scope,
        )

    def _scope_types(self, case: Case, scope: str, path: str) -> None:
        """A plan rule never names a batch's facts, nor an across rule a plan's: each kind of
        check holds only its own facts, so such a rule could never fire."""
        for p in case.patterns:
            across = p.type in ACROSS_FACT_TYPES
            if across != (scope == "across"):
                kinds = ", ".join(sorted(ACROSS_FACT_TYPES))
                where = f"{path}{'unless' if p.negated else 'when'}.{p.name}.type"
                if across:
                    raise self.fail(
                        where,
                        f"{p.type} 事实只用于跨县规则:请写 scope: across",
                        f"a {p.type} fact exists only in cross-county checks: add `scope: across`",
                    )
                raise self.fail(
                    where,
                    f"scope: across 的规则只能用跨县事实({kinds}),不能用 {p.type}",
                    f"a `scope: across` rule may only use the batch's facts ({kinds}), not {p.type}",
                )

    def _case(self, raw: Any, path: str, severity: Severity, rule: Mapping[str, Any]) -> Case:
        if not isinstance(raw, dict):
            raise self.fail(path.rstrip(".") or None, "情形应为映射", "a case must be a mapping")
        if path:
            unknown = sorted(set(raw) - _CASE_KEYS, key=str)
            if unknown:
                zh, en = did_you_mean(unknown[0], _CASE_KEYS)
                raise self.fail(
                    f"{path}{unknown[0]}", f"未知字段 {unknown[0]}{zh}", f"unknown key {unknown[0]!r}{en}"
                )
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise self.fail(f"{path}name", "情形名应为小写字母、数字、下划线", "name: snake_case")
        if len(f"{self.rule_id}__{name}") > _MAX_ENGINE_NAME:
            raise self.fail(
                f"{path}name",
                f"规则编号与情形名合计过长(至多 {_MAX_ENGINE_NAME - 2} 个字符)",
                f"rule id plus case name is too long (at most {_MAX_ENGINE_NAME - 2} characters)",
            )
        patterns = compile_patterns(
            raw.get("when"),
            raw.get("unless"),
            path=path,
            fail=self.fail,
            specs=field_specs(),
            catalog=self.catalog,
        )
        case_sev = self._enum(Severity, raw["severity"], f"{path}severity") if "severity" in raw else severity
        message = raw.get("message", rule.get("message"))
        subject = raw.get("subject", rule.get("subject"))
        fingerprint = raw.get("fingerprint", rule.get("fingerprint"))
        positives = {p.name: p for p in patterns if not p.negated}
        fspecs = field_specs()
        if subject is None:
            subject = next((p.name for p in positives.values() if "indicator" in fspecs[p.type]), None)
        subject_pattern = positives.get(subject) if isinstance(subject, str) else None
        if subject_pattern is None or "indicator" not in fspecs[subject_pattern.type]:
            raise self.fail(
                f"{path}subject",
                "subject 应为 when 中带 indicator 字段的模式(发现的指标取自它)",
                "`subject` must name a `when` pattern with an indicator (the finding's indicator)",
            )
        msg_path = f"{path}message" if "message" in raw else "message"
        self._template(message, msg_path, positives, fspecs)
        return Case(
            name=name,
            engine_name=f"{self.rule_id}__{name}",
            severity=case_sev,
            message=str(message).strip(),
            subject=str(subject),
            fingerprint=self._fingerprint(fingerprint, path, positives, fspecs),
            patterns=patterns,
            description=self._text("description", raw, f"{path}description", required=False),
        )

    def _template(
        self, message: Any, path: str, positives: Mapping[str, Pattern], fspecs: Mapping[str, Any]
    ) -> None:
        if not isinstance(message, str) or not message.strip():
            raise self.fail(path, "消息模板应为非空文字", "the message template must be text")
        try:
            names = template_fields(message)
        except ValueError as exc:
            raise self.fail(path, f"模板有误:{exc}", f"bad template: {exc}") from None
        for name in names:
            pat, _, fld = name.partition(".")
            ok = (
                name in TOP_FIELDS
                if not fld
                else (pat in positives and (fld in fspecs[positives[pat].type] or fld in DISPLAY_FIELDS))
            )
            if not ok:
                raise self.fail(
                    path,
                    f"模板字段 {{{name}}} 不存在(用 {{模式名.字段}} 或 {{indicator_name}})",
                    f"template field {{{name}}} does not exist ({{pattern.field}} or {{indicator_name}})",
                )

    def _fingerprint(
        self, raw: Any, path: str, positives: Mapping[str, Pattern], fspecs: Mapping[str, Any]
    ) -> tuple[tuple[str, str], ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, list) or not raw:
            raise self.fail(f"{path}fingerprint", "应为 模式.字段 列表", "must list pattern.field")
        out: list[tuple[str, str]] = []
        for item in raw:
            pat, _, fld = str(item).partition(".")
            if pat not in positives or fld not in fspecs[positives[pat].type]:
                raise self.fail(
                    f"{path}fingerprint",
                    f"{item!r} 不是 when 中模式的字段",
                    f"{item!r} is not a field of a `when` pattern",
                )
            out.append((pat, fld))
        return tuple(out)

    def _specs(self, raw: Any, rid: str) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
            raise self.fail("specs", "应列出覆盖本规则的 .feature 文件", "list the .feature files")
        if self.specs is None:
            return tuple(raw)
        for name in raw:
            if name not in self.specs.features:
                raise self.fail(
                    "specs",
                    f"规格文件 {name} 不存在于 {self.specs.root}",
                    f"spec file {name} not found under {self.specs.root}",
                )
        if not any(self.specs.scenarios_for(rid, name) for name in raw):
            raise self.fail(
                "specs",
                f"没有任何场景提到规则 {rid}:请在 {raw[0]} 中写出触发与不触发的场景",
                f"no scenario mentions rule {rid}: add firing and silent scenarios to {raw[0]}",
            )
        return tuple(raw)


def _pack_settings(pack_dir: Path) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    path = pack_dir / PACK_FILE
    if not path.is_file():
        raise RulebookError(path, None, None, "缺少规则包设置文件", "the pack settings file is missing")
    doc = read_yaml(path, RulebookError)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error(None, "顶层应为映射", "top level must be a mapping")
    unknown = sorted(set(data) - _PACK_KEYS, key=str)
    if unknown:
        zh, en = did_you_mean(unknown[0], _PACK_KEYS)
        raise doc.error([str(unknown[0])], f"未知字段{zh}", f"unknown key{en}")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise doc.error(["version"], "版本号应为正整数", "version must be a positive integer")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("headline_cues", "per_region_cues"):
        cues = data.get(key) or []
        if not isinstance(cues, list) or not all(isinstance(c, str) and c for c in cues):
            raise doc.error([key], "应为文字列表", "must be a list of text")
        lists[key] = tuple(cues)
    return version, lists["headline_cues"], lists["per_region_cues"]


class _Default(Enum):
    specs = "the specs folder of the rules data"


def load_rulebook(
    pack_dir: Path | str | None = None,
    *,
    specs_dir: Path | str | _Default | None = _Default.specs,
    catalog: Catalog | None = None,
) -> Rulebook:
    """Load, validate and compile a rule pack (default: the rules data's pack/, see
    rulesengine.ruledata), checked against the specs in ``specs_dir`` (default: the rules data's
    specs/). ``specs_dir=None`` skips the spec coverage check (only for tools that inspect a pack
    without its specs; checks always run with it)."""
    if pack_dir is None or isinstance(specs_dir, _Default):
        data = rules_data()
        pack_dir = data.pack if pack_dir is None else pack_dir
        specs_dir = data.specs if isinstance(specs_dir, _Default) else specs_dir
    pack_dir = Path(pack_dir)
    catalog = catalog or default_catalog()
    pack_version, cues, per_region = _pack_settings(pack_dir)
    specs = index_specs(Path(specs_dir)) if specs_dir is not None else None
    files = sorted(p for p in pack_dir.rglob("*.yaml") if not p.name.startswith("_"))
    if not files:
        raise RulebookError(pack_dir, None, None, "规则包中没有规则文件", "the pack has no rule files")
    digest = hashlib.sha256()
    rules: dict[str, Rule] = {}
    for path in [pack_dir / PACK_FILE, *files]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in files:
        doc = read_yaml(path, RulebookError)
        rule = _RuleReader(doc, catalog, specs).read()
        if rule.id in rules:
            raise doc.error(
                "id", f"规则编号与 {rules[rule.id].file} 重复", "duplicate rule id", rule_id=rule.id
            )
        rules[rule.id] = rule
    return Rulebook(
        rules=tuple(rules[k] for k in sorted(rules)),
        version=f"{pack_version}+{digest.hexdigest()[:12]}",
        pack_version=pack_version,
        headline_cues=cues,
        catalog=catalog,
        source=str(pack_dir),
        specs_source=str(specs.root) if specs is not None else "",
        per_region_cues=per_region,
    )


@cache
def default_rulebook() -> Rulebook:
    """The pack of the rules data in use, checked against its specs, loaded once per process."""
    return load_rulebook()
