"""Findings across the plans of a batch: a province's totals against what its cities or
counties set (指标分解), growth targets raised at every layer (层层加码), a county far below
its peers — what no check of one plan against its parents can see.

Why facts, not code: the batch computes, once, what the rules need to know about many plans
at once — per parent total, the sum of its children's targets (``share``); per county
target, where it stands among its province's counties (``peer``); per county target, its
city's and province's (``chain``) — and the rule pack's ``scope: across`` rules decide what is
worth saying, with every threshold in their YAML. The fact types are declared with the others
(rulesengine.factmodels), so the pack's loader checks these rules as it checks every rule.

How the plans relate: by region (GB/T 2260, rulesengine.regions: province → city → county)
and period, as rulesengine.check.find_parents decides — a county 2023 plan is a child of a
province 2023 plan and of a province 2021-2025 plan. A parent's children are the regions one
level below it in the batch: a province's cities when the batch holds a city plan of that
province, else its counties; a city's counties. Targets are compared only on the same
indicator, period, unit, basis (年度/累计/年均) and tier (国家级/省级); a region with several
plans counts once, with its largest value (the most it commits to).

Which comparator counts: a child's 以上 or 左右 is its number; a parent's comparator is a fact
field the rules filter on (a ceiling, 以内, is not a total to be shared out).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from rulesengine.check import CheckError, MatchEngine, engine_for
from rulesengine.factmodels import ChainFact, PeerFact, ShareFact
from rulesengine.facts import FactSet, FactSource, PlanFacts, Role, plan_facts, plan_fields
from rulesengine.findings import RawMatch, build_findings, finding_order, fingerprint
from rulesengine.model import Finding, FrozenFact, Level, Period, Region, Target
from rulesengine.regions import RegionError, RegionIndex, default_index
from rulesengine.rulebook import Rulebook, default_rulebook

__all__ = ["AcrossError", "AcrossResult", "check_across"]

SCOPE = "across"

_CUT = "。；;\n"  # where a parent's sentence starts, for its per-region cue
_CUE_REACH = 40  # characters before a target's number its sentence may name 每个县…


class AcrossError(CheckError):
    """Plans that cannot be checked together: two of them share an id."""


class AcrossResult(BaseModel):
    """The cross-county check of a batch: the facts it computed and the rules' findings.

    Findings are in report order, except that within a rule a ranked finding (a ``chain``'s
    ``rank``) comes before those ranked below it, so the worst 层层加码 is read first.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan_ids: tuple[str, ...]
    rule_pack_version: str
    catalog_version: str
    shares: tuple[ShareFact, ...] = ()
    peers: tuple[PeerFact, ...] = ()
    chains: tuple[ChainFact, ...] = ()
    findings: tuple[Finding, ...] = ()

    def by_rule(self, rule_id: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule_id == rule_id)


@dataclass(frozen=True)
class _Entry:
    """One target fact of one plan of the batch, with the plan and the target it came from."""

    pf: PlanFacts
    fact: Mapping[str, Any]
    target: Target

    @property
    def region(self) -> Region:
        return self.pf.plan.region

    @property
    def value(self) -> float:
        return float(self.fact["value"])

    def key(self, *, kind: bool) -> tuple[Any, ...]:
        f = self.fact
        return (f["indicator"], f["period"], f["unit"], f["basis"], f["tier"], f["kind"] if kind else "")

    def source(self, role: Role, parts: tuple[FactSource, ...] = ()) -> FactSource:
        return FactSource(self.pf.plan, role, target=self.target, parts=parts)

    def target_fields(self) -> dict[str, Any]:
        names = (
            "indicator", "indicator_name", "catalogued", "form", "scale", "direction", "value",
            "unit", "comparator", "kind", "basis", "tier", "period",
        )  # fmt: skip
        return {n: self.fact[n] for n in names}


class _Batch:
    """The batch's plans, their regions' places in the hierarchy, and their target facts."""

    def __init__(self, plans: Sequence[PlanFacts], rulebook: Rulebook, index: RegionIndex) -> None:
        self.plans = list(plans)
        self.index = index
        self.above: dict[str, list[Region]] = {}
        self.entries: dict[str, list[_Entry]] = {}
        for i, pf in enumerate(self.plans):
            made = plan_facts(f"b{i}", pf, Role.county, rulebook.catalog, rulebook.headline_cues)
            self.entries[pf.plan.id] = [
                _Entry(pf, f, src.target)
                for f in made.facts
                if f["type"] == "target" and (src := made.sources[f["ref"]]).target is not None
            ]
            try:
                self.above[pf.plan.id] = index.ancestors(pf.plan.region)
            except (KeyError, RegionError):  # a region outside the data has no place here
                self.above[pf.plan.id] = []

    def level(self, pf: PlanFacts) -> Level:
        return pf.plan.region.level

    def below(self, parent: PlanFacts, level: Level) -> list[PlanFacts]:
        """Plans of ``level`` regions under the parent's region whose period it covers."""
        code = parent.plan.region.code
        return [
            pf
            for pf in self.plans
            if pf.plan.id != parent.plan.id
            and self.level(pf) is level
            and any(r.code == code for r in self.above[pf.plan.id])
            and parent.plan.period.covers(pf.plan.period)
        ]

    def up(self, child: PlanFacts, level: Level) -> list[PlanFacts]:
        """Plans of the ``level`` region above the child's that cover its period, shorter first."""
        codes = {r.code for r in self.above[child.plan.id] if r.level is level}
        found = [
            pf
            for pf in self.plans
            if pf.plan.region.code in codes
            and self.level(pf) is level
            and pf.plan.period.covers(child.plan.period)
        ]
        return sorted(found, key=lambda pf: (pf.plan.period.end - pf.plan.period.start, pf.plan.id))

    def regions_below(self, region: Region, level: Level) -> int:
        """GB/T 2260 regions of ``level`` under ``region``, development zones not counted."""
        count, todo = 0, [region]
        while todo:
            for child in self.index.children(todo.pop()):
                if self.index.is_zone(child):
                    continue
                if child.level is level:
                    count += 1
                else:
                    todo.append(child)
        return count

    def province_of(self, pf: PlanFacts) -> Region | None:
        return next((r for r in self.above[pf.plan.id] if r.level is Level.province), None)


