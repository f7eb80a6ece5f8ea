"""Run rule checks in worker processes, so a crash in durable-rules' C core is recoverable.

The C core still has memory-safety bugs (see :mod:`rulesengine.engine.host`); in a worker process a
segfault is a ``BrokenProcessPool`` to recover from — a fresh pool and one retry — instead of
a dead server. Workers are started with ``spawn`` (or ``forkserver``), never ``fork``: forking a
process that holds a loaded durable-rules host copies its C state and locks mid-use. Each worker
builds one :class:`~rulesengine.engine.RuleEngine` from the rules, once, in its initializer.

All workers are started up front, with the pool (and again with every replacement pool): in
CPython 3.11 a ``submit`` that races with a worker's death can start a new worker that nobody
ever stops (the interpreter then hangs at exit waiting for it), or fail with ``OSError: handle
is closed``; with every worker already running, ``submit`` never starts one. A task submitted
in that same race can also be left pending forever, so waits poll the pool's broken flag.

This module does not use durable-rules itself; the parent validates rules in pure Python
(:func:`~rulesengine.engine.compile_rules`) and never loads a host. It prepares facts, though
(:meth:`EnginePool.prepare`, pure Python too): a handle made once here — a parent plan's facts —
goes to the workers with each chunk of checks instead of the raw facts, and spares them the work.
"""

from __future__ import annotations

import copy
import functools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Literal, Self

from rulesengine.engine import (
    DEFAULT_INT_FIELDS,
    EngineError,
    Match,
    MatchHook,
    PreparedFacts,
    RuleEngine,
    compile_rules,
)
from rulesengine.engine.sieve import Sieve

__all__ = ["EnginePool", "crash_for_test"]

Facts = Sequence[Mapping[str, Any]] | PreparedFacts

# The worker's engine: one per worker process, built by _init_worker.
_WORKER_ENGINE: RuleEngine | None = None


def _init_worker(
    rules: Mapping[str, Mapping[str, Any]],
    int_fields: tuple[str, ...],
    on_match: MatchHook | None,
) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = RuleEngine(rules, int_fields=int_fields, on_match=on_match)


def _work(fact_lists: Sequence[Facts], shared: Sequence[PreparedFacts]) -> list[list[Match]]:
    """Check a chunk of fact sets, each with the ``shared`` prepared facts; an EngineError says
    which one (``fact_set``, in the chunk)."""
    if _WORKER_ENGINE is None:  # pragma: no cover - the initializer always runs first
        raise EngineError("worker has no engine (initializer did not run)")
    out = []
    for position, facts in enumerate(fact_lists):
        try:
            out.append(_WORKER_ENGINE.run(facts, *shared))
        except EngineError as exc:
            exc.fact_set = position
            raise
    return out


def _ready(hold: float) -> int:
    """Warm-up task: the worker has built its engine; hold it busy so the next task starts another."""
    time.sleep(hold)
    return os.getpid()


def _crash(marker: str | None, match: Match) -> None:
    if marker is not None:
        if os.path.exists(marker):
            return
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGSEGV)


def crash_for_test(marker: str | None = None) -> MatchHook:
    """A match hook that kills its worker with SIGSEGV, as a C crash would. Tests only.

    With ``marker`` (a file path) it crashes on the first match only — it creates the file
    first — so a retry on a fresh pool succeeds; without it, it crashes on every match. The
    hook is a ``functools.partial`` of a function of this module, so it pickles into workers.
    """
    return functools.partial(_crash, marker)


def _result(executor: ProcessPoolExecutor, future: Future[list[list[Match]]]) -> list[list[Match]]:
    """``future.result()``, except that a task stranded by a broken pool raises, not hangs."""
    while True:
        try:
            return future.result(timeout=0.5)
        except FutureTimeout:
            # CPython sets _broken when a worker dies; a task queued in that instant may never
            # be failed by the pool itself.
            if getattr(executor, "_broken", False) and not future.done():
                raise BrokenProcessPool("the pool broke while this task was queued") from None


