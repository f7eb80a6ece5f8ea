"""Stored rows ↔ the library's frozen domain model, and corrections applied on top of targets.

The library works on ``Plan``/``Target``/``TopicMention``; the database on flat rows. This is
the one place that translates, so a change to either side has one place to follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from api.db import PlanRevision, PlanRow, TargetCorrection, TargetRow
from api.schemas import TargetPublic
from rulesengine.model import Level, Period, Plan, PlanWarning, Span, Target, TopicMention
from rulesengine.regions import default_index

__all__ = [
    "EffectiveTarget",
    "apply_corrections",
    "domain_plan",
    "domain_target",
    "target_columns",
    "topics_of",
]

Origin = Literal["extracted", "corrected", "added"]


def domain_plan(plan: PlanRow, revision: PlanRevision) -> Plan:
    """The library's ``Plan`` for one stored revision (sha256 re-verified by the model)."""
    return Plan(
        id=plan.id,
        title=plan.title,
        issuer=plan.issuer,
        region=default_index().known(plan.region_code, plan.region_name),
        level=Level(plan.level),
        period=Period.model_validate(plan.period),
        source_name=revision.source_name,
        text=revision.text,
        sha256=revision.sha256,
        warnings=tuple(PlanWarning.model_validate(w) for w in revision.warnings),
    )


def target_columns(target: Target) -> dict[str, Any]:
    """A ``Target`` flattened to the shared target columns of ``TargetRow``/``TargetCorrection``."""
    return {
        "indicator": target.indicator,
        "value": target.value,
        "unit": target.unit,
        "comparator": target.comparator.value,
        "value_max": target.value_max,
        "kind": target.kind.value,
        "basis": target.basis.value,
        "period": str(target.period),
        "quote": target.quote,
        "span_start": target.span.start,
        "span_end": target.span.end,
        "confidence": target.confidence,
    }


def domain_target(row: TargetRow | TargetCorrection, text: str | None = None) -> Target:
    """A ``Target`` from a stored row; with ``text``, the quote is re-located in that text.

    A correction made on an earlier revision keeps pointing at its quote when the plan is
    revised, as long as the quote still occurs somewhere in the new text.
    """
    start, end = row.span_start, row.span_end
    if text is not None and text[start:end] != row.quote:
        found = text.find(row.quote)
        if found >= 0:
            start, end = found, found + len(row.quote)
    return Target(
        indicator=row.indicator,
        value=row.value,
        unit=row.unit,
        comparator=row.comparator,  # type: ignore[arg-type]
        value_max=row.value_max,
        kind=row.kind,  # type: ignore[arg-type]
        basis=row.basis,  # type: ignore[arg-type]
        period=Period.model_validate(row.period),
        quote=row.quote,
        span=Span(start=start, end=end),
        confidence=row.confidence,
    )


def topics_of(revision: PlanRevision) -> tuple[TopicMention, ...]:
    return tuple(TopicMention.model_validate(t) for t in revision.topics)


@dataclass(frozen=True)
class EffectiveTarget:
    """A target as a check sees it, remembering where it came from."""

    target: Target
    origin: Origin
    target_id: int | None
    correction_id: int | None

    def public(self) -> TargetPublic:
        return TargetPublic(
            origin=self.origin,
            target_id=self.target_id,
            correction_id=self.correction_id,
            **target_columns(self.target),
        )


def match_key(correction: TargetCorrection) -> tuple[str, str]:
    """What a correction stands in for: the extracted target it names, else its own key."""
    if correction.replaces_indicator is not None:
        return correction.replaces_indicator, correction.replaces_kind or "baseline"
    return correction.indicator, correction.kind


def apply_corrections(
    extracted: Sequence[TargetRow],
    corrections: Iterable[TargetCorrection],
    text: str,
) -> list[EffectiveTarget]:
    """Extracted targets with reviewers' corrections on top.

    Matching is by (indicator, kind), not by row id, because ids change when a revised text
    is re-extracted while the indicator and kind of a commitment do not. The latest active
    correction per key wins; it replaces every extracted target with that key, or is added
    when none has it. Withdrawn corrections are ignored.
    """
    latest: dict[tuple[str, str], TargetCorrection] = {}
    for c in sorted(corrections, key=lambda c: c.id or 0):
        if c.withdrawn_at is None:
            latest[match_key(c)] = c
    used: set[tuple[str, str]] = set()
    result: list[EffectiveTarget] = []
    for row in sorted(extracted, key=lambda r: r.position):
        key = (row.indicator, row.kind)
        correction = latest.get(key)
        if correction is None:
            result.append(EffectiveTarget(domain_target(row), "extracted", row.id, None))
        elif key not in used:
            used.add(key)
            result.append(
                EffectiveTarget(domain_target(correction, text), "corrected", row.id, correction.id)
            )
    for key, correction in latest.items():
        if key not in used:
            result.append(EffectiveTarget(domain_target(correction, text), "added", None, correction.id))
    return result
