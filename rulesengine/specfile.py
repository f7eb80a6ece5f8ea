"""Reading a spec (.feature) file: the one Gherkin reader of the library.

Two places read specs outside a test run: the rule pack, which refuses a rule that no scenario
mentions (``rulebook.specindex``), and the reviewer's page of a finding, which shows the
scenarios behind its rule. Both read through here, with gherkin-official — the parser pytest-bdd
runs the specs with — so a scenario the pack counts is one the spec run runs, ``# language:
zh-CN`` keywords (场景, 场景大纲, 例子 …) work, and a feature that does not parse is refused with
its file and line rather than half-read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gherkin.errors import CompositeParserException, ParserError, ParserException, UnexpectedTokenException
from gherkin.parser import Parser

from rulesengine.datafile import DataFileError

__all__ = ["SpecError", "SpecScenario", "parse_feature", "read_feature"]

_GOT = re.compile(r"got '(.*)'$", re.S)


class SpecError(DataFileError):
    """A .feature file that does not parse; names the file and the line, in zh and en."""


@dataclass(frozen=True)
class SpecScenario:
    """One scenario (or scenario outline) of a feature file.

    ``text`` is the scenario as written — its keyword line, steps, tables and 例子, indentation
    trimmed — for a reviewer to read; ``texts`` are what it says (name, step texts, table and
    例子 cells, docstrings), where a scenario names the rules it specifies.
    """

    feature: str
    name: str
    line: int
    text: str
    texts: tuple[str, ...]


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


def _first_line(node: dict[str, Any]) -> int:
    """Where an element starts: its first tag, else its keyword line."""
    return min([t["location"]["line"] for t in node.get("tags", [])] + [node["location"]["line"]])


def _walk(children: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for child in children:
        for kind in ("background", "scenario"):
            if kind in child:
                yield kind, child[kind]
        if "rule" in child:
            yield "rule", child["rule"]
            yield from _walk(child["rule"].get("children", []))


def _block(lines: list[str], start: int, end: int) -> str:
    """Lines ``start``..``end`` (1-based, end exclusive) without trailing blanks or comments
    (a comment just above the next scenario belongs to it), indentation trimmed."""
    block = lines[start - 1 : end - 1]
    while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
        block.pop()
    indent = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
    return "\n".join(b[indent:] for b in block)


# The zh-CN step keywords, and the section keywords an analyst writes (Gherkin's own list).
STEP_WORDS = ("假如", "假设", "假定", "当", "那么", "而且", "并且", "同时", "但是")
SECTION_WORDS = ("功能", "场景大纲", "场景", "剧本大纲", "剧本", "例子", "背景", "规则")


def _keyword_hint(text: str) -> tuple[str, str]:
    """What keyword a mistyped line probably meant: the one its first characters are closest to
    (而县级… → 而且, 档运行… → 当)."""
    best, score = "", 0.0
    for word in (*STEP_WORDS, *SECTION_WORDS):
        ratio = difflib.SequenceMatcher(None, text[: len(word)], word).ratio()
        if ratio > score:
            best, score = word, ratio
    if score < 0.5:
        return "", ""
    return f";是不是“{best}”?", f"; did you mean {best!r}?"


def _error(file: str, exc: ParserError) -> SpecError:
    first = exc.errors[0] if isinstance(exc, CompositeParserException) and exc.errors else exc
    where: Mapping[str, Any] = first.location if isinstance(first, ParserException) else {}
    line, column = where.get("line"), where.get("column")
    detail = str(first.args[0] if first.args else first)
    got = _GOT.search(detail) if isinstance(first, UnexpectedTokenException) else None
    hint_zh = hint_en = ""
    if got:
        hint_zh, hint_en = _keyword_hint(got.group(1).strip())
        zh = f"“{got.group(1)}” 不是步骤、表格行或关键字(步骤以 假如、当、那么、而且、但是 开头){hint_zh}"
    else:
        zh = "Gherkin 语法错误"
    en = (
        f"not a step, table row or keyword{hint_en} (Gherkin: {detail})"
        if got
        else f"Gherkin parse error {detail}"
    )
    return SpecError(file, line, None, zh, en, column=column)


def parse_feature(text: str, feature: str, *, file: Path | str | None = None) -> list[SpecScenario]:
    """The scenarios of a feature's ``text`` in file order; ``feature`` names it in the result
    (the file relative to its specs folder), ``file`` in errors (default: ``feature``)."""
    try:
        doc: Any = Parser().parse(text)
    except ParserError as exc:
        raise _error(str(file if file is not None else feature), exc) from None
    lines = text.splitlines()
    nodes = list(_walk((doc.get("feature") or {}).get("children", [])))
    starts = sorted({_first_line(node) for _, node in nodes})
    out = []
    for kind, node in nodes:
        if kind != "scenario":
            continue
        line = node["location"]["line"]
        end = next((s for s in starts if s > line), len(lines) + 1)
        words = tuple(dict.fromkeys(t for t in _texts(node) if t))
        out.append(SpecScenario(feature, node.get("name", ""), line, _block(lines, line, end), words))
    return out


def read_feature(path: Path, feature: str | None = None) -> list[SpecScenario]:
    """The scenarios of the feature file at ``path`` (named ``feature``, default its file name)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        why = exc.strerror
        raise SpecError(path, None, None, f"无法读取:{why}", f"cannot read: {why}") from None
    except UnicodeDecodeError:
        raise SpecError(path, None, None, "文件不是 UTF-8 编码", "the file is not UTF-8 text") from None
    return parse_feature(text, feature if feature is not None else path.name, file=path)