def _for_set(error: EngineError, index: int) -> EngineError:
    """The same error, saying which of several fact sets it concerns."""
    return EngineError(
        f"fact set #{index}: {error}",
        rule=error.rule,
        fact_index=error.fact_index,
        key=error.key,
        code=error.code,
        fact_set=index,
    )


class EnginePool:
    """Rule checks in ``workers`` processes; ``workers=0`` runs them in this process.

    Thread-safe: many threads may call :meth:`run` and :meth:`run_many` at once. If a worker
    dies (a segfault in the C core), the pool is replaced and the failed checks are retried
    once; a second failure raises :class:`EngineError`. Errors about the rules or the facts
    (EngineError raised in a worker) are never retried.
    """

    def __init__(
        self,
        rules: Mapping[str, Mapping[str, Any]],
        workers: int = 2,
        *,
        int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
        on_match: MatchHook | None = None,
        start_method: Literal["spawn", "forkserver"] = "spawn",
    ) -> None:
        """Validate ``rules`` here, then start every worker and wait until each has built its engine.

        ``on_match`` runs in the workers, so it must pickle (a module-level function).
        """
        if workers < 0:
            raise ValueError("workers must be >= 0")
        if start_method not in ("spawn", "forkserver"):
            raise ValueError("start_method must be 'spawn' or 'forkserver' (never 'fork')")
        self._int_fields = tuple(int_fields)
        # fail fast, in the caller's process; the sieve prepares facts here for the workers
        self._sieve = Sieve(compile_rules(rules, self._int_fields), self._int_fields)
        self._rules = {name: copy.deepcopy(dict(body)) for name, body in rules.items()}
        self._workers = workers
        self._on_match = on_match
        self._context = multiprocessing.get_context(start_method)
        self._lock = threading.Lock()  # guards the executor and its generation
        self._closed = False
        self._restarts = 0
        self._generation = 0
        self._executor: ProcessPoolExecutor | None = None
        self._local: RuleEngine | None = None
        self._local_lock = threading.Lock()
        if workers == 0:
            self._local = RuleEngine(rules, int_fields=self._int_fields, on_match=on_match)
        else:
            self._executor = self._start_executor()

    @property
    def workers(self) -> int:
        """Number of worker processes (0: checks run in the calling process)."""
        return self._workers

    @property
    def restarts(self) -> int:
        """How many times the pool was replaced after a worker died."""
        return self._restarts

    def _start_executor(self) -> ProcessPoolExecutor:
        """A new executor with every worker started and its engine built (see the module doc).

        Raises EngineError if the workers cannot start (bad rules, a broken install, a hook
        that does not pickle).
        """
        executor = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._rules, self._int_fields, self._on_match),
        )
        try:
            # No worker is idle until a task ends, so each submit here starts one more worker;
            # the hold keeps the first ones busy while the rest start.
            futures = [executor.submit(_ready, 0.2) for _ in range(self._workers)]
            for future in futures:
                future.result()
        except Exception as exc:
            executor.shutdown(wait=False, cancel_futures=True)
            raise EngineError(f"the engine pool's workers could not start: {exc!r}") from exc
        return executor

    def _current(self) -> tuple[int, ProcessPoolExecutor]:
        with self._lock:
            if self._closed or self._executor is None:
                raise EngineError("the engine pool is closed")
            return self._generation, self._executor

    def _replace(self, generation: int) -> None:
        """Replace the executor of ``generation`` unless another thread already did."""
        with self._lock:
            if self._closed or self._executor is None:
                raise EngineError("the engine pool is closed")
            if generation != self._generation:
                return
            broken = self._executor
            broken.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start_executor()  # other callers wait here for it
            self._generation += 1
            self._restarts += 1

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> PreparedFacts:
        """Facts made ready once, in this process, for any number of checks; see
        :meth:`RuleEngine.prepare`. The workers' engines accept the handle (same rules)."""
        return self._sieve.prepare(facts)

    def run(self, facts: Facts, *more: PreparedFacts) -> list[Match]:
        """Check one set of facts; see :meth:`RuleEngine.run`."""
        return self.run_many([facts], shared=more)[0]

    def run_many(
        self, fact_lists: Sequence[Facts], *, shared: Sequence[PreparedFacts] = ()
    ) -> list[list[Match]]:
        """Check several sets of facts in parallel, each together with the ``shared`` prepared
        facts (the parents every county is checked against); results come back in the same order."""
        results: list[list[Match] | None] = [None] * len(fact_lists)
        shared = tuple(shared)
        local = self._local
        if local is None:
            self._run_in_workers(fact_lists, shared, results)
        else:
            with self._local_lock:
                for index, facts in enumerate(fact_lists):
                    try:
                        results[index] = local.run(facts, *shared)
                    except EngineError as exc:
                        if len(fact_lists) == 1:
                            raise
                        raise _for_set(exc, index) from exc
        return [result if result is not None else [] for result in results]

    def _run_in_workers(
        self,
        fact_lists: Sequence[Facts],
        shared: tuple[PreparedFacts, ...],
        results: list[list[Match] | None],
    ) -> None:
        pending = list(range(len(fact_lists)))
        for attempt in (1, 2):
            generation, executor = self._current()
            broken, reason = self._submit(executor, fact_lists, shared, pending, results)
            if not broken:
                return
            if attempt == 2:
                raise EngineError(
                    f"a worker process died twice checking fact set(s) {broken}: {reason} "
                    "(a crash in durable-rules' C core, or a worker that could not start)",
                    fact_set=broken[0] if len(fact_lists) > 1 else None,
                )
            self._replace(generation)
            pending = broken

    def _submit(
        self,
        executor: ProcessPoolExecutor,
        fact_lists: Sequence[Facts],
        shared: tuple[PreparedFacts, ...],
        indices: list[int],
        results: list[list[Match] | None],
    ) -> tuple[list[int], str]:
        """Run ``indices`` in chunks; store results; return the indices lost to a dead worker.

        Chunks (about four per worker) keep the per-task overhead of the executor small. An
        error raised by a check (EngineError for a bad fact) is re-raised, for the first failing
        fact set, once every chunk has settled.
        """
        size = max(1, -(-len(indices) // (self._workers * 4)))
        chunks = [indices[start : start + size] for start in range(0, len(indices), size)]
        futures: list[tuple[list[int], Future[list[list[Match]]]]] = []
        broken: list[int] = []
        reason = ""
        for chunk in chunks:
            try:
                future = executor.submit(_work, [fact_lists[index] for index in chunk], shared)
            except Exception as exc:  # broken, or shut down by the thread that replaced it
                broken.extend(chunk)
                reason = str(exc) or type(exc).__name__
            else:
                futures.append((chunk, future))
        failed: tuple[int, Exception] | None = None
        for chunk, future in futures:
            try:
                for index, matches in zip(chunk, _result(executor, future), strict=True):
                    results[index] = matches
            except (BrokenProcessPool, CancelledError) as exc:
                broken.extend(chunk)
                reason = str(exc) or type(exc).__name__
            except EngineError as exc:
                where = chunk[exc.fact_set] if exc.fact_set is not None else chunk[0]
                if failed is None or where < failed[0]:
                    failed = (where, exc)
            except Exception as exc:  # e.g. facts that do not pickle
                if failed is None or chunk[0] < failed[0]:
                    failed = (chunk[0], exc)
        if failed is not None:
            where, error = failed
            if isinstance(error, EngineError):
                if len(fact_lists) > 1:
                    raise _for_set(error, where) from error
                error.fact_set = None
            raise error
        return sorted(broken), reason

    def close(self) -> None:
        """Stop the workers; further calls raise EngineError. Safe to call twice."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._local = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