def _largest(entries: Iterable[_Entry]) -> dict[str, _Entry]:
    """Per region code, its largest target (a region with two plans commits to the larger)."""
    best: dict[str, _Entry] = {}
    for e in entries:
        code = e.region.code
        if code not in best or (e.value, -e.target.span.start) > (
            best[code].value,
            -best[code].target.span.start,
        ):
            best[code] = e
    return best


def _per_region(e: _Entry, cues: Sequence[str]) -> bool:
    """The parent's sentence asks the number of each region below (每个县…), not a total."""
    if not cues:
        return False
    text = e.pf.plan.text
    start = max(0, e.target.span.start - _CUE_REACH)
    window = text[start : e.target.span.end]
    cut = max(window.rfind(c, 0, e.target.span.start - start) for c in _CUT)
    return any(c in window[cut + 1 :] for c in cues)


def _shares(batch: _Batch, cues: Sequence[str]) -> list[tuple[ShareFact, FactSource]]:
    out: list[tuple[ShareFact, FactSource]] = []
    for n, parent in enumerate(batch.plans):
        level = batch.level(parent)
        if level is Level.province:
            cities = batch.below(parent, Level.city)
            child_level = Level.city if cities else Level.county
            children = cities or batch.below(parent, Level.county)
        elif level is Level.city:
            child_level, children = Level.county, batch.below(parent, Level.county)
        else:
            continue
        total = batch.regions_below(parent.plan.region, child_level)
        by_key: dict[tuple[Any, ...], list[_Entry]] = defaultdict(list)
        for child in children:
            for e in batch.entries[child.plan.id]:
                by_key[e.key(kind=False)].append(e)
        base = plan_fields(parent, Role.parent)
        for k, e in enumerate(batch.entries[parent.plan.id]):
            if e.fact["scale"] != "extensive":  # only totals add up across regions
                continue
            period = Period.model_validate(e.fact["period"])
            in_batch = {c.plan.region.code for c in children if c.plan.period.covers(period)}
            taken = [x for x in by_key.get(e.key(kind=False), []) if x.region.code in in_batch]
            baseline = _largest(x for x in taken if x.fact["kind"] == "baseline")
            stretch = _largest(x for x in taken if x.fact["kind"] != "baseline")
            shares = {**stretch, **baseline}
            parts = tuple(shares[c].source(Role.county) for c in sorted(shares))
            fact = ShareFact(
                ref=f"share{n}.{k}",
                **base,
                **e.target_fields(),
                child_level="city" if child_level is Level.city else "county",
                children_sum=round(sum(x.value for x in shares.values()), 6),
                children_with_share=len(shares),
                children_in_batch=len(in_batch),
                children_total=total,
                per_region=_per_region(e, cues),
            )
            out.append((fact, e.source(Role.parent, parts)))
    return out


def _peers(batch: _Batch) -> list[tuple[PeerFact, FactSource]]:
    groups: dict[tuple[Any, ...], list[_Entry]] = defaultdict(list)
    provinces: dict[str, Region] = {}
    for pf in batch.plans:
        province = batch.province_of(pf)
        if batch.level(pf) is not Level.county or province is None:
            continue
        provinces[province.code] = province
        for e in batch.entries[pf.plan.id]:
            groups[(province.code, *e.key(kind=True))].append(e)
    out: list[tuple[PeerFact, FactSource]] = []
    for key in sorted(groups, key=str):
        members = sorted(_largest(groups[key]).values(), key=lambda e: (e.value, e.region.code))
        values = [e.value for e in members]
        if len(values) > 1:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = median = q3 = values[0]
        for e in members:
            fact = PeerFact(
                ref=f"peer.{e.fact['ref']}",
                **plan_fields(e.pf, Role.county),
                **e.target_fields(),
                province=provinces[key[0]].name,
                median=round(median, 6),
                q1=round(q1, 6),
                q3=round(q3, 6),
                iqr=round(q3 - q1, 6),
                n=len(values),
                rank=1 + sum(v < e.value for v in values),
            )
            out.append((fact, e.source(Role.county)))
    return out


