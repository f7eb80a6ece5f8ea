"""Plans, targets and topic mentions → the flat, validated fact dicts the rule engine joins.

Why a separate layer: durable-rules only sees plain dicts, compares ``2023`` and ``2023.0`` as
different, fails a batch on a null, and cannot join a field the other fact lacks. So every fact
is built from a pydantic model below (one per fact ``type``), validated, and dumped without
nulls; every fact of one type carries the same required fields, so rules can join on them.

Quotes stay out of the engine: each fact has a ``ref`` that keys a side table of
:class:`FactSource` (plan, role, and the Target or TopicMention), from which findings take their
quotes and spans. The same models tell the rulebook which fields and values a rule may name.

Fact types:

- ``plan``: one per plan in the check (its region, level and period).
- ``target``: one per extracted target, with the catalog's form, concept, direction and headline
  flag (a catalog headline, or stated in a 主要预期目标 sentence).
- ``target_topic``: one per (target, catalog topic of its indicator), so a rule can ask whether
  a plan sets *any* number in a family such as 专精特新 without list membership tests.
- ``topic``: one per topic mention (a plan that names 专精特新 without a number still names it).
- ``scope``: one per parent indicator a gap can be about (a main goal, a reduction, a topic
  member) that lies inside the checked plan's scope (rulesengine.scope).
- ``relative``: one per commitment stated relative to the parent or to growth, with no number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract import extract_targets, extract_topics
from rulesengine.extract.clauses import split_sentences
from rulesengine.extract.mentions import extract_mentions
from rulesengine.extract.phrasing import default_phrasing
from rulesengine.extract.relative import extract_relatives
from rulesengine.factmodels import (
    FACT_MODELS,
    FieldSpec,
    FormName,
    MentionFact,
    PlanFact,
    RelativeFact,
    Role,
    ScopeFact,
    TargetFact,
    TargetTopicFact,
    TopicFact,
    _Fact,
    field_specs,
)
from rulesengine.model import (
    Basis,
    Comparator,
    Direction,
    FrozenFact,
    IndicatorMention,
    Plan,
    RelativeMention,
    Scale,
    Target,
    TopicMention,
)
from rulesengine.scope import PlanScope, read_scope, scope_reason

__all__ = [
    "FACT_MODELS",
    "FactSet",
    "FactSource",
    "FieldSpec",
    "PlanFacts",
    "Role",
    "asked_indicators",
    "build_facts",
    "field_specs",
    "plan_facts",
    "plan_fields",
    "scope_facts",
]


class PlanFacts(BaseModel):
    """A plan with what extraction found in it: the unit a check works on.

    Extraction runs once per plan (``from_plan``), so a parent used by many county checks is
    extracted once; tests and specs can also build one from hand-written targets.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: Plan
    targets: tuple[Target, ...] = ()
    topics: tuple[TopicMention, ...] = ()
    relatives: tuple[RelativeMention, ...] = ()
    mentions: tuple[IndicatorMention, ...] = ()

    @classmethod
    def from_plan(cls, plan: Plan, catalog: Catalog | None = None) -> PlanFacts:
        catalog = catalog or default_catalog()
        return cls(
            plan=plan,
            targets=tuple(extract_targets(plan.text, plan.period, catalog)),
            topics=tuple(extract_topics(plan.text, catalog)),
            relatives=tuple(extract_relatives(plan.text, catalog)),
            mentions=tuple(extract_mentions(plan.text, catalog)),
        )

    @classmethod
    def from_stored(
        cls,
        plan: Plan,
        targets: Sequence[Target],
        topics: Sequence[TopicMention],
        catalog: Catalog | None = None,
    ) -> PlanFacts:
        """Facts from stored (and reviewer-corrected) targets; the relative commitments and the
        indicators named, which are not stored, are read from the text again."""
        return cls(
            plan=plan,
            targets=tuple(targets),
            topics=tuple(topics),
            relatives=tuple(extract_relatives(plan.text, catalog or default_catalog())),
            mentions=tuple(extract_mentions(plan.text, catalog or default_catalog())),
        )


