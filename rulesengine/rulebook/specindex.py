"""Which spec scenarios mention which rule ids: the evidence that every rule is specified.

A rule that no scenario names has never been seen firing or staying silent, so the rulebook
refuses it. A scenario *mentions* a rule when the rule id appears as a word anywhere in it:
its name, step texts, data tables, docstrings or 例子 rows. Features are parsed with
gherkin-official (pytest-bdd's own parser), so ``# language: zh-CN`` keywords work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gherkin.errors import ParserError
from gherkin.parser import Parser

from rulesengine.rulebook.errors import RulebookError

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


def _texts(scenario: dict[str, Any]) -> Iterator[str]:
    yield scenario.get("name", "")
    for step in scenario.get("steps", []):
        yield step.get("text", "")
        for row in (step.get("dataTable") or {}).get("rows", []):
            yield from (c["value"] for c in row["cells"])
        yield (step.get("docString") or {}).get("content", "")
    for ex in scenario.get("examples", []):
        for row in [ex.get("tableHeader") or {"cells": []}, *ex.get("tableBody", [])]:
            yield from (c["value"] for c in row["cells"])


def _scenarios(children: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for child in children:
        if "scenario" in child:
            yield child["scenario"]
        elif "rule" in child:
            yield from _scenarios(child["rule"].get("children", []))


def index_specs(root: Path) -> SpecIndex:
    """Parse every ``*.feature`` under ``root``; a parse error names the file and line."""
    if not root.is_dir():
        raise RulebookError(str(root), None, None, "找不到规格目录", "the specs folder does not exist")
    mentions: dict[str, list[ScenarioRef]] = {}
    features: set[str] = set()
    for path in sorted(root.rglob("*.feature")):
        rel = path.relative_to(root).as_posix()
        features.add(rel)
        try:
            doc: Any = Parser().parse(path.read_text(encoding="utf-8"))
        except ParserError as exc:
            raise RulebookError(
                str(path), None, None, f"Gherkin 语法错误:{exc}", f"Gherkin parse error: {exc}"
            ) from None
        for sc in _scenarios((doc.get("feature") or {}).get("children", [])):
            ref = ScenarioRef(rel, sc.get("name", ""))
            words = {w for text in _texts(sc) for w in _WORD.findall(text)}
            for word in words:
                mentions.setdefault(word, []).append(ref)
    return SpecIndex(root, frozenset(features), {k: tuple(v) for k, v in mentions.items()})
