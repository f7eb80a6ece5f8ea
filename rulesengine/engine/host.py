"""The durable-rules host: the only module that imports durable-rules. Prepared facts in, matches out.

durable-rules 2.0.28 is a Rete engine whose C core is unmaintained and has memory-safety bugs
(see /work/shared/DURABLE-RULES.md). The package around this module keeps the rules
(:mod:`~rulesengine.engine.compile`) and the facts (:mod:`~rulesengine.engine.codec`,
:mod:`~rulesengine.engine.sieve`) on the C core's safe paths; this module owns the one Host and
runs checks on it. What it does, and why (each was reproduced on this machine):

* **One Host, one ruleset, per process**, with ``Host._run`` disabled: actions run inside
  ``assert_*`` on the caller's thread, and no dispatcher threads leak (a Host per check leaked
  1,103 threads after 500 checks; 8 threads sharing a host with its dispatcher segfaulted).
* **A check is one state**: the opener fact, every fact in one ``assert_facts`` batch, then the
  gate fact — so negations are evaluated once every fact is in. The state is always deleted in
  ``finally`` (0.72 MiB each otherwise, and ``MemoryError`` at 1,024 live states); a state
  where no action ran is never deleted (that segfaults) and the host is rebuilt instead.
* **One state at a time, behind a lock**: the C core holds the GIL and is not thread-safe, and
  state ids are hashed to 32 bits (a sid is also checked against the fact ids' hashes).
* **Facts are asserted as our own JSON** (:mod:`~rulesengine.engine.codec` writes it; durable's
  ``json.dumps`` writes floats the C parser misreads), and **an empty batch is never asserted**
  (``assert_facts([])`` segfaults).
* **Exceptions raised in actions are caught** (durable swallows them into the state) and
  re-raised as :class:`EngineError`; C error codes are explained, and after one the host is
  rebuilt before the next check.
* **Actions only record** which facts matched (durable says nothing of why a rule fired), run
  through a lean loop without durable's per-action state write-back.

Crashes that remain possible are a reason to run checks in worker processes: see
:mod:`rulesengine.engine_pool`.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import durable_rules_engine
from durable.engine import Host, MessageNotHandledException, MessageObservedException

from rulesengine.engine.codec import DEFAULT_INT_FIELDS, FID, Encoded, FactIds
from rulesengine.engine.compile import GATE, GATE_FACT, OPEN_FACT, OPEN_RULE, SENTINEL_RULE, compile_rules
from rulesengine.engine.errors import EngineError
from rulesengine.engine.sieve import PreparedFacts, Sieve

__all__ = ["Match", "MatchHook", "RuleEngine"]

_RULESET: Final = "planalign_rules"
_GATE_ID: Final = "__gate"
_OPEN_ID: Final = "__open"

_C_ERRORS: Final[dict[int, str]] = {
    101: "out of memory",
    102: "unexpected type in a rule",
    103: "identifier too long",
    104: "unexpected value in a rule",
    105: "unknown key in a rule",
    106: "too many rules",
    107: "too many existence tests in a rule",
    108: "too many patterns in a rule",
    109: "a rule without a qualifier",
    113: "too many joins in one pattern (at most about 28)",
    201: "cannot parse a value",
    202: "cannot parse a string",
    203: "cannot parse a number",
    204: "cannot parse an object",
    205: "cannot parse an array",
    302: "a fact has too many properties",
    303: "evaluation stack too deep (too many or too complex rules)",
    304: "too many facts in one frame",
    309: "state not found",
    311: "a join refers to a property a fact does not have",
    312: "an operation on incompatible values (for example a comparison with null)",
    313: "a fact is too large",
    314: "a fact property is too large",
    501: "cannot parse a regular expression",
}
_C_CODE_RE: Final = re.compile(r"error code: (\d+)")


@dataclass(frozen=True)
class Match:
    """One firing: the rule's name and, per pattern name, the fact it matched.

    Facts are the normalised facts (what the engine saw), each with the adapter's ``fid``: a
    fact id that depends only on the set of facts in the check, never on their order. Negated
    (``$not``) patterns match no fact and so do not appear.
    """

    rule: str
    facts: dict[str, dict[str, Any]] = field(hash=False)


MatchHook = Callable[[Match], None]
"""Called inside the rule's action for every match; an exception becomes an EngineError."""


@dataclass
class _Run:
    """What the actions of one check record."""

    facts: dict[str, dict[str, Any]]  # fid → normalised fact (shared, read only; Match copies it)
    positions: dict[str, int]  # fid → rank of the fact in canonical order
    hook: MatchHook | None
    fired: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # rule, pattern→fid
    errors: list[tuple[str, BaseException]] = field(default_factory=list)
    opened: int = 0
    gated: int = 0


class _CollectingHost(Host):
    """A Host without dispatcher threads whose actions report to the engine."""

    def __init__(self, engine: RuleEngine) -> None:
        self._engine = engine
        super().__init__()

    def _run(self) -> None:
        # The base class starts two timer threads that run actions late on another thread;
        # with them disabled, actions run inside assert_* on the caller's thread.
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        engine = self._engine

        def action(c: Any) -> None:  # durable requires exactly one positional parameter
            engine._on_action(action_name, c._m)

        return action