@dataclass(frozen=True)
class FactSource:
    """Where a fact came from: what a finding shows the reviewer (quote, span, plan)."""

    plan: Plan
    role: Role
    target: Target | None = None
    mention: TopicMention | IndicatorMention | None = None
    relative: RelativeMention | None = None
    # the targets a batch-wide fact (rulesengine.across) adds up or compares, quoted with it
    parts: tuple[FactSource, ...] = ()


@dataclass(frozen=True)
class FactSet:
    """The facts of one check, ready for the engine, and the side table behind their refs."""

    facts: tuple[FrozenFact, ...]
    sources: Mapping[str, FactSource]


_HEADLINE_REACH = 400  # characters a main-goal list runs on after its cue, within its paragraph


def _headline_sentences(text: str, cues: Sequence[str]) -> list[tuple[int, int]]:
    """Where a plan lists its main goals: from a sentence with a cue (主要预期目标是：…) to the end
    of its paragraph — the list often runs on over several sentences (…左右。城镇新增就业…。
    居民消费价格涨幅3%左右。) — but no further than a list's length."""
    if not cues:
        return []
    spans = []
    for s in split_sentences(text):
        if any(c in s.text for c in cues):
            para_end = text.find("\n", s.start + len(s.text.rstrip()))
            end = len(text) if para_end < 0 else para_end
            spans.append((s.start, max(s.end, min(end, s.start + _HEADLINE_REACH))))
    return spans


def plan_fields(pf: PlanFacts, role: Role) -> dict[str, Any]:
    """The fields every fact of this plan carries (rulesengine.across builds its facts on them)."""
    plan = pf.plan
    return {
        "plan": plan.id,
        "role": role,
        "level": plan.level,
        "region": plan.region.name,
        "region_code": plan.region.code,
        "plan_start": plan.period.start,
        "plan_end": plan.period.end,
        "plan_period": str(plan.period),
    }


_RATE_UNITS = frozenset({"%", "个百分点", "‰"})
_COUNT_UNITS = frozenset("家个项名人台套座条户款件所架辆列场")
_SHARE_ENDINGS = ("比重", "占比", "比例", "率", "强度", "水平")
_PER_UNIT_WORDS = ("人均", "亩均", "单位", "每万", "每千", "平均")


def _uncatalogued_form(name: str, unit: str) -> FormName:
    """The form of an indicator outside the catalog, from its canonical name and unit: the
    extractor ends such a name the way the catalog writes forms (…增长, …下降; a share keeps
    its 比重/率), so a county's 固定资产投资增长 and its province's compare like catalog rates."""
    if unit in _RATE_UNITS:
        if name.endswith(("下降", "降低", "减少")):
            return "reduction"
        if name.endswith("增长"):
            return "growth"
        return "share" if name.endswith(_SHARE_ENDINGS) else "growth"
    return "count" if unit in _COUNT_UNITS else "level"


def _uncatalogued_scale(name: str, form: str, unit: str) -> Scale:
    """Rates are intensive and counts extensive; a level is intensive when it is per unit
    (万元/亩, 元/人, 人均…), else a total that grows with the region."""
    if form == "count":
        return Scale.extensive
    if form != "level" or "/" in unit or any(w in name for w in _PER_UNIT_WORDS):
        return Scale.intensive
    return Scale.extensive


_TIER_REACH = 6  # characters before a quote where its tier word may stand (新增国家级专精特新…)


def _tier(text: str, t: Target) -> str:
    """The tier word nearest the target's number, in its quote or just before it."""
    window = text[max(0, t.span.start - _TIER_REACH) : t.span.end]
    cut = max(window.rfind(c) for c in "，,；;。、\n")
    if cut >= 0 and cut < _TIER_REACH:
        window = window[cut + 1 :]
    best: tuple[int, str] | None = None
    for word, tier in default_phrasing().tiers:
        at = window.rfind(word)
        if at >= 0 and (best is None or at > best[0]):
            best = (at, tier)
    return best[1] if best else ""


