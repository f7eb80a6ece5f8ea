"""Finding gambling spam injected into a plan's text, so a reviewer learns the page was hacked.

The terms live in ``spam_terms.yaml`` of the rules data (``rules/`` in a checkout; data, with
its own notes on where they come from) so that adding one needs no code change. Matches are
warnings, never errors and never edits: the text must stay as published so every span into it
stays valid; the reviewer decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rulesengine.datafile import read_yaml
from rulesengine.model import PlanWarning
from rulesengine.ruledata import rules_data

__all__ = ["SpamRules", "find_injected_terms", "load_spam_rules"]


@dataclass(frozen=True, slots=True)
class SpamRules:
    """Literal terms and regular expressions, compiled into one case-insensitive matcher."""

    terms: tuple[str, ...]
    patterns: tuple[str, ...]

    @property
    def matcher(self) -> re.Pattern[str]:
        return _compile(self.terms, self.patterns)


@cache
def _compile(terms: tuple[str, ...], patterns: tuple[str, ...]) -> re.Pattern[str]:
    # Longest literal first, so "澳门新葡京" wins over "新葡京" at the same position.
    literals = [re.escape(t) for t in sorted(terms, key=len, reverse=True)]
    alternatives = literals + [f"(?:{p})" for p in patterns]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def load_spam_rules(path: Path | None = None) -> SpamRules:
    """The spam term file (default: the rules data's spam_terms.yaml), checked; a broken file is
    a deployment error, said plainly with file, line and field (a DataFileError)."""
    return _load_spam_rules(path if path is not None else rules_data().spam_terms)


@cache
def _load_spam_rules(path: Path) -> SpamRules:
    doc = read_yaml(path)
    raw = doc.data or {}
    if not isinstance(raw, dict):
        raise doc.error(None, "应为含 terms/patterns 的映射", "expected a mapping with terms, patterns")
    terms = tuple(str(t).strip() for t in raw.get("terms") or () if str(t).strip())
    patterns: list[str] = []
    for i, entry in enumerate(raw.get("patterns") or ()):
        pattern = entry.get("pattern") if isinstance(entry, dict) else entry
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise doc.error(
                ("patterns", i), f"正则表达式有误:{exc}", f"bad pattern {pattern!r}: {exc}"
            ) from None
        patterns.append(str(pattern))
    if not terms and not patterns:
        raise doc.error(None, "词表为空", "the list has no terms or patterns")
    return SpamRules(terms=terms, patterns=tuple(patterns))


def find_injected_terms(text: str, rules: SpamRules | None = None) -> list[PlanWarning]:
    """One ``injected_term`` warning per distinct spam term, in order of first appearance."""
    matcher = (rules or load_spam_rules()).matcher
    first: dict[str, tuple[int, int, str]] = {}
    counts: dict[str, int] = {}
    for m in matcher.finditer(text):
        key = m.group().casefold()
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, (m.start(), m.end(), m.group()))
    return [_warning(term, start, end, counts[key]) for key, (start, end, term) in first.items()]


def _warning(term: str, start: int, end: int, count: int) -> PlanWarning:
    return PlanWarning(
        code="injected_term",
        message_zh=(
            f"文中出现疑似被注入的赌博类垃圾词“{term}”,共 {count} 处(首处在第 {start} 个字符);"
            "网页可能被篡改过,请与发文机关的原件核对。"
        ),
        message_en=(
            f"Suspected injected gambling spam term '{term}' appears {count} time"
            f"{'s' if count != 1 else ''} (first at character {start}); the page may have been "
            "tampered with. Check against the issuer's original."
        ),
        start=start,
        end=end,
    )
