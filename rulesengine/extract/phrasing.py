"""Loads rules/phrasing.yaml: the cue words extraction looks for around a number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from rulesengine.catalog import RULES_DIR
from rulesengine.model import Comparator

__all__ = ["Phrasing", "PhrasingError", "UnitSpec", "default_phrasing", "load_phrasing"]


class PhrasingError(ValueError):
    """A phrasing file that cannot be used; names the file and the field."""


@dataclass(frozen=True)
class UnitSpec:
    text: str
    canonical: str
    times: float = 1.0


@dataclass(frozen=True)
class SectionRules:
    """How headings look and what makes a section a review of the past or a plan."""

    markers: tuple[tuple[re.Pattern[str], int], ...]
    max_heading: int
    max_bare_heading: int
    review: tuple[str, ...]
    plan: tuple[str, ...]
    forward: tuple[str, ...]


@dataclass(frozen=True)
class Phrasing:
    version: str
    units: tuple[UnitSpec, ...]
    multipliers: dict[str, float]
    money_units: frozenset[str]
    comparators_before: tuple[tuple[str, Comparator], ...]
    comparators_after: tuple[tuple[str, Comparator], ...]
    firsts: tuple[str, ...]
    rank_prefixes: tuple[str, ...]
    stretch_cues: tuple[str, ...]
    stretch_local_cues: tuple[str, ...]
    baseline_cues: tuple[str, ...]
    cumulative_cues: tuple[str, ...]
    average_cues: tuple[str, ...]
    relative_upper: tuple[re.Pattern[str], ...]
    relative_economy: tuple[re.Pattern[str], ...]
    relative_national: tuple[re.Pattern[str], ...]
    relative_binding: tuple[str, ...]
    tiers: tuple[tuple[str, str], ...]  # (word, tier), longest word first
    paired_subjects: tuple[tuple[str, str, str], ...]  # (word, first, second), longest word first
    flow_cues: tuple[str, ...]
    form_cues: dict[str, tuple[str, ...]]
    target_followers: tuple[str, ...]
    past_cues: tuple[str, ...]
    past_openers: tuple[str, ...]
    future_cues: tuple[str, ...]
    sub_periods: dict[str, str]
    generic_words: tuple[str, ...]
    name_strip: tuple[str, ...]
    noun_qualifiers: tuple[str, ...]
    preposed_target_verbs: tuple[str, ...]
    shared_verb_conjunctions: tuple[str, ...]
    subset_qualifiers: tuple[str, ...]
    look_alikes: dict[str, str]
    sections: SectionRules
    progress_patterns: tuple[re.Pattern[str], ...]
    five_year_plan: re.Pattern[str]
    postposed_target_verbs: tuple[str, ...]
    table_target_words: tuple[str, ...]
    table_result_words: tuple[str, ...]
    capacity_prefixes: tuple[str, ...]
    compared_words: tuple[str, ...]
    compared_bases: tuple[str, ...]
    etc_nouns: tuple[str, ...]

    @cached_property
    def unit_re(self) -> re.Pattern[str]:
        """Every unit as one alternation in the order of `units`: the first that matches wins."""
        return re.compile("|".join(re.escape(u.text) for u in self.units))

    @cached_property
    def compare_base_re(self) -> re.Pattern[str]:
        """A comparison with a year ("较2020年"): that year is the base, not the period."""
        return re.compile(f"({_alternation(self.compared_words)})\\d{{4}}年")

    @cached_property
    def compared_with_re(self) -> re.Pattern[str]:
        words, bases = _alternation(self.compared_words), _alternation(self.compared_bases)
        return re.compile(f"({words})({bases}|\\d{{4}}年)(同期)?")

    @cached_property
    def etc_re(self) -> re.Pattern[str]:
        return re.compile(f"等[\\u4e00-\\u9fff]{{0,6}}?({_alternation(self.etc_nouns)})")

    @cached_property
    def unit_by_text(self) -> dict[str, UnitSpec]:
        by_text: dict[str, UnitSpec] = {}
        for u in self.units:
            by_text.setdefault(u.text, u)
        return by_text


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in words)


# The fields that are plain word lists: matched longest word first (so 力争达到 wins over 达到).
_WORD_LISTS: tuple[str, ...] = (
    "rank_prefixes",
    "stretch_cues",
    "stretch_local_cues",
    "baseline_cues",
    "cumulative_cues",
    "average_cues",
    "flow_cues",
    "target_followers",
    "past_cues",
    "past_openers",
    "future_cues",
    "generic_words",
    "name_strip",
    "noun_qualifiers",
    "preposed_target_verbs",
    "shared_verb_conjunctions",
    "subset_qualifiers",
)


def _longest_first(words: object, file: Path, field: str) -> tuple[str, ...]:
    """The words, each once, longest first; a field that is not a list of words is named."""
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise PhrasingError(f"{file}: {field}: 应为词语列表 / must be a list of non-empty words")
    return tuple(sorted(dict.fromkeys(words), key=lambda w: (-len(w), w)))


def _comparators(block: dict[str, list[str]], file: Path, key: str) -> tuple[tuple[str, Comparator], ...]:
    pairs: list[tuple[str, Comparator]] = []
    for name, words in block.items():
        try:
            comp = Comparator(name)
        except ValueError:
            raise PhrasingError(
                f"{file}: comparators.{key}.{name}: 未知比较符 / unknown comparator"
            ) from None
        pairs.extend((w, comp) for w in _longest_first(words, file, f"comparators.{key}.{name}"))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _look_alikes(block: object, file: Path) -> dict[str, str]:
    """Single characters only: the text layer maps them one to one, keeping every offset."""
    if not isinstance(block, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) == 1 and len(v) == 1 for k, v in block.items()
    ):
        raise PhrasingError(f"{file}: look_alikes: 应为 单字: 单字 映射 / must map one character to one")
    return dict(block)


def _regex(pattern: object, file: Path, field: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise PhrasingError(f"{file}: {field}: 应为正则表达式 / must be a regular expression")
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise PhrasingError(f"{file}: {field}: 正则表达式有误 / bad regular expression: {exc}") from None


def _sections(block: Any, file: Path) -> SectionRules:
    if not isinstance(block, dict):
        raise PhrasingError(f"{file}: sections: 应为映射 / must be a mapping")
    markers = []
    for i, m in enumerate(block.get("markers") or []):
        if not isinstance(m, dict) or not isinstance(m.get("rank"), int):
            raise PhrasingError(
                f"{file}: sections.markers[{i}]: 需要 pattern 与 rank / needs pattern and rank"
            )
        markers.append((_regex(m.get("pattern"), file, f"sections.markers[{i}].pattern"), m["rank"]))
    try:
        return SectionRules(
            markers=tuple(markers),
            max_heading=int(block["max_heading"]),
            max_bare_heading=int(block["max_bare_heading"]),
            review=_longest_first(block["review"], file, "sections.review"),
            plan=_longest_first(block["plan"], file, "sections.plan"),
            forward=_longest_first(block["forward"], file, "sections.forward"),
        )
    except KeyError as exc:
        raise PhrasingError(f"{file}: sections: 缺少字段 / missing field {exc.args[0]}") from None


def _paired(rows: Any, file: Path) -> tuple[tuple[str, str, str], ...]:
    """[word, first, second] rows, longest word first; a malformed row is named."""
    out = []
    for i, row in enumerate(rows or ()):
        if not (isinstance(row, list) and len(row) == 3 and all(isinstance(w, str) and w for w in row)):
            raise PhrasingError(
                f"{file}: paired_subjects[{i}]: 应为 [词, 第一项, 第二项] / must be [word, first, second]"
            )
        out.append((row[0], row[1], row[2]))
    return tuple(sorted(out, key=lambda r: -len(r[0])))


def _tiers(block: dict[str, Any], file: Path) -> tuple[tuple[str, str], ...]:
    """(word, tier) pairs, longest word first: 省级以上 is read before 省级."""
    pairs = [(w, str(t)) for t, ws in block.items() for w in _longest_first(ws, file, f"tiers.{t}")]
    return tuple(sorted(pairs, key=lambda x: -len(x[0])))


def load_phrasing(path: Path = RULES_DIR / "phrasing.yaml") -> Phrasing:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        units = tuple(
            UnitSpec(text=u["text"], canonical=u.get("as", u["text"]), times=float(u.get("times", 1)))
            for u in sorted(data["units"], key=lambda u: -len(u["text"]))
        )
        return Phrasing(
            version=str(data["version"]),
            units=units,
            multipliers={k: float(v) for k, v in data["multipliers"].items()},
            money_units=frozenset(data["money_units"]),
            comparators_before=_comparators(data["comparators"]["before"], path, "before"),
            comparators_after=_comparators(data["comparators"]["after"], path, "after"),
            firsts=tuple(data["firsts"]),
            form_cues={k: _longest_first(v, path, f"form_cues.{k}") for k, v in data["form_cues"].items()},
            sub_periods=dict(data["sub_periods"]),
            look_alikes=_look_alikes(data.get("look_alikes") or {}, path),
            sections=_sections(data["sections"], path),
            table_target_words=_longest_first(data["table_columns"]["target"], path, "table_columns.target"),
            table_result_words=_longest_first(data["table_columns"]["result"], path, "table_columns.result"),
            capacity_prefixes=_longest_first(data["capacity_prefixes"], path, "capacity_prefixes"),
            compared_words=_longest_first(data["compared_with"]["words"], path, "compared_with.words"),
            compared_bases=_longest_first(data["compared_with"]["bases"], path, "compared_with.bases"),
            etc_nouns=_longest_first(data["etc_nouns"], path, "etc_nouns"),
            five_year_plan=_regex(data["five_year_plan"], path, "five_year_plan"),
            postposed_target_verbs=_longest_first(
                data["postposed_target_verbs"], path, "postposed_target_verbs"
            ),
            relative_upper=tuple(
                _regex(p, path, f"relative.upper[{i}]") for i, p in enumerate(data["relative"]["upper"])
            ),
            relative_economy=tuple(
                _regex(p, path, f"relative.economy[{i}]") for i, p in enumerate(data["relative"]["economy"])
            ),
            relative_national=tuple(
                _regex(p, path, f"relative.national[{i}]") for i, p in enumerate(data["relative"]["national"])
            ),
            relative_binding=_longest_first(data["relative"]["binding"], path, "relative.binding"),
            tiers=_tiers(data["tiers"], path),
            paired_subjects=_paired(data["paired_subjects"], path),
            progress_patterns=tuple(
                _regex(p, path, f"progress_patterns[{i}]") for i, p in enumerate(data["progress_patterns"])
            ),
            **{name: _longest_first(data[name], path, name) for name in _WORD_LISTS},
        )
    except KeyError as exc:
        raise PhrasingError(f"{path}: 缺少字段 / missing field {exc.args[0]}") from None


@cache
def default_phrasing() -> Phrasing:
    return load_phrasing()
