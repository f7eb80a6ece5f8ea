"""Loads phrasing.yaml of the rules data: the cue words extraction looks for around a number.

Analysts add phrasings seen in real plans, so a wrong one is refused at load naming the file,
the line and the field (a :class:`PhrasingError`, one of ``rulesengine.datafile``'s errors),
never left to fail as a KeyError deep inside extraction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from rulesengine.datafile import DataFileError, YamlFile, read_yaml
from rulesengine.model import Comparator
from rulesengine.ruledata import rules_data

__all__ = ["Phrasing", "PhrasingError", "UnitSpec", "default_phrasing", "load_phrasing"]


class PhrasingError(DataFileError):
    """A phrasing file that cannot be used; names the file, the line and the field."""


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


class _Reader:
    """Reads phrasing.yaml field by field; every refusal names the file, the line and the field."""

    def __init__(self, doc: YamlFile[PhrasingError]) -> None:
        self.doc = doc

    def fail(self, path: Sequence[str | int], zh: str, en: str) -> PhrasingError:
        return self.doc.error(path, zh, en)

    def get(self, *path: str | int) -> Any:
        """The value at ``path``; a missing key or a value of the wrong shape on the way is named."""
        value: Any = self.doc.data
        for depth, part in enumerate(path):
            if isinstance(part, int):
                ok = isinstance(value, list) and part < len(value)
            else:
                if not isinstance(value, dict):
                    raise self.fail(path[:depth], "应为映射", "must be a mapping")
                ok = part in value
            if not ok:
                raise self.fail(path[: depth + 1], f"缺少字段 {part}", f"missing field {part}")
            value = value[part]
        return value

    def mapping(self, *path: str) -> dict[str, Any]:
        value = self.get(*path)
        if not isinstance(value, dict):
            raise self.fail(path, "应为映射", "must be a mapping")
        return value

    def items(self, *path: str) -> list[Any]:
        value = self.get(*path)
        if not isinstance(value, list):
            raise self.fail(path, "应为列表", "must be a list")
        return value

    def words(self, *path: str) -> tuple[str, ...]:
        """The words, each once, longest first (so 力争达到 wins over 达到)."""
        return self.word_list(self.get(*path), path)

    def word_list(self, words: object, path: Sequence[str | int]) -> tuple[str, ...]:
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise self.fail(path, "应为词语列表", "must be a list of non-empty words")
        return tuple(sorted(dict.fromkeys(words), key=lambda w: (-len(w), w)))

    def number(self, value: object, path: Sequence[str | int]) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, "应为数字", "must be a number")
        return float(value)

    def regex(self, pattern: object, path: Sequence[str | int]) -> re.Pattern[str]:
        if not isinstance(pattern, str) or not pattern:
            raise self.fail(path, "应为正则表达式", "must be a regular expression")
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.fail(path, f"正则表达式有误:{exc}", f"bad regular expression: {exc}") from None

    def regexes(self, *path: str) -> tuple[re.Pattern[str], ...]:
        return tuple(self.regex(p, (*path, i)) for i, p in enumerate(self.items(*path)))

    def units(self) -> tuple[UnitSpec, ...]:
        units = []
        for i, u in enumerate(self.items("units")):
            if not isinstance(u, dict) or not isinstance(u.get("text"), str) or not u["text"]:
                raise self.fail(("units", i), "应为 {text: 单位} 映射", "must be a mapping with `text`")
            canonical = u.get("as", u["text"])
            if not isinstance(canonical, str) or not canonical:
                raise self.fail(("units", i, "as"), "应为单位文字", "must be a unit")
            times = self.number(u.get("times", 1), ("units", i, "times"))
            units.append(UnitSpec(text=u["text"], canonical=canonical, times=times))
        return tuple(sorted(units, key=lambda u: -len(u.text)))

    def comparators(self, key: str) -> tuple[tuple[str, Comparator], ...]:
        pairs: list[tuple[str, Comparator]] = []
        for name, words in self.mapping("comparators", key).items():
            try:
                comp = Comparator(name)
            except ValueError:
                raise self.fail(("comparators", key, name), "未知比较符", "unknown comparator") from None
            pairs.extend((w, comp) for w in self.word_list(words, ("comparators", key, name)))
        return tuple(sorted(pairs, key=lambda p: -len(p[0])))

    def look_alikes(self) -> dict[str, str]:
        """Single characters only: the text layer maps them one to one, keeping every offset."""
        block = self.doc.data.get("look_alikes") or {}
        if not isinstance(block, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) == 1 and len(v) == 1
            for k, v in block.items()
        ):
            raise self.fail(("look_alikes",), "应为 单字: 单字 映射", "must map one character to one")
        return dict(block)

    def sections(self) -> SectionRules:
        self.mapping("sections")
        markers = []
        for i, m in enumerate(self.doc.data["sections"].get("markers") or []):
            if not isinstance(m, dict) or not isinstance(m.get("rank"), int):
                raise self.fail(("sections", "markers", i), "需要 pattern 与 rank", "needs pattern and rank")
            markers.append((self.regex(m.get("pattern"), ("sections", "markers", i, "pattern")), m["rank"]))
        limits = {}
        for key in ("max_heading", "max_bare_heading"):
            value = self.get("sections", key)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(("sections", key), "应为整数", "must be an integer")
            limits[key] = value
        return SectionRules(
            markers=tuple(markers),
            max_heading=limits["max_heading"],
            max_bare_heading=limits["max_bare_heading"],
            review=self.words("sections", "review"),
            plan=self.words("sections", "plan"),
            forward=self.words("sections", "forward"),
        )

    def paired(self) -> tuple[tuple[str, str, str], ...]:
        """[word, first, second] rows, longest word first; a malformed row is named."""
        out = []
        for i, row in enumerate(self.get("paired_subjects") or ()):
            if not (isinstance(row, list) and len(row) == 3 and all(isinstance(w, str) and w for w in row)):
                raise self.fail(
                    ("paired_subjects", i), "应为 [词, 第一项, 第二项]", "must be [word, first, second]"
                )
            out.append((row[0], row[1], row[2]))
        return tuple(sorted(out, key=lambda r: -len(r[0])))

    def tiers(self) -> tuple[tuple[str, str], ...]:
        """(word, tier) pairs, longest word first: 省级以上 is read before 省级."""
        block = self.mapping("tiers")
        pairs = [(w, str(t)) for t, ws in block.items() for w in self.word_list(ws, ("tiers", t))]
        return tuple(sorted(pairs, key=lambda x: -len(x[0])))

    def strings(self, *path: str) -> dict[str, str]:
        block = self.mapping(*path)
        for key, value in block.items():
            if not isinstance(value, str):
                raise self.fail((*path, key), "应为文字", "must be text")
        return {str(k): v for k, v in block.items()}

    def phrasing(self) -> Phrasing:
        if not isinstance(self.doc.data, dict):
            raise self.doc.error(None, "顶层应为映射", "top level must be a mapping")
        multipliers = self.mapping("multipliers")
        return Phrasing(
            version=str(self.get("version")),
            units=self.units(),
            multipliers={k: self.number(v, ("multipliers", k)) for k, v in multipliers.items()},
            money_units=frozenset(self.words("money_units")),
            comparators_before=self.comparators("before"),
            comparators_after=self.comparators("after"),
            firsts=tuple(self.items("firsts")),
            form_cues={k: self.word_list(v, ("form_cues", k)) for k, v in self.mapping("form_cues").items()},
            sub_periods=self.strings("sub_periods"),
            look_alikes=self.look_alikes(),
            sections=self.sections(),
            table_target_words=self.words("table_columns", "target"),
            table_result_words=self.words("table_columns", "result"),
            capacity_prefixes=self.words("capacity_prefixes"),
            compared_words=self.words("compared_with", "words"),
            compared_bases=self.words("compared_with", "bases"),
            etc_nouns=self.words("etc_nouns"),
            five_year_plan=self.regex(self.get("five_year_plan"), ("five_year_plan",)),
            postposed_target_verbs=self.words("postposed_target_verbs"),
            relative_upper=self.regexes("relative", "upper"),
            relative_economy=self.regexes("relative", "economy"),
            relative_national=self.regexes("relative", "national"),
            relative_binding=self.words("relative", "binding"),
            tiers=self.tiers(),
            paired_subjects=self.paired(),
            progress_patterns=self.regexes("progress_patterns"),
            **{name: self.words(name) for name in _WORD_LISTS},
        )


def load_phrasing(path: Path | str | None = None) -> Phrasing:
    """The phrasing at ``path`` (default: the rules data's phrasing.yaml), validated."""
    return _Reader(read_yaml(path if path is not None else rules_data().phrasing, PhrasingError)).phrasing()


@cache
def default_phrasing() -> Phrasing:
    return load_phrasing()