def _target_facts(
    ref: str, base: dict[str, Any], t: Target, catalog: Catalog, in_headline_sentence: bool, tier: str = ""
) -> list[TargetFact]:
    """The target as facts: one, or — for a rate held on average over a span (年均, basis
    average) — one per year of the span, so it meets a parent's target of any of those years."""
    ind = catalog.get(t.indicator)
    if ind is not None:
        name, form, scale = ind.name, ind.form.value, ind.scale or Scale.intensive
        concept, direction = ind.concept or ind.id, ind.direction
    else:
        name = t.indicator.removeprefix("other:")
        form = _uncatalogued_form(name, t.unit)
        scale = _uncatalogued_scale(name, form, t.unit)
        concept = t.indicator
        # "控制在…以内" is a bound not to exceed: a looser one is the weaker commitment
        direction = Direction.ceiling if t.comparator is Comparator.lte else Direction.higher
    common = {
        **base,
        "indicator": t.indicator,
        "indicator_name": name,
        "catalogued": ind is not None,
        "form": form,
        "scale": scale,
        "concept": concept,
        "direction": direction,
        "headline": bool(ind and ind.headline) or in_headline_sentence,
        "value": t.value,
        "value_max": t.value_max,
        "unit": t.unit,
        "comparator": t.comparator,
        "kind": t.kind,
        "basis": t.basis,
        "tier": tier,
    }
    if t.basis is Basis.average and t.period.is_span:
        return [
            TargetFact(
                ref=f"{ref}.y{year}",
                **common,
                year=year,
                period=str(year),
                period_start=year,
                period_end=year,
            )
            for year in range(t.period.start, t.period.end + 1)
        ]
    return [
        TargetFact(
            ref=ref,
            **common,
            year=t.period.end,
            period=str(t.period),
            period_start=t.period.start,
            period_end=t.period.end,
        )
    ]


def _facts_of_plan(
    key: str, pf: PlanFacts, role: Role, catalog: Catalog, headline_cues: Sequence[str]
) -> Iterable[tuple[_Fact, FactSource]]:
    base = plan_fields(pf, role)
    yield PlanFact(ref=f"{key}.plan", **base), FactSource(pf.plan, role)
    headline_spans = _headline_sentences(pf.plan.text, headline_cues)
    for i, t in enumerate(pf.targets):
        src = FactSource(pf.plan, role, target=t)
        in_headline = any(a <= t.span.start < b for a, b in headline_spans)
        made = _target_facts(f"{key}.t{i}", base, t, catalog, in_headline, _tier(pf.plan.text, t))
        for fact in made:
            yield fact, src
        fact = made[0]
        ind = catalog.get(t.indicator)
        for topic in ind.topics if ind else ():
            yield (
                TargetTopicFact(
                    ref=f"{key}.t{i}.{topic}",
                    **base,
                    topic=topic,
                    indicator=t.indicator,
                    indicator_name=fact.indicator_name,
                    value=t.value,
                    unit=t.unit,
                    comparator=t.comparator,
                    kind=t.kind,
                    basis=t.basis,
                    year=t.period.end,
                    period=str(t.period),
                    headline=fact.headline,
                ),
                src,
            )
    for k, r in enumerate(pf.relatives):
        yield (
            RelativeFact(
                ref=f"{key}.r{k}", **base, indicator=r.indicator, relation=r.relation, binding=r.binding
            ),
            FactSource(pf.plan, role, relative=r),
        )
    for j, m in enumerate(pf.topics):
        yield (
            TopicFact(ref=f"{key}.m{j}", **base, topic=m.topic, keyword=m.keyword),
            FactSource(pf.plan, role, mention=m),
        )
    for j, n in enumerate(pf.mentions):
        yield (
            MentionFact(ref=f"{key}.n{j}", **base, indicator=n.indicator, keyword=n.keyword),
            FactSource(pf.plan, role, mention=n),
        )


