"""Which catalog indicator a number measures: the nearest catalog term before it, with only
predicate words in between, whose form and unit fit the number (and whose basis fits a stock or
a flow); or the subject named earlier in the sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache

from rulesengine.extract.context import (
    COUNT_FORMS,
    PERCENT_UNITS,
    PUNCT,
    TABLE_CELL,
    TARGET_YEAR,
    ExtractionContext,
    Resolved,
)
from rulesengine.extract.numbers import NumberMention
from rulesengine.model import Basis, Form, Indicator

__all__ = ["IndicatorResolver"]


@cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


class IndicatorResolver(ExtractionContext):
    """Mixin of the extractor (targets.py); reads the state ExtractionContext declares."""

    def _strip_words(self, s: str, words: list[str] | tuple[str, ...]) -> str:
        """s without punctuation and without the words, longest first; a word that only forms
        once others are gone ("增保持长" → "增长") goes too, as replacing them one by one did."""
        s = PUNCT.sub("", s)
        if not s:
            return s
        pattern = _word_pattern(tuple(words))
        while True:
            stripped = pattern.sub("", s)
            if stripped == s:
                return s
            s = stripped

    def _residual(self, s: str) -> str:
        """What is left of s once predicate words (增长, 力争, 达 …) and "等…" are removed.

        In a table row ("规上工业增加值 | 亿元 | 增长7%以上") a cell holding only a unit is no
        subject either.
        """
        s = TABLE_CELL.sub(lambda m: "|" if m.group(1) in self.unit_texts else m.group(0), s)
        s = self.ph.compared_with_re.sub("", s)
        s = TARGET_YEAR.sub("", self.ph.five_year_plan.sub("", s))  # "到2027年", "到“十四五”末"
        return self._strip_words(self.ph.etc_re.sub("", s), self.predicate_words)

    def _is_predicate_only(self, s: str) -> bool:
        return not self._residual(s)

    def _form_cue(self, s: str) -> Form | None:
        for form in ("share", "reduction", "growth"):
            if any(w in s for w in self.ph.form_cues[form]):
                return Form(form)
        return None

    def _compatible(self, ind: Indicator, unit: str | None, cue: Form | None) -> int:
        """0 = incompatible; higher = better fit of this indicator to the number's unit."""
        if unit is None:  # 零的突破: only a count can have a first
            return 2 if ind.form in COUNT_FORMS else 0
        if unit in PERCENT_UNITS:
            if ind.form not in (Form.growth, Form.share, Form.reduction):
                return 0
            if cue is None:
                return 2 if ind.form is Form.growth else 1
            return 3 if ind.form is cue else 0
        if ind.form is Form.count:
            if unit in self.ph.money_units or "/" in unit:
                return 0
            return 3 if unit in ind.units else 2
        if ind.form is Form.level:
            return 3 if unit in ind.units else 0
        return 0

    def _best(
        self, term: str, unit: str | None, cue: Form | None, cumulative: bool | None = None
    ) -> Indicator | None:
        """The indicator a term names for this unit and form cue; when the basis is known, one
        whose basis fits it (规上工业企业: the flow, or the stock after 累计/总数/达到)."""
        scored = [(self._compatible(i, unit, cue), i) for i in self.catalog.by_term(term)]
        scored = [s for s in scored if s[0] > 0]
        if cumulative is not None:
            scored = [s for s in scored if self._basis_fits(s[1], cumulative)]
        if not scored:
            return None
        scored.sort(key=lambda s: (-s[0], s[1].id))
        return scored[0][1]

    @staticmethod
    def _basis_fits(ind: Indicator, cumulative: bool) -> bool:
        if ind.basis is Basis.cumulative:
            return cumulative  # 规上工业企业总数 is the stock: "新增规上工业企业50家" is the flow
        return not (cumulative and ind.basis is Basis.annual)

    def _term_index(self) -> list[tuple[int, int, str]]:
        """Every catalog term occurrence in the text, found once per document (by start)."""
        if self._occurrences is None:
            found: list[tuple[int, int, str]] = []
            for term in self.terms:
                pos = self.text.find(term)
                while pos >= 0:
                    found.append((pos, pos + len(term), term))
                    pos = self.text.find(term, pos + 1)
            found.sort()
            self._occurrences = found
            self._starts = [f[0] for f in found]
        return self._occurrences

    def _terms_in(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Catalog terms inside text[lo:hi], nearest end first, then longest."""
        occurrences = self._term_index()
        first = bisect_left(self._starts, lo)
        found = [o for o in occurrences[first : bisect_left(self._starts, hi)] if o[1] <= hi]
        found.sort(key=lambda f: (-f[1], -(f[1] - f[0])))
        return found

    def _excluded(self, ind: Indicator, start: int, end: int) -> bool:
        """True when the term at start..end sits inside one of the indicator's excludes."""
        for phrase in ind.excludes:
            lo = max(0, end - len(phrase))
            idx = self.text.find(phrase, lo, start + len(phrase))
            if 0 <= idx <= start and idx + len(phrase) >= end:
                return True
        return False

    def _usable(self, ind: Indicator, start: int, end: int, cumulative: bool) -> bool:
        if self._excluded(ind, start, end):
            return False
        return self._basis_fits(ind, cumulative)

    def _resolve(
        self, lo: int, hi: int, unit: str | None, cue_hint: str = "", cumulative: bool = False
    ) -> Resolved | None:
        """The catalog indicator named in text[lo:hi] right before a number, if any."""
        head = self.text[lo:hi]
        if any(q in head for q in self.ph.subset_qualifiers):
            return None
        for start, end, term in self._terms_in(lo, hi):
            gap = self.text[end:hi]
            if not self._is_predicate_only(gap):
                continue
            ind = self._best(term, unit, self._form_cue(gap + cue_hint), cumulative)
            if ind is not None and self._usable(ind, start, end, cumulative):
                return Resolved(ind.id, start, 0.9, unit or ind.units[0])
        return None

    def _resolve_back(self, s_start: int, lo: int, n: NumberMention) -> Resolved | None:
        """A bare "完成年度投资1750亿元": the subject was named earlier in the sentence."""
        head = self.text[s_start:lo]
        if any(q in head for q in self.ph.subset_qualifiers):
            return None
        found = self._terms_in(s_start, lo)
        if not found:
            return None
        near_start, near_end = found[0][0], found[0][1]
        # the nearest phrase only, read as each term inside it ("规上工业增加值增长…达到3000亿元":
        # the growth's name does not fit 亿元, its level does)
        for start, end, term in found:
            if end <= near_start or start >= near_end:
                continue
            ind = self._best(term, n.unit, None)
            if ind is not None and not self._excluded(ind, start, end):
                return Resolved(ind.id, start, 0.6, n.unit or ind.units[0])
        return None

    def _inheritable(self, indicator: str, cumulative: bool) -> bool:
        ind = self.catalog.get(indicator)
        return ind is None or not (cumulative and ind.basis is Basis.annual)
