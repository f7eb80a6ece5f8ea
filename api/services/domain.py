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
from rulesengine.model import (
    Category,
    Finding,
    FindingFact,
    Level,
    Period,
    Plan,
    PlanWarning,
    Severity,
    Span,
    Target,
    TopicMention,
)
from rulesengine.regions import default_index
from rulesengine.report import ReportFinding, Review

__all__ = [
    "Corrected",
    "EffectiveTarget",
    "apply_corrections",
    "domain_plan",
    "domain_target",
    "finding_columns",
    "locate_quote",
    "report_finding",
    "target_columns",
    "topics_of",
]

Origin = Literal["extracted", "corrected", "added", "rejected"]


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


def finding_columns(finding: Finding) -> dict[str, Any]:
    """A ``Finding`` flattened to the columns a stored finding has (``finding``, ``batch_finding``)."""
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "rule_version": finding.rule_version,
        "severity": finding.severity.value,
        "category": finding.category.value,
        "indicator": finding.indicator,
        "message": finding.message,
        "facts": [f.model_dump(mode="json") for f in finding.facts],
    }


def report_finding(row: Any) -> ReportFinding:
    """A stored finding as the library's reports take it, with where its review is: a
    ``finding`` or ``batch_finding`` row, a tuple of their columns, or the API's schema of one."""
    facts = tuple(f if isinstance(f, FindingFact) else FindingFact.model_validate(f) for f in row.facts)
    review = Review(row.id, str(row.status), row.reviewed_by or "", row.reviewed_at, row.comment)
    return ReportFinding(
        Severity(row.severity),
        Category(row.category),
        row.indicator,
        row.message,
        row.rule_id,
        row.rule_version,
        facts,
        review,
    )


def locate_quote(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text``: at ``near`` if it is still there, else the occurrence
    closest to it (a revision that inserts a paragraph moves every later span), else None."""
    if not quote:
        return None
    if text[near : near + len(quote)] == quote:
        return near, near + len(quote)
    best: int | None = None
    found = text.find(quote)
    while found >= 0:
        if best is None or abs(found - near) < abs(best - near):
            best = found
        found = text.find(quote, found + 1)
    return None if best is None else (best, best + len(quote))


def domain_target(row: TargetRow | TargetCorrection, text: str | None = None) -> Target:
    """A ``Target`` from a stored row; with ``text``, the quote is followed to where it is now
    (the caller has checked that it occurs: see ``apply_corrections``)."""
    start, end = row.span_start, row.span_end
    if text is not None:
        where = locate_quote(text, row.quote, start)
        if where is not None:
            start, end = where
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


@dataclass(frozen=True)
class Corrected:
    """Extracted targets with reviewers' corrections applied to one revision's text.

    ``targets`` is what a check reads; ``rejected`` the extracted targets reviewers said are
    not targets (shown struck through, never checked); ``states`` what became of each
    correction (``applied``, ``lost``, ``superseded``, ``withdrawn``); ``applied`` the ids a
    check records as used.
    """

    targets: list[EffectiveTarget]
    rejected: list[EffectiveTarget]
    states: dict[int, str]

    @property
    def applied(self) -> list[int]:
        return sorted(i for i, state in self.states.items() if state == "applied")

    @property
    def lost(self) -> list[int]:
        return sorted(i for i, state in self.states.items() if state == "lost")


def _replaces(correction: TargetCorrection, row: TargetRow) -> bool:
    """Whether an edit or rejection stands for this extracted target.

    By what the target says and where it is quoted from, not by row id: ids change when a
    revised text is re-extracted, the indicator, kind and quote of a commitment do not.
    Corrections made before quotes were recorded match on indicator and kind alone.
    """
    if correction.replaces_indicator != row.indicator or (correction.replaces_kind or "baseline") != row.kind:
        return False
    return correction.replaces_quote is None or correction.replaces_quote == row.quote


def apply_corrections(
    extracted: Sequence[TargetRow],
    corrections: Iterable[TargetCorrection],
    text: str,
) -> Corrected:
    """Extracted targets with reviewers' corrections on top, for the revision whose text is
    ``text``.

    A correction applies when its quote occurs in the text (followed to where it moved) and is
    *lost* when it does not: a reviewer's fix of words that are gone must not silently fix
    something else. Of several corrections of one extracted target the latest wins. An edit
    replaces the target it names (or is added when the revision no longer has that target); a
    rejection removes it; an add is added. Withdrawn corrections are ignored.
    """
    states: dict[int, str] = {}
    live: list[TargetCorrection] = []
    for c in sorted(corrections, key=lambda c: c.id or 0):
        assert c.id is not None
        if c.withdrawn_at is not None:
            states[c.id] = "withdrawn"
        elif locate_quote(text, c.quote, c.span_start) is None:
            states[c.id] = "lost"
        else:
            states[c.id] = "applied"
            live.append(c)
    # The latest edit or rejection per extracted target; earlier ones are superseded.
    rows = sorted(extracted, key=lambda r: r.position)
    claimed: dict[int, TargetCorrection] = {}  # row id → correction
    for c in live:
        if c.action == "add":
            continue
        matches = [r for r in rows if _replaces(c, r)]
        if c.replaces_quote is not None and len(matches) > 1:  # the same words twice: the nearest
            matches = [min(matches, key=lambda r: abs(r.span_start - c.span_start))]
        for r in matches:
            assert r.id is not None
            earlier = claimed.get(r.id)
            if earlier is not None and earlier.id is not None:
                states[earlier.id] = "superseded"
            claimed[r.id] = c
    winners = {c.id for c in claimed.values()}
    for c in live:
        if c.action != "add" and c.id not in winners and any(_replaces(c, r) for r in rows):
            states[c.id or 0] = "superseded"
    targets: list[EffectiveTarget] = []
    rejected: list[EffectiveTarget] = []
    shown: set[int] = set()
    for row in rows:
        assert row.id is not None
        correction = claimed.get(row.id)
        if correction is None:
            targets.append(EffectiveTarget(domain_target(row), "extracted", row.id, None))
        elif correction.action == "reject":
            rejected.append(EffectiveTarget(domain_target(row), "rejected", row.id, correction.id))
        elif correction.id not in shown:
            shown.add(correction.id or 0)
            targets.append(
                EffectiveTarget(domain_target(correction, text), "corrected", row.id, correction.id)
            )
    for c in live:
        if states.get(c.id or 0) != "applied" or c.id in shown or c.id in winners:
            continue
        if c.action == "reject":
            continue  # the target it rejected is not in this revision: nothing to remove
        targets.append(EffectiveTarget(domain_target(c, text), "added", None, c.id))
    return Corrected(targets, rejected, states)