class RuleEngine:
    """durable-rules behind a safe, synchronous, thread-safe call: prepared facts in, matches out.

    One instance per process is enough and best: the C core is not thread-safe and holds the
    GIL, so checks are serialised by a lock; parallelism comes from processes
    (:class:`rulesengine.engine_pool.EnginePool`). Preparing facts takes no lock.
    """

    def __init__(
        self,
        rules: Mapping[str, Mapping[str, Any]],
        *,
        int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
        on_match: MatchHook | None = None,
    ) -> None:
        """Compile and load ``rules`` (rule name → durable JSON body without "run").

        ``int_fields`` name the fact fields whose whole numbers stay ``int`` (years); every
        other number becomes a float. ``on_match`` is called inside the action for every match,
        for tracing and tests; whatever it raises surfaces from :meth:`run` as EngineError.
        """
        int_fields = frozenset(int_fields)
        self._ruleset = compile_rules(rules, int_fields)
        self._sieve = Sieve(self._ruleset, int_fields)
        self._on_match = on_match
        self._lock = threading.Lock()
        self._ids = FactIds([_GATE_ID, _OPEN_ID])
        self._sids = itertools.count(1)
        self._active: _Run | None = None
        self._host: Any = None
        self._rules: Any = None
        with self._lock:
            self._build()

    @property
    def ruleset(self) -> dict[str, dict[str, Any]]:
        """The rewritten ruleset as loaded (a copy), for debugging rules."""
        return copy.deepcopy(self._ruleset)

    def _build(self) -> None:
        """Make the Host, load the ruleset and run one warm-up check. Needs the lock."""
        definition = copy.deepcopy(self._ruleset)
        for name, body in definition.items():
            body["run"] = name
        host = _CollectingHost(self)
        try:
            host.set_rulesets({_RULESET: definition})
        except durable_rules_engine.error as exc:
            raise _c_error(exc, "loading the rules") from exc
        self._host = host
        self._rules = host.get_ruleset(_RULESET)
        self._rules._flush_actions = _lean_flush(self._rules, self)
        self._run_locked([])  # the host's first check is ours, not a caller's

    def prepare(self, facts: Sequence[Mapping[str, Any]]) -> PreparedFacts:
        """Validate, normalise, sieve and serialise ``facts`` once, for any number of runs.

        Facts that no pattern's ``field: literal`` tests admit are validated but left out (they
        could match nothing); duplicates count once. Raises :class:`EngineError` naming the
        fact's index and key. See :mod:`rulesengine.engine.sieve`.
        """
        return self._sieve.prepare(facts)

    def run(self, facts: Sequence[Mapping[str, Any]] | PreparedFacts, *more: PreparedFacts) -> list[Match]:
        """Check the facts of ``facts`` and ``more`` together; return every firing, in a stable order.

        ``facts`` may be raw (prepared here, see :meth:`prepare`) or prepared; ``more`` are
        prepared — a county's facts with its parents' handles, say. A fact in several of them
        counts once. Matches are sorted by rule name, then by the ids of the matched facts, which
        depend on the set of facts only — never on their order or how they were split.
        """
        parts = (facts if isinstance(facts, PreparedFacts) else self.prepare(facts), *more)
        for part in parts:
            if not isinstance(part, PreparedFacts):
                raise TypeError(f"only the first argument may be raw facts, not {type(part).__name__}")
            if part.rules != self._sieve.rules:
                raise EngineError("these facts were prepared for other rules: prepare them with this engine")
        if len(parts) == 1:
            encoded = list(parts[0].facts)
        else:  # equal bodies are equal facts: keep one of each, then the canonical order
            encoded = sorted(dict(itertools.chain.from_iterable(p.facts for p in parts)).items())
        with self._lock:
            if self._host is None:
                self._build()
            return self._run_locked(encoded)

    def _next_sid(self, n: int) -> str:
        while True:
            sid = str(next(self._sids))
            # durable stores the state itself as a fact with id "sid-<sid>".
            if not self._ids.clashes(f"sid-{sid}", n):
                return sid

    def _run_locked(self, prepared: list[Encoded]) -> list[Match]:
        n = len(prepared)
        ids = self._ids.first(n)
        sid = self._next_sid(n)
        run = _Run(
            facts={fid: fact for fid, (_, fact) in zip(ids, prepared, strict=True)},
            positions={fid: index for index, fid in enumerate(ids)},
            hook=self._on_match,
        )
        self._active = run
        host, rules = self._host, self._rules
        state: Any = None
        failure: EngineError | None = None
        try:
            host.assert_fact(_RULESET, {"sid": sid, "id": _OPEN_ID, **OPEN_FACT})
            if n:  # assert_facts([]) segfaults
                parts = []
                for fid, (body, _) in zip(ids, prepared, strict=True):
                    comma = "," if len(body) > 1 else ""
                    parts.append(f'{body}{comma}"fid":"{fid}","id":"{fid}","sid":"{sid}"}}')
                payload = "[" + ",".join(parts) + "]"
                host._handle_function(rules, lambda text: _assert_json(rules, text), payload, None)
            state = host.assert_fact(_RULESET, {"sid": sid, "id": _GATE_ID, **GATE_FACT})
        except durable_rules_engine.error as exc:
            failure = _c_error(exc, "checking facts")
            failure.__cause__ = exc
        except (MessageNotHandledException, MessageObservedException) as exc:
            failure = EngineError(f"durable-rules refused a fact: {exc.message}")
            failure.__cause__ = exc
        finally:
            self._active = None
            if run.opened:
                try:
                    host.delete_state(_RULESET, sid)
                except durable_rules_engine.error as exc:  # pragma: no cover - defensive
                    self._host = None  # rebuild before the next check
                    if failure is None:
                        failure = _c_error(exc, "deleting the check's state")
            else:
                # No action ran on this state, so delete_state would segfault: leave it, and
                # start over with a fresh host next time.
                self._host = None
        if failure is not None:
            if failure.code is not None:
                self._host = None  # after a C error, do not trust this ruleset again
            raise failure
        if run.errors:
            rule, error = run.errors[0]
            raise EngineError(
                f"rule {rule!r}: action failed with {type(error).__name__}: {error}", rule=rule
            ) from error
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"durable-rules reported a failed action: {state['exception']}")
        if run.opened != 1 or run.gated != 1:
            self._host = None
            raise EngineError(
                f"the engine did not evaluate the check (opener fired {run.opened}x, "
                f"gate {run.gated}x); it will be rebuilt"
            )
        return self._matches(run)

    def _matches(self, run: _Run) -> list[Match]:
        keyed = []
        for rule, fids in run.fired:
            key = (rule, sorted((pattern, run.positions[fid]) for pattern, fid in fids.items()))
            keyed.append((key, rule, fids))
        keyed.sort(key=lambda item: item[0])
        return [
            Match(rule, {pattern: {**run.facts[fid], FID: fid} for pattern, fid in sorted(fids.items())})
            for _, rule, fids in keyed
        ]

    def _on_action(self, name: str, matched: Any) -> None:
        """Record one firing; ``matched`` is durable's action message (pattern name → fact)."""
        run = self._active
        if run is None:  # pragma: no cover - actions only run inside _run_locked
            return
        if name == OPEN_RULE:
            run.opened += 1
            return
        if name == SENTINEL_RULE:
            run.gated += 1
            return
        try:
            if not isinstance(matched, dict):
                raise TypeError(f"unexpected action message {matched!r}")
            fids: dict[str, str] = {}
            for pattern, fact in matched.items():
                if pattern == GATE:
                    continue
                fid = fact.get(FID) if isinstance(fact, dict) else None
                if fid not in run.facts:
                    raise LookupError(f"pattern {pattern!r} matched an unknown fact {fact!r}")
                fids[pattern] = fid
            run.fired.append((name, fids))
            if run.hook is not None:
                run.hook(Match(name, {p: {**run.facts[f], FID: f} for p, f in sorted(fids.items())}))
        except BaseException as exc:
            run.errors.append((name, exc))
            raise  # durable also records it in the state


