"""durable-rules behind one safe call: rules in durable-rules' own JSON form and flat fact dicts in,
which rule fired on which facts out. The engine knows nothing about plans.

durable-rules 2.0.28's C core is unmaintained and has memory-safety bugs (see
/work/shared/DURABLE-RULES.md); everything in this package exists to keep them away from the
caller. Each step lives in its own module, with the reasons for what it does:

* :mod:`~rulesengine.engine.compile` — rules validated and rewritten onto the C core's safe
  paths (the gate, opener, sentinel and sink rules, guard joins, ``$ex`` guards). Pure Python.
* :mod:`~rulesengine.engine.codec` — facts validated, normalised (the value rules themselves are
  in :mod:`rulesengine.values`), de-duplicated, serialised, and given ids. Pure Python.
* :mod:`~rulesengine.engine.sieve` — facts no pattern can match left out, and the
  :class:`PreparedFacts` handle that keeps a set of facts ready for any number of checks. Pure Python.
* :mod:`~rulesengine.engine.host` — the only module that imports durable-rules: one Host per
  process, one check at a time, C errors and failed actions turned into :class:`EngineError`.

Usage: ``engine.run(facts)``, or, for facts that recur across checks (a parent plan's),
``parent = engine.prepare(facts)`` once and ``engine.run(county_facts, parent)`` per check.
"""

from rulesengine.engine.codec import DEFAULT_INT_FIELDS, normalise_facts
from rulesengine.engine.compile import compile_rules
from rulesengine.engine.errors import EngineError
from rulesengine.engine.host import Match, MatchHook, RuleEngine
from rulesengine.engine.sieve import PreparedFacts

__all__ = [
    "DEFAULT_INT_FIELDS",
    "EngineError",
    "Match",
    "MatchHook",
    "PreparedFacts",
    "RuleEngine",
    "compile_rules",
    "normalise_facts",
]
