"""What a changed rule pack does on real plans: the findings it adds, removes and rewords.

Why: a rule passes its own scenarios and still misfires on real documents (a topic word that
matches an unrelated sentence, a comparison nobody meant). Before a rule is published an
analyst reads what it would change on a corpus of real plan pairs, with the quotes — the same
pairs every time, so two drafts can be compared. ``planalign rules impact`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rulesengine.check import INT_FIELDS, CheckError, PlanFacts, check_plan
from rulesengine.engine import EngineError
from rulesengine.model import Finding
from rulesengine.rulebook import Rulebook

__all__ = ["Change", "Impact", "ImpactPair", "pack_impact"]


@dataclass(frozen=True)
class ImpactPair:
    """A county plan and the parents it is checked against, named for the report."""

    name: str
    county: PlanFacts
    parents: tuple[PlanFacts, ...]
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One finding the change adds or removes, or whose wording or severity it changes."""

    kind: Literal["added", "removed", "changed"]
    pair: str
    finding: Finding  # as the changed pack reports it (as the committed pack did, if removed)
    before: Finding | None = None  # for "changed": the committed pack's finding


@dataclass
class Impact:
    baseline: str
    changed: str
    pairs: int = 0
    changes: list[Change] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (pair, why it could not be checked)

    def by_rule(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.finding.rule_id, []).append(c)
        return dict(sorted(out.items()))

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)


def _key(f: Finding) -> tuple[str, str]:
    return f.rule_id, f.fingerprint


def pack_impact(baseline: Rulebook, changed: Rulebook, pairs: Iterable[ImpactPair]) -> Impact:
    """Check every pair with both packs and compare the findings by rule and fingerprint.

    The changed pack gets an engine of its own for this call, not the process's cached one: a
    server trying one draft after another must not keep an engine per draft."""
    from rulesengine.engine import RuleEngine  # imported late: durable-rules loads C code

    draft = RuleEngine(changed.engine_rules(), int_fields=INT_FIELDS)
    impact = Impact(baseline.version, changed.version)
    for pair in pairs:
        try:
            before = check_plan(pair.county, pair.parents, rulebook=baseline, allow=pair.allow).findings
            after = check_plan(
                pair.county, pair.parents, rulebook=changed, engine=draft, allow=pair.allow
            ).findings
        except (CheckError, EngineError) as exc:
            impact.failed.append((pair.name, str(exc)))
            continue
        impact.pairs += 1
        impact.changes += _compare(pair.name, before, after)
    return impact


def _compare(name: str, before: Sequence[Finding], after: Sequence[Finding]) -> list[Change]:
    old = {_key(f): f for f in before}
    new = {_key(f): f for f in after}
    out = [Change("added", name, f) for k, f in new.items() if k not in old]
    out += [Change("removed", name, f) for k, f in old.items() if k not in new]
    out += [
        Change("changed", name, f, old[k])
        for k, f in new.items()
        if k in old
        and (old[k].message, old[k].severity, old[k].rule_version) != (f.message, f.severity, f.rule_version)
    ]
    return out