def _lean_flush(rules: Any, engine: RuleEngine) -> Callable[[Any, dict[str, Any], Any, Any], None]:
    """durable's ``Ruleset._flush_actions`` without what these actions never use.

    durable wraps each action in a Closure (timestamps, a Content copy of the state), runs it
    through its Promise chain, writes the state back as JSON (``update_state``) and only then
    asks the C core for the next action, for every match. Our actions only
    record the match and never change the state, so the loop hands the message to the engine
    and asks for the next action directly — the same C calls in the same order, minus the
    state write. An action that fails is recorded by the engine (run.errors) and the loop goes
    on, as durable's does after it stores the exception in the state.
    """
    handle = rules._handle

    def flush(state: Any, result: dict[str, Any], state_offset: Any, complete: Any) -> None:
        while "message" in result:
            action_name, message = next(iter(result.pop("message").items()))
            with contextlib.suppress(Exception):  # recorded in run.errors, raised after the check
                engine._on_action(action_name, message)
            following = durable_rules_engine.complete_and_start_action(handle, state_offset)
            if following:
                result["message"] = json.loads(following)
            else:
                complete(None, state)

    return flush


def _assert_json(rules: Any, payload: str) -> Any:
    """``Ruleset.assert_facts`` with our own JSON (its json.dumps writes floats the C misreads)."""
    result = durable_rules_engine.assert_facts(rules._handle, payload)
    return rules._handle_result(result, payload)


def _c_error(exc: BaseException, doing: str) -> EngineError:
    text = str(exc)
    found = _C_CODE_RE.search(text)
    code = int(found.group(1)) if found else None
    meaning = _C_ERRORS.get(code, "unknown error") if code is not None else "unknown error"
    return EngineError(f"durable-rules failed while {doing}: {text} ({meaning})", code=code)
