"""Loads the indicator catalog (indicators.yaml of the rules data) once and answers questions about it.

The catalog is data an analyst edits every plan year, so every entry is validated at load and
a bad one fails with the file, the line, the entry id and the field named
(:class:`CatalogError`, a ``rulesengine.datafile.DataFileError``): the message alone must be
enough to fix the YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from rulesengine.datafile import DataFileError, YamlFile, read_yaml, validation_error
from rulesengine.model import Form, Indicator
from rulesengine.ruledata import rules_data

__all__ = ["Catalog", "CatalogError", "default_catalog", "load_catalog"]


class CatalogError(DataFileError):
    """A catalog file that cannot be used; names file, line, entry (the indicator id) and field."""

    def __init__(
        self,
        file: Path | str,
        line: int | None,
        field: str | None,
        problem_zh: str,
        problem_en: str,
        *,
        entry: str | None = None,
        column: int | None = None,
    ) -> None:
        self.entry = entry
        where = f" 指标/entry {entry}" if entry else ""
        super().__init__(file, line, field, problem_zh, problem_en, where=where, column=column)


@dataclass(frozen=True)
class Catalog:
    """The validated catalog. Indicators by id, topics by name, and a version for audits."""

    version: str
    indicators: Mapping[str, Indicator]
    topics: Mapping[str, tuple[str, ...]]
    source: str = ""
    wordings: tuple[tuple[str, ...], ...] = ()
    _by_synonym: dict[str, tuple[Indicator, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Indicator]] = {}
        for ind in self.indicators.values():
            for synonym in dict.fromkeys((*ind.synonyms, ind.name)):
                for term in self.variants(synonym):
                    if ind not in index.setdefault(term, []):
                        index[term].append(ind)
        self._by_synonym.update({k: tuple(v) for k, v in index.items()})

    def variants(self, term: str) -> list[str]:
        """Every regional wording of a term (规上工业 = 规模以上工业 = 规模工业; “小巨人” with
        or without quotes): a synonym written once matches all of them."""
        found = [term]
        for group in self.wordings:
            for wording in found[:]:
                member = next((m for m in sorted(group, key=len, reverse=True) if m in wording), None)
                if member is not None:
                    found.extend(wording.replace(member, other) for other in group if other != member)
        for wording in found[:]:
            if "“" in wording:
                found.append(wording.replace("“", "").replace("”", ""))
                found.append(wording.replace("“", '"').replace("”", '"'))
                found.append(wording.replace("“", "「").replace("”", "」"))
        return list(dict.fromkeys(found))

    def canonical(self, name: str) -> str:
        """A name with each regional wording replaced by its group's first: the same indicator
        outside the catalog gets the same name in every document. One left-to-right scan,
        longest wording first, so 地区生产总值 is not rewritten inside itself (生产总值)."""
        if not self.wordings:
            return name
        pattern, canon = _wording_index(self.wordings)
        return pattern.sub(lambda m: canon[m.group(0)], name)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self.indicators

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def get(self, indicator_id: str) -> Indicator | None:
        return self.indicators.get(indicator_id)

    def terms(self) -> list[str]:
        """Every name and synonym, longest first, so a scan prefers the most specific."""
        return sorted(self._by_synonym, key=lambda t: (-len(t), t))

    def by_term(self, term: str) -> tuple[Indicator, ...]:
        return self._by_synonym.get(term, ())

    def same_concept(self, indicator_id: str) -> list[Indicator]:
        ind = self.indicators.get(indicator_id)
        if ind is None or ind.concept is None:
            return []
        return [o for o in self.indicators.values() if o.concept == ind.concept]

    def with_topic(self, topic: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if topic in i.topics]

    def headline_ids(self) -> list[str]:
        return [i.id for i in self.indicators.values() if i.headline]

    def forms(self) -> dict[str, Form]:
        return {i.id: i.form for i in self.indicators.values()}

    def overlaid(
        self,
        synonyms: Mapping[str, Sequence[str]],
        indicators: Sequence[Indicator] = (),
        *,
        overlay_version: int,
    ) -> Catalog:
        """This catalog with wordings reviewers taught the service (an overlay kept in its
        database), as a new catalog whose version names both: ``2026.12.5+overlay.3``.

        Why a new catalog and not an edit of the file: the file is the analysts' and ships in the
        wheel; the overlay is one server's learning, applied to its new extractions at once and
        exported as a patch for the file when an analyst takes it over. New indicators come
        first so that a synonym may name one of them. A synonym for an id this catalog does not
        have, or a new indicator with an id it has, is a ``ValueError`` naming it.
        """
        merged: dict[str, Indicator] = dict(self.indicators)
        for ind in indicators:
            if ind.id in merged:
                raise ValueError(f"indicator {ind.id!r} is already in the catalog")
            merged[ind.id] = ind
        for ind_id, words in synonyms.items():
            named = merged.get(ind_id)
            if named is None:
                raise ValueError(f"no indicator {ind_id!r} for synonyms {list(words)!r}")
            added = tuple(w for w in words if w not in named.synonyms and w != named.name)
            if added:
                merged[ind_id] = named.model_copy(update={"synonyms": (*named.synonyms, *added)})
        version = self.version if overlay_version <= 0 else f"{self.version}+overlay.{overlay_version}"
        return Catalog(
            version=version, indicators=merged, topics=self.topics, source=self.source, wordings=self.wordings
        )


@cache
def _wording_index(wordings: tuple[tuple[str, ...], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    canon: dict[str, str] = {}
    for group in wordings:
        for member in group:
            canon.setdefault(member, group[0])
    alternation = "|".join(re.escape(w) for w in sorted(canon, key=len, reverse=True))
    return re.compile(alternation), canon


def _parse(doc: YamlFile[CatalogError]) -> Catalog:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error(None, "顶层应为映射", "top level must be a mapping")
    unknown = sorted(set(data) - {"version", "indicators", "topics", "wordings"}, key=str)
    if unknown:
        raise doc.error([unknown[0]], "未知字段", "unknown field")
    version = data.get("version")
    if not version:
        raise doc.error(["version"], "缺少版本号", "version is required")
    raw_topics = data.get("topics") or {}
    if not isinstance(raw_topics, dict):
        raise doc.error(["topics"], "应为 主题: [关键词] 映射", "must map topic to keywords")
    topics: dict[str, tuple[str, ...]] = {}
    for name, words in raw_topics.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise doc.error(
                ["topics", str(name)],
                "应为非空字符串列表",
                "must be a non-empty list of strings",
                entry=f"topic {name}",
            )
        topics[str(name)] = tuple(words)
    raw_wordings = data.get("wordings") or []
    if not isinstance(raw_wordings, list):
        raise doc.error(["wordings"], "应为同义写法组的列表", "must be a list of groups")
    for i, group in enumerate(raw_wordings):
        if not (isinstance(group, list) and len(group) > 1 and all(isinstance(w, str) and w for w in group)):
            raise doc.error(
                ["wordings", i], "应为两个以上写法的列表", "must be a group of two or more wordings"
            )
    wordings = tuple(tuple(g) for g in raw_wordings)
    raw = data.get("indicators")
    if not isinstance(raw, dict) or not raw:
        raise doc.error(["indicators"], "应为非空映射", "must be a non-empty mapping")
    indicators: dict[str, Indicator] = {}
    for ind_id, body in raw.items():
        where: list[str | int] = ["indicators", str(ind_id)]
        if not isinstance(body, dict):
            raise doc.error(where, "条目应为映射", "entry must be a mapping", entry=str(ind_id))
        try:
            ind = Indicator.model_validate({"id": str(ind_id), **body})
        except ValidationError as exc:
            raise validation_error(doc, exc, where, entry=str(ind_id)) from None
        for i, topic in enumerate(ind.topics):
            if topic not in topics:
                raise doc.error(
                    [*where, "topics", i],
                    f"未声明的主题 {topic!r}",
                    f"undeclared topic {topic!r}",
                    entry=ind.id,
                )
        indicators[ind.id] = ind
    return Catalog(
        version=str(version), indicators=indicators, topics=topics, source=str(doc.path), wordings=wordings
    )


def load_catalog(path: Path | str | None = None) -> Catalog:
    """The catalog at ``path`` (default: the rules data's indicators.yaml), validated."""
    return _parse(read_yaml(path if path is not None else rules_data().indicators, CatalogError))


@cache
def default_catalog() -> Catalog:
    """The catalog of the rules data in use (see rulesengine.ruledata), loaded once."""
    return load_catalog()
