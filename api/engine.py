"""The service's one door to the alignment check (``rulesengine.check``).

Services call a ``Checker`` instead of the library directly, so tests can script findings
(``create_app(checker=…)``) and a change in the library's signatures has one place to follow.

The check is CPU-bound C code (durable-rules) that holds the GIL, so ``services.checks`` runs it
on a worker thread behind a capacity limiter, never on the event loop. By default the engine
lives in this process (one per rule pack version, shared, internally locked). With
``PLANALIGN_ENGINE_WORKERS=N`` the checks run in N worker processes (``EnginePool``), so a crash
in the C core costs a worker, which is replaced, not the server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from rulesengine.check import INT_FIELDS, CheckResult, PlanFacts, check_plan, find_parents
from rulesengine.model import Plan, Region, Target, TopicMention
from rulesengine.rulebook import Rulebook, default_rulebook

__all__ = [
    "CheckResult",
    "Checker",
    "PlanFacts",
    "default_checker",
    "make_checker",
    "make_facts",
    "parents_of",
]


class Checker(Protocol):
    def __call__(
        self, county: PlanFacts, parents: Sequence[PlanFacts], /, *, allow: Sequence[str] = ()
    ) -> CheckResult: ...


def make_facts(plan: Plan, targets: Sequence[Target], topics: Sequence[TopicMention]) -> PlanFacts:
    """Facts from stored (and reviewer-corrected) targets, not from a fresh extraction."""
    return PlanFacts.from_stored(plan, targets, topics)


def parents_of(plan: Plan, candidates: Sequence[Plan], ancestors: Sequence[Region]) -> list[Plan]:
    """The candidates that are parents of ``plan`` (region above it, period covering it)."""
    return list(find_parents(plan, list(candidates), list(ancestors)))


def default_checker(
    county: PlanFacts, parents: Sequence[PlanFacts], /, *, allow: Sequence[str] = ()
) -> CheckResult:
    """The installed rule pack on the process's shared in-process engine."""
    return check_plan(county, parents, allow=allow)


def make_checker(workers: int, rulebook: Rulebook | None = None) -> tuple[Checker, Callable[[], None]]:
    """A checker for ``rulebook`` (default: the installed pack) and the function that releases
    it; ``workers > 0`` starts an EnginePool."""
    if workers <= 0:
        if rulebook is None:
            return default_checker, lambda: None
        return partial(check_plan, rulebook=rulebook), lambda: None
    from rulesengine.engine_pool import EnginePool  # imported only when asked for

    rulebook = rulebook or default_rulebook()
    pool = EnginePool(rulebook.engine_rules(), workers=workers, int_fields=INT_FIELDS)
    checker: Checker = partial(check_plan, rulebook=rulebook, engine=pool)
    return checker, pool.close
