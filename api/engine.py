"""The service's one door to the alignment check (``rulesengine.check``).

Routes and services call these three functions instead of the library directly, so tests can
swap the check for a scripted one (``app.state.checker``) and a change in the library's
signatures has one place to follow. The check itself is CPU-bound C code that holds the GIL:
``services.checks`` runs it on a worker thread behind a capacity limiter, never on the event
loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from rulesengine.check import CheckResult, PlanFacts, check_plan, find_parents
from rulesengine.model import Plan, Region, Target, TopicMention

__all__ = ["CheckResult", "Checker", "PlanFacts", "make_facts", "parents_of", "run"]


class Checker(Protocol):
    def __call__(self, county: PlanFacts, parents: Sequence[PlanFacts]) -> CheckResult: ...


def make_facts(plan: Plan, targets: Sequence[Target], topics: Sequence[TopicMention]) -> PlanFacts:
    """Facts from stored (and reviewer-corrected) targets, not from a fresh extraction."""
    return PlanFacts(plan=plan, targets=tuple(targets), topics=tuple(topics))


def parents_of(plan: Plan, candidates: Sequence[Plan], ancestors: Sequence[Region]) -> list[Plan]:
    return list(find_parents(plan, list(candidates), list(ancestors)))


def run(county: PlanFacts, parents: Sequence[PlanFacts]) -> CheckResult:
    return check_plan(county, parents)


default_checker: Callable[[PlanFacts, Sequence[PlanFacts]], CheckResult] = run
