"""Engine matches → findings a reviewer can act on: message, evidence, fingerprint, order.

Three promises live here:

- **Evidence**: every finding lists the targets (and topic mentions) it rests on, each with the
  exact quote and span from its plan — taken from the side table, never from the engine.
- **Fingerprint**: the same finding in a later check of a revised plan has the same
  fingerprint, so a reviewer's "dismissed" sticks. It hashes the rule id, the finding's
  indicator, *where* (region codes and plan periods of every matched fact — never plan ids,
  which change per upload, nor spans, which move when text is added) and *what*: by default,
  per matched target its indicator, kind, period and — for parent facts only — its value.
  The county's value is left out on purpose: a dismissed "weaker" finding keeps matching while
  the county edits its wording or nudges its number; a changed *parent* value is a new finding.
  A rule can narrow *what* with ``fingerprint: [parent.indicator, parent.period]`` (a gap is
  one finding per parent target, however many county facts matched).
- **Order**: findings are sorted by severity, category, indicator, rule id and fingerprint, and
  matches with equal fingerprints collapse to one (the candidate with the lowest evidence key:
  baseline before stretch, then value, then position) — so the output never depends on the
  order facts arrived in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rulesengine.facts import FactSet, FactSource
from rulesengine.labels import BASIS_ZH, COMPARATOR_WORD, FORM_ZH, KIND_ZH, format_number, indicator_name
from rulesengine.model import (
    Category,
    Finding,
    FindingFact,
    IndicatorMention,
    Plan,
    RelativeMention,
    Severity,
    TopicMention,
)
from rulesengine.rulebook import Case, Rule, Rulebook, render, template_fields

__all__ = ["RawMatch", "build_findings", "finding_order", "fingerprint"]

_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
_CATEGORY_RANK = {c: i for i, c in enumerate(Category)}
_KIND_RANK = {"baseline": 0, "stretch": 1}


@dataclass(frozen=True)
class RawMatch:
    """One engine firing, resolved: which rule and case, and the fact matched per pattern."""

    rule: Rule
    case: Case
    facts: Mapping[str, Mapping[str, Any]]


def _round(value: Any) -> Any:
    return format_number(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def fingerprint(match: RawMatch, indicator: str) -> str:
    """The stable identity of a finding across checks (see the module docstring)."""
    where = sorted(
        {
            f"{f.get('region_code')}:{_round(f.get('plan_start'))}-{_round(f.get('plan_end'))}"
            for p in match.case.positives
            if (f := match.facts.get(p.name)) is not None
        }
    )
    what: list[tuple[str, str, Any]] = []
    if match.case.fingerprint is not None:
        for pat, field in match.case.fingerprint:
            what.append((pat, field, _round(match.facts[pat].get(field))))
    else:
        for p in match.case.positives:
            fact = match.facts[p.name]
            if p.type in ("target", "target_topic"):
                fields = ["indicator", "kind", "period"]
                if p.type == "target" and p.literals.get("role") != "county":
                    fields += ["value", "unit"]
                what.extend((p.name, f, _round(fact.get(f))) for f in fields)
            elif p.type == "relative":
                what.append((p.name, "relation", fact.get("relation")))
            elif p.type == "topic":
                what.append((p.name, "topic", fact.get("topic")))
            elif p.type == "mention":
                what.append((p.name, "indicator", fact.get("indicator")))
    payload = {"rule": match.rule.id, "indicator": indicator, "where": where, "what": what}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1024)
def _template_fields(template: str) -> dict[str, frozenset[str]]:
    """Pattern name → the fields a message template shows of it (read once per template)."""
    out: dict[str, set[str]] = {}
    for name in template_fields(template):
        pattern, _, field = name.partition(".")
        if field:
            out.setdefault(pattern, set()).add(field)
    return {pattern: frozenset(fields) for pattern, fields in out.items()}


def _display(fact: Mapping[str, Any], src: FactSource, wanted: frozenset[str]) -> dict[str, str]:
    """The ``wanted`` fields of a fact as the message shows them: numbers as plans write them,
    and the display fields (value_text, kind_zh …). Only what the template names is made: this
    runs for every pattern of every match of every check."""
    out = {k: v if isinstance(v, str) else str(_round(v)) for k, v in fact.items() if k in wanted}
    if "plan_title" in wanted:
        # never composed: the document's title, else its file name, else its id
        plan = src.plan
        out["plan_title"] = plan.title or plan.source_name.rsplit(".", 1)[0] or plan.id
    if "value_text" in wanted and "value" in fact:
        rng = f"-{format_number(fact['value_max'])}" if "value_max" in fact else ""
        suffix = COMPARATOR_WORD.get(str(fact.get("comparator")), "")
        out["value_text"] = f"{format_number(fact['value'])}{rng}{fact.get('unit', '')}{suffix}"
    if "kind_zh" in wanted and "kind" in fact:
        out["kind_zh"] = KIND_ZH.get(str(fact["kind"]), str(fact["kind"]))
    if "basis_zh" in wanted and "basis" in fact:
        out["basis_zh"] = BASIS_ZH.get(str(fact["basis"]), str(fact["basis"]))
    if "form_zh" in wanted and "form" in fact:
        out["form_zh"] = FORM_ZH.get(str(fact["form"]), str(fact["form"]))
    if "period_text" in wanted and "period" in fact:
        out["period_text"] = f"{fact['period']}年"
    if "pace" in wanted and fact.get("basis") == "cumulative" and "year" in fact:
        years = max(1, int(fact["year"]) - int(fact["plan_start"]) + 1)
        out["pace"] = format_number(float(fact["value"]) / years)
    return out


def _evidence(match: RawMatch, sources: Mapping[str, FactSource]) -> tuple[FindingFact, ...]:
    out: list[FindingFact] = []
    seen: set[tuple[str, int, int]] = set()
    quoted = (
        part
        for p in match.case.positives
        for src in (sources[str(match.facts[p.name]["ref"])],)
        for part in (src, *src.parts)
    )
    for src in quoted:
        plan, role = src.plan, src.role.value
        if src.target is not None:
            t = src.target
            key = (plan.id, t.span.start, t.span.end)
            fact = FindingFact(
                role=role,
                plan_id=plan.id,
                region=plan.region.name,
                indicator=t.indicator,
                value=t.value,
                unit=t.unit,
                comparator=t.comparator,
                kind=t.kind,
                period=str(t.period),
                quote=t.quote,
                start=t.span.start,
                end=t.span.end,
            )
        elif (said := src.relative or src.mention) is not None:
            key = (plan.id, said.span.start, said.span.end)
            fact = FindingFact(
                role=role,
                plan_id=plan.id,
                region=plan.region.name,
                indicator=_said_indicator(said),
                period=str(plan.period),
                quote=said.quote,
                start=said.span.start,
                end=said.span.end,
            )
        else:  # a plan fact: context for the message, not evidence
            continue
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return tuple(out)


def _said_indicator(said: RelativeMention | TopicMention | IndicatorMention) -> str:
    """What a quoted sentence without a target is about: a relative commitment's indicator (or
    the binding ones as a group), a topic, or the indicator a plan names."""
    if isinstance(said, RelativeMention):
        return said.indicator or "relative:binding"
    if isinstance(said, TopicMention):
        return f"topic:{said.topic}"
    return said.indicator


def _evidence_key(facts: Iterable[FindingFact]) -> tuple[Any, ...]:
    return tuple(
        (f.role, _KIND_RANK.get(str(f.kind), 2), f.value or 0.0, f.start or 0, f.plan_id) for f in facts
    )


def finding_order(f: Finding) -> tuple[Any, ...]:
    """Severity, category, indicator, rule id, fingerprint: the order every report uses."""
    return (
        _SEVERITY_RANK[f.severity],
        _CATEGORY_RANK[f.category],
        f.indicator,
        f.rule_id,
        f.fingerprint,
    )


def _finding(match: RawMatch, rulebook: Rulebook, sources: Mapping[str, FactSource]) -> Finding:
    subject = match.facts[match.case.subject]
    indicator = str(subject["indicator"])
    name = indicator_name(indicator, rulebook.catalog)
    wanted = _template_fields(match.case.message)
    context = {
        p.name: _display(match.facts[p.name], sources[str(match.facts[p.name]["ref"])], wanted[p.name])
        for p in match.case.positives
        if p.name in wanted
    }
    message = render(match.case.message, {"indicator_name": name}, context)
    roles = {str(f.get("role")) for f in match.facts.values() if f.get("type") == "target"}
    if indicator.startswith("other:") and roles == {"county", "parent"}:
        message += f"（“{name}”不在指标目录中，两份规划按同一名称匹配。）"
    return Finding(
        rule_id=match.rule.id,
        rule_version=match.rule.version,
        severity=match.case.severity,
        category=match.rule.category,
        indicator=indicator,
        message=message,
        facts=_evidence(match, sources),
        fingerprint=fingerprint(match, indicator),
    )


def _one_gap_per_indicator(findings: list[Finding], factset: FactSet) -> list[Finding]:
    """A gap is about the county: when several parents set the same main goal, it is one
    finding naming each of them, with the nearest parent's wording and fingerprint (so a
    reviewer's decision sticks when a parent is added) and every parent's quote."""
    plans: dict[str, Plan] = {}
    for src in factset.sources.values():
        plans.setdefault(src.plan.id, src.plan)
    rank = {pid: i for i, pid in enumerate(plans)}  # county first, then parents as given

    def parent_rank(f: Finding) -> int:
        return min((rank.get(x.plan_id, len(rank)) for x in f.facts if x.role == "parent"), default=len(rank))

    groups: dict[tuple[str, str], list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        if f.category is Category.gap and any(x.role == "parent" for x in f.facts):
            groups.setdefault((f.rule_id, f.indicator), []).append(f)
        else:
            out.append(f)
    for group in groups.values():
        group.sort(key=lambda f: (parent_rank(f), f.fingerprint))
        first, rest = group[0], group[1:]
        if not rest:
            out.append(first)
            continue
        also = []
        facts = list(first.facts)
        for f in rest:
            for x in f.facts:
                if x.role == "parent" and x not in facts:
                    facts.append(x)
                    plan = plans.get(x.plan_id)
                    title = f"《{plan.title}》" if plan is not None and plan.title else ""
                    value = f"{format_number(x.value)}{x.unit}" if x.value is not None else ""
                    also.append(f"{x.region}{title}（{x.period}年{value}）")
        message = first.message + (f"另有{'、'.join(also)}也设定了该目标。" if also else "")
        out.append(first.model_copy(update={"message": message, "facts": tuple(facts)}))
    return out


def build_findings(
    matches: Iterable[RawMatch], rulebook: Rulebook, factset: FactSet, *, one_gap_per_indicator: bool = True
) -> tuple[Finding, ...]:
    """Findings for a check's matches: rendered, de-duplicated by fingerprint, one per gap
    indicator (a check's gaps are about one county; a batch's are about many parents, so
    rulesengine.across keeps them apart), sorted."""
    best: dict[str, tuple[tuple[Any, ...], Finding]] = {}
    for m in matches:
        f = _finding(m, rulebook, factset.sources)
        key = (_evidence_key(f.facts), f.message)
        if f.fingerprint not in best or key < best[f.fingerprint][0]:
            best[f.fingerprint] = (key, f)
    found = [f for _, f in best.values()]
    merged = _one_gap_per_indicator(found, factset) if one_gap_per_indicator else found
    return tuple(sorted(merged, key=finding_order))
