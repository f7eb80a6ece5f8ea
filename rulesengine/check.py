"""The alignment check: a county plan and its parent plans → findings. Pure: no HTTP, no DB.

``check_plan`` turns both sides into validated facts (rulesengine.facts), runs the compiled rule
pack through the engine (rulesengine.engine — the only module that imports durable-rules), and
turns matches into findings (rulesengine.findings). No rule logic lives here: what fires, and
why, is in rules/pack/*.yaml.

Fingerprints (see rulesengine.findings for the full recipe): a finding's fingerprint hashes the
rule id, the indicator, the region codes and plan periods involved, and per matched target its
indicator, kind and period — plus the *parent's* value, but never the county's value, never
plan ids (they change per upload) and never spans (they move when text is added). So a
re-check of a revised county plan reproduces the fingerprint of a finding that still holds,
even if the county rewords the sentence or changes its own number; a changed parent target is a
new finding. Rules may narrow the hashed fields with a ``fingerprint:`` list.

Engines: by default a check runs in-process on one :class:`~rulesengine.engine.RuleEngine` per
rule pack version, made on first use and kept for the process (durable-rules leaks threads if
hosts are made per check). Servers pass ``engine=EnginePool(...)`` so a crash in the C core
costs a worker process, not the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from threading import Lock
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from rulesengine.facts import PlanFacts, Role, build_facts, field_specs
from rulesengine.findings import RawMatch, build_findings
from rulesengine.model import Finding, Plan, Region, Severity
from rulesengine.rulebook import Rulebook, default_rulebook

__all__ = [
    "INT_FIELDS",
    "CheckError",
    "CheckResult",
    "MatchEngine",
    "ParentError",
    "PlanFacts",
    "Role",
    "check_plan",
    "engine_for",
    "find_parents",
    "validate_parents",
]

INT_FIELDS: tuple[str, ...] = tuple(
    sorted({name for fields in field_specs().values() for name, s in fields.items() if s.scalar is int})
)
"""Fact fields that are whole numbers (years): the engine must keep them ``int`` to join."""


class CheckError(RuntimeError):
    """A check that could not run: the engine and the rule pack disagree, or the input is bad."""


class ParentError(CheckError):
    """Parents that cannot be checked against: the plan itself, or one parent given twice."""


def validate_parents(county: PlanFacts, parents: Sequence[PlanFacts]) -> None:
    """One clear sentence, before any fact is built: rules join facts of one plan by its id, so a
    plan that is its own parent, or a parent given twice (same id), would pair a plan with itself.
    Equal texts under different ids are allowed: specs check a county against a twin parent."""
    if not parents:
        return
    for p in parents:
        if p.plan.id == county.plan.id:
            raise ParentError(
                f"规划不能作为自己的上级:{p.plan.id} / a plan cannot be its own parent: {p.plan.id}"
            )
    seen: set[str] = set()
    for p in parents:
        if p.plan.id in seen:
            raise ParentError(
                f"同一上级规划给了两次:{p.plan.id} / the same parent plan is given twice: {p.plan.id}"
            )
        seen.add(p.plan.id)


class _MatchLike(Protocol):
    @property
    def rule(self) -> str: ...

    @property
    def facts(self) -> Mapping[str, Mapping[str, Any]]: ...


class MatchEngine(Protocol):
    """What a check needs of an engine: ``RuleEngine`` and ``EnginePool`` both fit."""

    def run(self, facts: Sequence[Mapping[str, Any]]) -> Sequence[_MatchLike]: ...


class CheckResult(BaseModel):
    """Everything a report or an audit needs about one check, findings in stable order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_id: str
    parent_ids: tuple[str, ...]
    rule_pack_version: str
    catalog_version: str
    findings: tuple[Finding, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.error for f in self.findings)

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule_id == rule_id)


_engines: dict[str, MatchEngine] = {}
_engines_lock = Lock()


def engine_for(rulebook: Rulebook) -> MatchEngine:
    """The process's in-process engine for this rule pack version (made once, then reused)."""
    from rulesengine.engine import RuleEngine  # imported late: durable-rules loads C code

    with _engines_lock:
        if rulebook.version not in _engines:
            _engines[rulebook.version] = RuleEngine(rulebook.engine_rules(), int_fields=INT_FIELDS)
        return _engines[rulebook.version]


P = TypeVar("P", Plan, PlanFacts)


def _plan_of(item: Plan | PlanFacts) -> Plan:
    return item.plan if isinstance(item, PlanFacts) else item


def find_parents(
    plan: Plan | PlanFacts,
    candidates: Sequence[P],
    ancestors: Sequence[Region | str] | None = None,
) -> list[P]:
    """The candidates that are parents of ``plan``: issued for a region above it, for the same
    period or a span covering it (浙江 2021-2025 covers 慈溪 2023). Nearest region first, then
    the shorter period, then plan id — so the order of a report does not depend on the input.

    ``ancestors`` defaults to the GB/T 2260 chain of the plan's region (慈溪 → 宁波, 浙江).
    """
    me = _plan_of(plan)
    if ancestors is None:
        from rulesengine.regions import default_index

        ancestors = default_index().ancestors(me.region)
    rank = {(a.code if isinstance(a, Region) else str(a)): i for i, a in enumerate(ancestors)}
    found = [
        c
        for c in candidates
        if _plan_of(c).region.code in rank
        and _plan_of(c).period.covers(me.period)
        and _plan_of(c).id != me.id
    ]

    def order(c: P) -> tuple[int, int, str]:
        p = _plan_of(c)
        return rank[p.region.code], p.period.end - p.period.start, p.id

    return sorted(found, key=order)


def check_plan(
    county: PlanFacts,
    parents: Sequence[PlanFacts],
    *,
    rulebook: Rulebook | None = None,
    engine: MatchEngine | None = None,
) -> CheckResult:
    """Check a county plan against its parents with the rule pack; findings in stable order.

    ``engine`` must have been built from ``rulebook.engine_rules()`` (with ``INT_FIELDS``);
    by default the process's shared in-process engine for the rule pack is used.
    """
    validate_parents(county, parents)
    rulebook = rulebook or default_rulebook()
    engine = engine or engine_for(rulebook)
    factset = build_facts(county, parents, catalog=rulebook.catalog, headline_cues=rulebook.headline_cues)
    matches: list[RawMatch] = []
    for m in engine.run(list(factset.facts)):
        try:
            rule, case = rulebook.case(m.rule)
        except KeyError:
            raise CheckError(
                f"引擎规则 {m.rule} 不在规则包 {rulebook.version} 中 / engine rule {m.rule} is "
                "not in this rule pack: build the engine from rulebook.engine_rules()"
            ) from None
        matches.append(RawMatch(rule, case, m.facts))
    return CheckResult(
        plan_id=county.plan.id,
        parent_ids=tuple(p.plan.id for p in parents),
        rule_pack_version=rulebook.version,
        catalog_version=rulebook.catalog.version,
        findings=build_findings(matches, rulebook, factset),
    )
