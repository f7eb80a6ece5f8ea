"""The alignment check: a county plan and its parent plans → findings. Pure: no HTTP, no DB.

``check_plan`` turns both sides into validated facts (rulesengine.facts), runs the compiled rule
pack through the engine (rulesengine.engine — whose host is the only module that imports
durable-rules), and turns matches into findings (rulesengine.findings). No rule logic lives
here: what fires, and why, is in rules/pack/*.yaml.

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

Sides, made once: a parent plan takes part in every check of a batch (3,000 of them) and in
every check of its counties in the service, and building its ~290 facts, validating and
sieving them costs more than the rules themselves. So each engine keeps, per plan and side
(``p0`` the county, ``p1``… the parents in order), the plan's facts, their sources and the
engine's prepared handle of them (``engine.prepare``); a check hands the engine its sides'
handles. Sides are keyed by the plan's value (a parent read again from the database is the same
side) and held in a bounded cache that keeps what every check uses (rulesengine.hotcache), so
parents stay while counties pass through; they go with their engine.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from rulesengine.catalog import Catalog
from rulesengine.facts import FactSet, PlanFacts, Role, asked_indicators, field_specs, plan_facts, scope_facts
from rulesengine.findings import RawMatch, build_findings
from rulesengine.hotcache import HotCache
from rulesengine.model import Finding, Plan, Region, Severity
from rulesengine.rulebook import Rulebook, default_rulebook
from rulesengine.scope import PlanScope, read_scope

__all__ = [
    "INT_FIELDS",
    "OVERRIDES",
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
    """Parents that cannot be checked against: the plan itself, one parent given twice, a plan
    for a region not above the county's, or for a period that does not cover the county's."""


OVERRIDES = ("region", "period")
"""What ``allow=`` may waive for a deliberate check, recorded on the result: ``region`` (a plan
of a region not above the county's, e.g. a neighbour as benchmark) and ``period``."""


def _region_error(county: Plan, parent: Plan) -> str | None:
    """Why ``parent`` is not for a region above ``county``'s, or None. A plan declared below
    its region's own level (a county plan filed under its province because the county is not
    named) may have that region's plans, and those of the regions inside it, as parents."""
    from rulesengine.regions import default_index

    index = default_index()
    above = {r.code for r in index.ancestors(county.region)}
    if parent.region.code in above:
        return None
    levels = ("national", "province", "city", "county")
    stand_in = levels.index(county.level) > levels.index(county.region.level)
    if stand_in and levels.index(parent.level) < levels.index(county.level):
        # a county plan filed under its province (the county unnamed): the province's plans and
        # those of any region inside it above the county's level may be its parents
        inside = parent.region.code == county.region.code or county.region.code in {
            r.code for r in index.ancestors(parent.region)
        }
        if inside:
            return None
    return (
        f"上级规划《{parent.title or parent.id}》的行政区{parent.region.name}不在{county.region.name}之上"
        f" / parent plan {parent.id} is for {parent.region.name}, which is not above {county.region.name}"
    )


def _period_error(county: Plan, parent: Plan) -> str | None:
    if parent.period.covers(county.period):
        return None
    return (
        f"上级规划《{parent.title or parent.id}》的规划期{parent.period}"
        f"不覆盖{county.region.name}的{county.period}"
        f" / parent plan {parent.id} is for {parent.period}, which does not cover {county.period}"
    )


def validate_parents(county: PlanFacts, parents: Sequence[PlanFacts], allow: Sequence[str] = ()) -> None:
    """One clear sentence, before any fact is built: rules join facts of one plan by its id, so a
    plan that is its own parent, or a parent given twice (same id), would pair a plan with itself;
    a parent must be for a region above the county's (全国 above every province) and for a
    period covering the county's, unless ``allow`` waives that deliberately.
    Equal texts under different ids are allowed: specs check a county against a twin parent."""
    if not parents:
        return
    for p in parents:
        for rule, why in (("region", _region_error), ("period", _period_error)):
            message = None if rule in allow else why(county.plan, p.plan)
            if message is not None and p.plan.id != county.plan.id:
                raise ParentError(message)
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
    """What a check needs of an engine: ``RuleEngine``, ``EnginePool`` and ``ReferenceEngine`` fit.

    ``prepare`` makes a set of facts ready once and returns the engine's own handle of them;
    ``run`` checks the facts of several handles together. A check prepares each side once (see
    the module docstring) and runs every check on the handles.
    """

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> Any: ...

    def run(self, facts: Any, /, *more: Any) -> Sequence[_MatchLike]: ...


class CheckResult(BaseModel):
    """Everything a report or an audit needs about one check, findings in stable order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_id: str
    parent_ids: tuple[str, ...]
    rule_pack_version: str
    catalog_version: str
    scope: PlanScope | None = None  # what the checked plan covers, and how that was read
    overrides: tuple[str, ...] = ()  # parent checks waived on purpose (OVERRIDES), for the audit
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


@dataclass(frozen=True)
class _Side:
    """A plan's facts for one side of checks, or a county's scope facts, kept for one engine."""

    facts: FactSet
    prepared: Any  # the engine's handle of facts.facts
    catalog: Catalog  # what the facts were built with (a catalog is not hashable: compared by identity)
    plan: PlanFacts | None = None  # the plan whose side this is (None for scope facts)
    asked: tuple[str, ...] = ()  # a parent's indicators the county's scope is asked about


# Keyed by the Plan, whose hash is cheap, not by the PlanFacts, whose hash walks every target
# and mention of a parent in every check; a hit is then compared with the PlanFacts, which is
# immediate when it is the very object and a full comparison when it is an equal copy.
_PlanKey = tuple[Plan, str, Role, tuple[str, ...]]
_ScopeKey = tuple[Plan, PlanScope, tuple[str, ...]]


class _Sides:
    """One engine's sides; bounded, so memory stays flat whatever the input."""

    def __init__(self) -> None:
        self.plans: HotCache[_PlanKey, _Side] = HotCache(8)
        self.scopes: HotCache[_ScopeKey, _Side] = HotCache(64)

    def plan(self, engine: MatchEngine, key: str, pf: PlanFacts, role: Role, rulebook: Rulebook) -> _Side:
        catalog, cues = rulebook.catalog, rulebook.headline_cues
        cache_key = (pf.plan, key, role, cues)
        side = self.plans.get(cache_key)
        if side is None or side.catalog is not catalog or side.plan != pf:
            made = plan_facts(key, pf, role, catalog, cues)
            asked = asked_indicators(made.facts) if role is Role.parent else ()
            side = _Side(made, engine.prepare(made.facts), catalog, pf, asked)
            self.plans.put(cache_key, side)
        return side

    def scope(
        self,
        engine: MatchEngine,
        county: PlanFacts,
        asked: tuple[str, ...],
        scope: PlanScope,
        catalog: Catalog,
    ) -> _Side:
        cache_key = (county.plan, scope, asked)
        side = self.scopes.get(cache_key)
        if side is None or side.catalog is not catalog:
            made = scope_facts(county, asked, scope, catalog)
            side = _Side(made, engine.prepare(made.facts), catalog)
            self.scopes.put(cache_key, side)
        return side


_sides: weakref.WeakKeyDictionary[Any, _Sides] = weakref.WeakKeyDictionary()
_sides_lock = Lock()


def _sides_of(engine: MatchEngine) -> _Sides:
    """The engine's sides; they go with the engine. An engine that cannot be weakly referenced
    or hashed gets none kept: every check prepares its sides afresh."""
    with _sides_lock:
        try:
            sides = _sides.get(engine)
            if sides is None:
                sides = _sides[engine] = _Sides()
        except TypeError:
            return _Sides()
    return sides


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
    allow: Sequence[str] = (),
) -> CheckResult:
    """Check a county plan against its parents with the rule pack; findings in stable order.

    ``engine`` must have been built from ``rulebook.engine_rules()`` (with ``INT_FIELDS``);
    by default the process's shared in-process engine for the rule pack is used. Each plan's
    side is made once per engine and reused (see the module docstring).
    """
    unknown = sorted(set(allow) - set(OVERRIDES))
    if unknown:
        raise CheckError(
            f"未知的豁免项 / unknown override: {', '.join(unknown)} (known: {', '.join(OVERRIDES)})"
        )
    validate_parents(county, parents, allow)
    rulebook = rulebook or default_rulebook()
    engine = engine or engine_for(rulebook)
    scope = read_scope(county.plan, rulebook.headline_cues)
    sides = _sides_of(engine)
    own = sides.plan(engine, "p0", county, Role.county, rulebook)
    above = [sides.plan(engine, f"p{k}", p, Role.parent, rulebook) for k, p in enumerate(parents, 1)]
    asked = tuple(sorted({indicator for side in above for indicator in side.asked}))
    within = sides.scope(engine, county, asked, scope, rulebook.catalog)
    every = [own, *above, within]
    factset = FactSet(
        facts=tuple(itertools.chain.from_iterable(side.facts.facts for side in every)),
        sources=dict(itertools.chain.from_iterable(side.facts.sources.items() for side in every)),
    )
    matches: list[RawMatch] = []
    for m in engine.run(*(side.prepared for side in every)):
        try:
            rule, case = rulebook.case(m.rule)
        except KeyError:
            raise CheckError(
                f"引擎规则 {m.rule} 不在规则包 {rulebook.version} 中 / engine rule {m.rule} is "
                "not in this rule pack: build the engine from rulebook.engine_rules()"
            ) from None
        if rule.scope == "plan":  # a batch's rules (scope: across) belong to rulesengine.across
            matches.append(RawMatch(rule, case, m.facts))
    return CheckResult(
        plan_id=county.plan.id,
        parent_ids=tuple(p.plan.id for p in parents),
        rule_pack_version=rulebook.version,
        catalog_version=rulebook.catalog.version,
        scope=scope,
        overrides=tuple(sorted(set(allow))),
        findings=build_findings(matches, rulebook, factset),
    )