def _first_match(plans: Sequence[PlanFacts], batch: _Batch, key: tuple[Any, ...]) -> _Entry | None:
    """The nearest plan's largest target of this key (the shorter period first)."""
    for pf in plans:
        found = [e for e in batch.entries[pf.plan.id] if e.key(kind=True) == key]
        if found:
            return max(found, key=lambda e: (e.value, -e.target.span.start))
    return None


def _chains(batch: _Batch) -> list[tuple[ChainFact, FactSource]]:
    made: list[tuple[dict[str, Any], FactSource]] = []
    for pf in batch.plans:
        if batch.level(pf) is not Level.county:
            continue
        cities, provinces = batch.up(pf, Level.city), batch.up(pf, Level.province)
        if not cities or not provinces:
            continue
        for e in batch.entries[pf.plan.id]:
            city = _first_match(cities, batch, e.key(kind=True))
            province = _first_match(provinces, batch, e.key(kind=True))
            if city is None or province is None or city.value <= 0 or province.value <= 0:
                continue  # a ratio to a zero or negative target says nothing
            fields = {
                "ref": f"chain.{e.fact['ref']}",
                **plan_fields(pf, Role.county),
                **e.target_fields(),
                "city": city.region.name,
                "city_value": city.value,
                "province": province.region.name,
                "province_value": province.value,
                "city_ratio": round(city.value / province.value, 4),
                "county_ratio": round(e.value / city.value, 4),
                "ratio": round(e.value / province.value, 4),
            }
            parts = (city.source(Role.parent), province.source(Role.parent))
            made.append((fields, e.source(Role.county, parts)))
    made.sort(
        key=lambda m: (-m[0]["ratio"], m[0]["region_code"], m[0]["indicator"], m[0]["period"], m[0]["ref"])
    )
    return [
        (ChainFact(**fields, rank=i, ranked=len(made)), src) for i, (fields, src) in enumerate(made, start=1)
    ]


def _check_ids(plans: Sequence[PlanFacts]) -> None:
    ids = [pf.plan.id for pf in plans]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise AcrossError(
            f"规划编号重复:{', '.join(dupes)} / duplicate plan id(s) in one batch: {', '.join(dupes)}"
        )


def check_across(
    plans: Sequence[PlanFacts],
    *,
    rulebook: Rulebook | None = None,
    engine: MatchEngine | None = None,
) -> AcrossResult:
    """Run the pack's ``scope: across`` rules over the facts computed from every plan of a
    batch (parents and counties together, in any order); findings quote each plan they rest on.

    ``engine`` must have been built from ``rulebook.engine_rules()`` (it holds every rule of the
    pack; only the across rules can fire on these facts, and only their matches are kept).
    """
    _check_ids(plans)
    rulebook = rulebook or default_rulebook()
    batch = _Batch(plans, rulebook, default_index())
    shares = _shares(batch, rulebook.per_region_cues)
    peers = _peers(batch)
    chains = _chains(batch)
    made: list[tuple[ShareFact | PeerFact | ChainFact, FactSource]] = [*shares, *peers, *chains]
    facts = tuple(FrozenFact(f.model_dump(mode="json", exclude_none=True)) for f, _ in made)
    sources = {f.ref: src for f, src in made}
    findings: tuple[Finding, ...] = ()
    if facts and rulebook.has_scope(SCOPE):
        engine = engine or engine_for(rulebook)
        matches: list[RawMatch] = []
        for m in engine.run(engine.prepare(facts)):
            try:
                rule, case = rulebook.case(m.rule)
            except KeyError:
                raise CheckError(
                    f"引擎规则 {m.rule} 不在规则包 {rulebook.version} 中 / engine rule {m.rule} is "
                    "not in this rule pack: build the engine from rulebook.engine_rules()"
                ) from None
            if rule.scope == SCOPE:
                matches.append(RawMatch(rule, case, m.facts))
        findings = _ranked(
            matches, build_findings(matches, rulebook, FactSet(facts, sources), one_gap_per_indicator=False)
        )
    return AcrossResult(
        plan_ids=tuple(pf.plan.id for pf in plans),
        rule_pack_version=rulebook.version,
        catalog_version=rulebook.catalog.version,
        shares=tuple(f for f, _ in shares),
        peers=tuple(f for f, _ in peers),
        chains=tuple(f for f, _ in chains),
        findings=findings,
    )


def _ranked(matches: Sequence[RawMatch], findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Report order, a ranked rule's findings by rank (rank 1, the largest ratio, first)."""
    rank: dict[str, int] = {}
    for m in matches:
        subject = m.facts[m.case.subject]
        if "rank" in subject and subject.get("type") == "chain":
            rank[fingerprint(m, str(subject["indicator"]))] = int(subject["rank"])

    def order(f: Finding) -> tuple[Any, ...]:
        sev, cat, indicator, rule_id, fp = finding_order(f)
        return sev, cat, rule_id, rank.get(fp, 0), indicator, fp

    return tuple(sorted(findings, key=order))
