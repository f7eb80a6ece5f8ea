"""Pure presentation helpers for the pages: highlighted segments and spec scenarios (the words
themselves are rulesengine.labels).

Nothing here touches the database or HTML. Highlighting in particular never produces markup: it
cuts a paragraph into plain-text ``Segment``s, and the template wraps the marked ones in
``<mark>`` while Jinja escapes every segment's text. A plan's text is untrusted input, so no
string built from it is ever marked safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rulesengine.specfile import SpecError, SpecScenario, parse_feature

__all__ = [
    "Excerpt",
    "Scenario",
    "Segment",
    "excerpt",
    "pick_scenarios",
    "scenario_blocks",
    "scenario_sentence",
    "segments",
]


@dataclass(frozen=True)
class Segment:
    """A run of plain text; ``mark`` runs are the quoted evidence, ``note`` says whose, and
    ``kind`` how a reviewer left it (``""`` extracted, ``added``, ``corrected``, ``rejected``)."""

    text: str
    mark: bool = False
    note: str = ""
    kind: str = ""


def segments(text: str, spans: Iterable[tuple[int, int, str] | tuple[int, int, str, str]]) -> list[Segment]:
    """``text`` cut at the given (start, end, note[, kind]) spans; overlapping or bad spans are
    dropped.

    Why not insert ``<mark>`` tags into the string: then the string would have to be trusted
    as HTML, and the plan's own ``<script>`` would come with it.
    """
    out: list[Segment] = []
    pos = 0
    for span in sorted(spans):
        start, end, note = span[0], span[1], span[2]
        kind = span[3] if len(span) > 3 else ""
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], True, note, kind))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


@dataclass(frozen=True)
class Excerpt:
    """The paragraph around one or more quotes, as segments; ``found`` is False if no quote was."""

    segments: tuple[Segment, ...]
    found: bool


def locate(text: str, quote: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    """Where a quote is: at its recorded span if the text still has it there, else first found."""
    if start is not None and end is not None and text[start:end] == quote:
        return start, end
    if not quote:
        return None
    found = text.find(quote)
    return (found, found + len(quote)) if found >= 0 else None


_MAX_PARAGRAPH = 500
_CONTEXT = 160


def excerpt(text: str, spans: Sequence[tuple[int, int, str]]) -> Excerpt:
    """The paragraph (newline to newline) holding the spans, trimmed around them when long."""
    spans = [s for s in spans if 0 <= s[0] < s[1] <= len(text)]
    if not spans:
        return Excerpt((), False)
    first, last = min(s[0] for s in spans), max(s[1] for s in spans)
    lo = text.rfind("\n", 0, first) + 1
    hi = text.find("\n", last)
    hi = len(text) if hi < 0 else hi
    prefix = suffix = ""
    if hi - lo > _MAX_PARAGRAPH:
        new_lo, new_hi = max(lo, first - _CONTEXT), min(hi, last + _CONTEXT)
        prefix = "…" if new_lo > lo else ""
        suffix = "…" if new_hi < hi else ""
        lo, hi = new_lo, new_hi
    local = [(s - lo, e - lo, note) for s, e, note in spans]
    body = segments(text[lo:hi], local)
    if prefix:
        body.insert(0, Segment(prefix))
    if suffix:
        body.append(Segment(suffix))
    return Excerpt(tuple(body), True)


# -- spec scenarios ------------------------------------------------------------------------

_QUOTED_RE = re.compile(r"\"([^\"]+)\"")

Scenario = SpecScenario


def scenario_blocks(feature: str, source: str) -> list[Scenario]:
    """Each scenario of a .feature file as written, read by the library's Gherkin reader.

    A spec that no longer parses (edited after the service started) shows no scenarios rather
    than an error page: the finding still stands without them."""
    try:
        return parse_feature(source, feature)
    except SpecError:
        return []


def pick_scenarios(
    scenarios: Sequence[Scenario], *, rule_id: str, indicator: str, message: str, primary_feature: str
) -> list[Scenario]:
    """The scenarios that mention the rule, the one most like this finding first.

    Alike means: it expects the rule to fire (not "不应报告"), its expected message text occurs
    in this finding's message, it names the same indicator, it sits in the rule's own feature.
    """

    def score(s: Scenario) -> tuple[int, int, int, int]:
        positive = f"应报告规则 {rule_id}" in s.text.replace(f"不应报告规则 {rule_id}", "")
        quoted = any(q in message for q in _QUOTED_RE.findall(s.text) if len(q) >= 4)
        names = bool(re.search(rf"(?<![\w]){re.escape(indicator)}(?![\w])", s.text))
        return (int(positive), int(quoted), int(names), int(s.feature == primary_feature))

    mentioning = [s for s in scenarios if re.search(rf"\b{re.escape(rule_id)}\b", s.text)]
    return sorted(mentioning, key=score, reverse=True)


_KEYWORDS = ("假如", "假设", "而且", "并且", "当", "那么", "但是", "同时")
_TABLE_ORDER = ("指标", "值", "单位", "比较", "类型", "期间")
_COMPARATOR_WORDS = {"以上": "以上", "左右": "左右", "以内": "以内", ">=": "以上", "<=": "以内"}


def _row_words(header: list[str], cells: list[str], name: Callable[[str], str]) -> str:
    """A table row as a plan would say it: ``制造业投资增长 10%(基准,2023)``."""
    row = dict(zip(header, cells, strict=False))
    if "指标" not in row:
        return " ".join(c for c in cells if c)
    compare = row.get("比较", "")
    value = f"{row.get('值', '')}{row.get('单位', '')}{_COMPARATOR_WORDS.get(compare, compare)}"
    extra = "、".join(x for x in (row.get("类型", ""), row.get("期间", "")) if x)
    return f"{name(row['指标'])} {value}".strip() + (f"({extra})" if extra else "")


def scenario_sentence(
    scenario: Scenario,
    *,
    rule_titles: Mapping[str, str],
    name: Callable[[str], str],
    severity: Mapping[str, str],
) -> str:
    """A spec scenario as a reviewer reads it: one paragraph in plain Chinese, tables as the
    targets they state, rule and indicator ids as their names, severities in Chinese.

    The raw Gherkin stays one click away on the page; this is what the rule was written to do,
    said the way the finding is.
    """
    parts: list[str] = []
    header: list[str] | None = None
    rows: list[str] = []

    def flush() -> None:
        nonlocal header, rows
        if rows and parts:
            parts[-1] = re.sub(r"[:：\s]+$", "", parts[-1]) + "：" + "、".join(rows)
        header, rows = None, []

    def words(step: str) -> str:
        step = re.sub(
            r"规则 ([a-z][a-z0-9_]*)", lambda m: f"规则“{rule_titles.get(m.group(1), m.group(1))}”", step
        )
        step = re.sub(
            r"严重性 (error|warning|info)", lambda m: f"严重性为{severity.get(m.group(1), m.group(1))}", step
        )
        step = re.sub(r"指标 ([a-z][a-z0-9_]+)", lambda m: f"指标为{name(m.group(1))}", step)
        step = re.sub(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b", lambda m: name(m.group(1)), step)
        step = re.sub(r"\"([^\"]*)\"", r"“\1”", step)
        return step.replace(" 严重性为", "，严重性为").replace(" 指标为", "，指标为")

    for raw in scenario.text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None:
                header = cells
            else:
                rows.append(_row_words(header, cells, name))
            continue
        flush()
        head, sep, _ = line.partition(":")
        if sep and head.strip() in ("场景", "场景大纲", "例子", "背景"):
            continue  # the name is the heading the page shows above the sentence
        keyword = next((k for k in _KEYWORDS if line.startswith(k)), "")
        body = line[len(keyword) :].strip()
        parts.append((keyword + words(body)).strip())
    flush()
    return "，".join(parts) + "。" if parts else ""
