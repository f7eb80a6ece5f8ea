"""Which spec scenarios mention which rule ids: the evidence that every rule is specified.

A rule that no scenario names has never been seen firing or staying silent, so the rulebook
refuses it. A scenario *mentions* a rule when the rule id appears as a word anywhere in it:
its name, step texts, data tables, docstrings or 例子 rows. Features are read by the library's
one Gherkin reader (``rulesengine.specfile``, gherkin-official like pytest-bdd).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rulesengine.rulebook.errors import RulebookError
from rulesengine.specfile import SpecError, read_feature

__all__ = ["ScenarioRef", "SpecIndex", "index_specs"]

_WORD = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ScenarioRef:
    """A scenario by feature file (relative to the specs folder) and name."""

    feature: str
    name: str

    def __str__(self) -> str:
        return f"{self.feature}: {self.name}"


@dataclass(frozen=True)
class SpecIndex:
    """Scenario mentions by rule-id-shaped word, plus the feature files found."""

    root: Path
    features: frozenset[str]
    mentions: dict[str, tuple[ScenarioRef, ...]]

    def scenarios_for(self, rule_id: str, feature: str | None = None) -> tuple[ScenarioRef, ...]:
        refs = self.mentions.get(rule_id, ())
        return tuple(r for r in refs if feature is None or r.feature == feature)


def index_specs(root: Path) -> SpecIndex:
    """Parse every ``*.feature`` under ``root``; a parse error names the file and line."""
    if not root.is_dir():
        raise RulebookError(root, None, None, "找不到规格目录", "the specs folder does not exist")
    mentions: dict[str, list[ScenarioRef]] = {}
    features: set[str] = set()
    for path in sorted(root.rglob("*.feature")):
        rel = path.relative_to(root).as_posix()
        features.add(rel)
        try:
            scenarios = read_feature(path, rel)
        except SpecError as exc:
            raise RulebookError(exc.file, exc.line, None, exc.problem_zh, exc.problem_en) from None
        for sc in scenarios:
            ref = ScenarioRef(rel, sc.name)
            for word in {w for text in sc.texts for w in _WORD.findall(text)}:
                mentions.setdefault(word, []).append(ref)
    return SpecIndex(root, frozenset(features), {k: tuple(v) for k, v in mentions.items()})