def plan_facts(
    key: str, pf: PlanFacts, role: Role, catalog: Catalog, headline_cues: Sequence[str] = ()
) -> FactSet:
    """One plan's facts as one side of a check (``key`` prefixes their refs: ``p0`` the county,
    ``p1``… the parents in order), frozen: a caller that keeps them for many checks
    (rulesengine.check does, per engine) can hand them out without a copy."""
    facts: list[FrozenFact] = []
    sources: dict[str, FactSource] = {}
    for fact, src in _facts_of_plan(key, pf, role, catalog, headline_cues):
        made = FrozenFact(fact.model_dump(mode="json", exclude_none=True))
        facts.append(made)
        sources[made["ref"]] = src
    return FactSet(facts=tuple(facts), sources=sources)


def asked_indicators(facts: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The parent indicators a gap can be about, among ``facts``: main goals, reductions, topic
    members (专精特新) — what :func:`scope_facts` asks the checked plan's scope about."""
    return tuple(
        sorted(
            {
                str(f["indicator"])
                for f in facts
                if f["role"] == "parent"
                and (
                    f["type"] == "target_topic"
                    or (f["type"] == "target" and (f["headline"] or f["form"] == "reduction"))
                )
            }
        )
    )


def _indicator_words(indicator: str, catalog: Catalog) -> str:
    """An indicator's names run together, for finding its policy domains."""
    ind = catalog.get(indicator)
    if ind is None:
        return indicator.removeprefix("other:")
    return "|".join((ind.name, *ind.synonyms))


def scope_facts(county: PlanFacts, indicators: Sequence[str], scope: PlanScope, catalog: Catalog) -> FactSet:
    """One ``scope`` fact per indicator in ``indicators`` that lies inside the county plan's scope
    (see :func:`asked_indicators`): part of the county's side, with refs ``p0.s…``."""
    base = plan_fields(county, Role.county)
    facts: list[FrozenFact] = []
    sources: dict[str, FactSource] = {}
    for n, indicator in enumerate(indicators):
        reason = scope_reason(scope, _indicator_words(indicator, catalog))
        if reason is not None:
            fact = ScopeFact(
                ref=f"p0.s{n}", **base, indicator=indicator, reason=reason, industry=scope.industry
            )
            made = FrozenFact(fact.model_dump(mode="json", exclude_none=True))
            facts.append(made)
            sources[made["ref"]] = FactSource(county.plan, Role.county)
    return FactSet(facts=tuple(facts), sources=sources)


def build_facts(
    county: PlanFacts,
    parents: Sequence[PlanFacts],
    *,
    catalog: Catalog | None = None,
    headline_cues: Sequence[str] = (),
    scope: PlanScope | None = None,
) -> FactSet:
    """Facts for one check: the county plan's and every parent's, each validated.

    Plan ids must differ: rules join facts of one plan on the ``plan`` field.
    """
    catalog = catalog or default_catalog()
    ids = [county.plan.id, *(p.plan.id for p in parents)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"规划编号重复 / duplicate plan id(s) in one check: {', '.join(dupes)}")
    sides = [plan_facts("p0", county, Role.county, catalog, headline_cues)]
    sides += [plan_facts(f"p{k}", p, Role.parent, catalog, headline_cues) for k, p in enumerate(parents, 1)]
    scope = scope or read_scope(county.plan, headline_cues)
    asked = asked_indicators(f for side in sides[1:] for f in side.facts)
    sides.append(scope_facts(county, asked, scope, catalog))
    return FactSet(
        facts=tuple(f for side in sides for f in side.facts),
        sources={ref: src for side in sides for ref, src in side.sources.items()},
    )
