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

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from threading import Lock
from typing import Protocol

from rulesengine.catalog import Catalog
from rulesengine.check import INT_FIELDS, CheckResult, MatchEngine, PlanFacts, check_plan, find_parents
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
    "with_catalog",
]


class Checker(Protocol):
    """``catalog``: the catalog the targets were extracted with (the service's overlay on the
    installed one), so indicators reviewers added are known to the check too."""

    def __call__(
        self,
        county: PlanFacts,
        parents: Sequence[PlanFacts],
        /,
        *,
        allow: Sequence[str] = (),
        catalog: Catalog | None = None,
    ) -> CheckResult: ...


_REREAD_KEEP = 64  # plans whose text-derived facts a process keeps (parents recur in every check)
_reread: OrderedDict[tuple[str, str], tuple[Catalog | None, PlanFacts]] = OrderedDict()
_reread_lock = Lock()


def make_facts(
    plan: Plan, targets: Sequence[Target], topics: Sequence[TopicMention], catalog: Catalog | None = None
) -> PlanFacts:
    """Facts from stored (and reviewer-corrected) targets, not from a fresh extraction.

    What is not stored — relative commitments, indicator mentions — the library reads from the
    text again; that depends on the text and the catalog alone, and was most of a check's CPU in
    the API process (a province's parents are read for every county). So each process keeps the
    last ``_REREAD_KEEP`` readings, keyed by a hash of the text and the catalog object (a new
    overlay is a new catalog, so nothing stale is reused), and only the stored parts are new.
    """
    key = (
        hashlib.blake2b(plan.text.encode("utf-8"), digest_size=16).hexdigest(),
        catalog.version if catalog else "",
    )
    with _reread_lock:
        found = _reread.get(key)
        if found is not None and found[0] is catalog:
            _reread.move_to_end(key)
            return found[1].model_copy(
                update={"plan": plan, "targets": tuple(targets), "topics": tuple(topics)}
            )
    facts = PlanFacts.from_stored(plan, targets, topics, catalog)
    with _reread_lock:
        _reread[key] = (catalog, facts)
        while len(_reread) > _REREAD_KEEP:
            _reread.popitem(last=False)
    return facts


def parents_of(plan: Plan, candidates: Sequence[Plan], ancestors: Sequence[Region]) -> list[Plan]:
    """The candidates that are parents of ``plan`` (region above it, period covering it)."""
    return list(find_parents(plan, list(candidates), list(ancestors)))


def with_catalog(rulebook: Rulebook, catalog: Catalog | None) -> Rulebook:
    """The pack reading facts with ``catalog``: same rules (and so the same engine), the
    catalog's forms and names for indicators the overlay added."""
    if catalog is None or catalog is rulebook.catalog or catalog.version == rulebook.catalog.version:
        return rulebook
    return replace(rulebook, catalog=catalog)


class _PackChecker:
    """``check_plan`` with one rule pack (and optionally an engine pool), catalog per check."""

    def __init__(self, rulebook: Rulebook | None, engine: MatchEngine | None = None) -> None:
        self.rulebook = rulebook
        self.engine = engine

    def __call__(
        self,
        county: PlanFacts,
        parents: Sequence[PlanFacts],
        /,
        *,
        allow: Sequence[str] = (),
        catalog: Catalog | None = None,
    ) -> CheckResult:
        book = with_catalog(self.rulebook or default_rulebook(), catalog)
        return check_plan(county, parents, rulebook=book, engine=self.engine, allow=allow)


default_checker: Checker = _PackChecker(None)
"""The installed rule pack on the process's shared in-process engine."""


def make_checker(workers: int, rulebook: Rulebook | None = None) -> tuple[Checker, Callable[[], None]]:
    """A checker for ``rulebook`` (default: the installed pack) and the function that releases
    it; ``workers > 0`` starts an EnginePool."""
    if workers <= 0:
        return _PackChecker(rulebook), lambda: None
    from rulesengine.engine_pool import EnginePool  # imported only when asked for

    rulebook = rulebook or default_rulebook()
    pool = EnginePool(rulebook.engine_rules(), workers=workers, int_fields=INT_FIELDS)
    return _PackChecker(rulebook, pool), pool.close
