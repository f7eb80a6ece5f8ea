"""Turns plan text into typed targets, each with the exact quote and span it came from.

The extractor is deliberately rule-based and explainable: a reviewer must be able to see why a
number became a target. For every number with a unit it asks, in order: is it a target at all
(not a name, a qualifier like 10亿元以上项目, or last year's statistic)? Which indicator does it
measure (the catalog term nearest before it, with only predicate words in between; or, in
"增长6%、力争10%" and "一季度30%、二季度60%", the indicator of the number before it)? Baseline or
stretch, annual or cumulative, for which period? Every answer comes from rules/phrasing.yaml
and rules/indicators.yaml.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract.clauses import Sentence, split_clauses, split_sentences
from rulesengine.extract.context import INHERIT_RESIDUAL, NOUN_MAX, SENTENCE_MAX, Prior
from rulesengine.extract.lists import Lists
from rulesengine.extract.names import canonical_name, read_form
from rulesengine.extract.numbers import CN_DIGITS, NumberMention, find_numbers
from rulesengine.extract.phrasing import Phrasing, default_phrasing
from rulesengine.extract.sections import read_sections
from rulesengine.extract.tables import TableRow, read_table_rows
from rulesengine.extract.textlayer import normalize
from rulesengine.model import Basis, Comparator, Period, Span, Target

__all__ = ["extract_targets"]


class _Extractor(Lists):
    """One document's extraction: the mixins' questions asked of every number, in order."""

    def __init__(self, text: str, period: Period, catalog: Catalog, ph: Phrasing) -> None:
        self.text = text
        self.period = period
        self.catalog = catalog
        self.ph = ph
        self.terms = catalog.terms()
        self._terms_ending: dict[str, list[str]] = {}
        for term in self.terms:  # longest first, as terms() gives them
            self._terms_ending.setdefault(term[-1], []).append(term)
        self._occurrences: list[tuple[int, int, str]] | None = None
        self._leads: list[tuple[int, int]] | None = None
        self._runs: list[tuple[int, int]] | None = None
        self._run_starts: list[int] = []
        self.sections = read_sections(text, period, ph)
        self._item_verbs = (*ph.preposed_target_verbs, *ph.flow_cues)
        self.sub_periods = sorted(ph.sub_periods.items(), key=lambda kv: -len(kv[0]))
        self.table_rows = read_table_rows(text, ph) if "|" in text else []
        self._row_starts = [r.start for r in self.table_rows]
        cues = sorted({*ph.stretch_cues, *ph.baseline_cues}, key=lambda w: -len(w))
        self.kind_re = re.compile("|".join([*map(re.escape, cues), "[；;]"]))
        self._starts: list[int] = []
        # The noun after a count: up to a clause break, a list comma, or a conjunction that
        # joins the next count ("5家X和2家Y": X ends before 和).
        joins = "|".join(map(re.escape, ph.shared_verb_conjunctions))
        self._noun_re = re.compile(
            rf"(?:(?!(?:{joins})[\d{CN_DIGITS}])[^，,。；;：:、+＋\s]){{1,{NOUN_MAX}}}"
        )
        self.unit_texts = {u.text for u in ph.units} | {u.canonical for u in ph.units} | {""}
        self.predicate_words = sorted(
            {
                *ph.generic_words,
                *ph.stretch_cues,
                *ph.baseline_cues,
                *ph.cumulative_cues,
                *ph.flow_cues,
                *(w for ws in ph.form_cues.values() for w in ws),
                *(w for w, _ in ph.comparators_before),
                *ph.sub_periods,
                "到",
                "为",
                "实现",
                "保持在",
            },
            key=lambda w: (-len(w), w),  # then by the word: a set's order changes per process
        )
        self._predicates = tuple(self.predicate_words)

    def _other_name(self, lo: int, hi: int, unit: str | None, cue: str = "") -> tuple[str, int]:
        """The canonical name of an uncatalogued subject (names.py) and where it starts."""
        raw = self.text[lo:hi]
        form = read_form(raw + cue, unit, raw, self.ph)
        name = canonical_name(raw, form, self.catalog, self.ph, self._predicates)
        offset = lo + max(0, len(raw) - len(raw.lstrip("，,、；;：: ")))
        return name, offset

    def extract(self) -> list[Target]:
        numbers = find_numbers(self.text, self.ph)
        starts = [n.start for n in numbers]
        targets: list[Target] = []
        for sent in split_sentences(self.text, SENTENCE_MAX):
            nums = numbers[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)]
            if nums:
                targets.extend(self._sentence(sent, nums))
        unique: dict[tuple[object, ...], Target] = {}
        for t in targets:
            unique.setdefault((t.indicator, t.value, t.kind, t.span.start, t.span.end), t)
        return sorted(unique.values(), key=lambda t: (t.span.start, t.span.end, t.indicator))

    def _row_of(self, pos: int) -> TableRow | None:
        i = bisect_left(self._row_starts, pos + 1) - 1
        if i >= 0 and self.table_rows[i].start <= pos < self.table_rows[i].end:
            return self.table_rows[i]
        return None

    def _target_column(self, nums: list[NumberMention]) -> list[NumberMention]:
        """In a row under a "目标 | 完成情况" header, only the number in the target column."""
        row = self._row_of(nums[0].start) if self.table_rows else None
        if row is None:
            return nums
        cell = {n.start: self.text.count("|", row.start, n.start) for n in nums}
        numeric = sorted(set(cell.values()))
        if row.target_order >= len(numeric):
            return []
        return [n for n in nums if cell[n.start] == numeric[row.target_order]]

    def _sentence(self, sent: Sentence, nums: list[NumberMention]) -> list[Target]:
        out: list[Target] = []
        nums = [n for n in self._target_column(nums) if not self._capacity(n)]
        clauses = split_clauses(sent)
        clause_starts = [c[0] for c in clauses]
        prior: Prior | None = None
        consumed: set[int] = set()
        for n in nums:
            if n.start in consumed or self._is_past(sent, n.start):
                continue
            at = bisect_right(clause_starts, n.start) - 1  # clauses are in order and do not overlap
            clause = clauses[at] if at >= 0 and n.start < clauses[at][1] else (sent.start, sent.end)
            lo = max(clause[0], prior.end if prior else sent.start)
            if n.followed_by_noun:
                pre = self._preposed(n, nums)
                if pre is not None:
                    ind_id, end, conf = pre
                    unit = n.unit or ""
                    out.append(self._make(sent, n, ind_id, n.start, end, "", conf, unit))
                continue
            if self._is_qualifier_list(n, nums):
                continue
            paired = self._paired(clause, lo, nums)
            if paired and any(m is n for m, _, _ in paired):
                for m, subject, predicate in paired:
                    consumed.add(m.start)
                    out.append(self._paired_target(sent, m, subject, predicate, lo))
                prior = Prior(out[-1].indicator, n.unit, paired[-1][0].end)
                continue
            dist = self._distributed(clause, lo, nums)
            if dist and any(d[0] is n for d in dist):
                q_start = min(d[1] for d in dist)
                q_end = max(d[0].end for d in dist)
                shared = next((d[0].comparator for d in reversed(dist) if d[0].comparator), None)
                for m, s_start, s_end, predicate in dist:
                    consumed.add(m.start)
                    res = self._resolve(
                        s_start,
                        s_end,
                        m.unit,
                        predicate,
                        self._cumulative(sent, m.start) or "达到" in predicate,
                    )
                    if res is not None:
                        ind_id, unit = res.indicator, res.unit
                    else:
                        name, _ = self._other_name(s_start, s_end, m.unit, predicate)
                        ind_id, unit = "other:" + (name or "未命名"), m.unit or ""
                    comp = m.comparator or shared
                    out.append(self._make(sent, m, ind_id, q_start, q_end, predicate, 0.8, unit, comp))
                prior = Prior(out[-1].indicator, n.unit, q_end)
                continue
            window = self.text[lo : n.start]
            cumulative = self._cumulative(sent, n.start) or self._stock(self.text[clause[0] : n.start], n)
            res = self._resolve(lo, n.start, n.unit, cumulative=cumulative)
            residual = self._residual(window)
            if res is not None:
                ind_id, start, unit, confidence = res.indicator, res.term_start or lo, res.unit, 0.9
            elif (
                prior is not None
                and prior.unit == n.unit
                and len(residual) <= INHERIT_RESIDUAL
                and self._inheritable(prior.indicator, cumulative)
            ):
                ind_id, start, unit, confidence = prior.indicator, lo, n.unit or "", 0.8
            elif (
                prior is not None
                and cumulative
                and prior.unit == n.unit
                and len(residual) <= INHERIT_RESIDUAL
                and (stock := self._stock_of(prior.indicator)) is not None
            ):
                # "新增规上工业企业1500家、总数突破2万家": the total of the flow just named
                ind_id, start, unit, confidence = stock, lo, n.unit or "", 0.7
            else:
                # an uncatalogued prior did not take the subject named before it ("制造业有效投资
                # 规模达到350亿,力争超过400亿,每年平均增速保持在15%以上")
                # nor did one of another unit ("X年均增长14%,到“十四五”末达到1000亿元": X's level)
                since = (
                    prior.end
                    if prior and not prior.indicator.startswith("other:") and prior.unit == n.unit
                    else sent.start
                )
                back = self._resolve_back(since, lo, n) if not residual else None
                if back is not None:
                    ind_id, start, unit, confidence = back.indicator, lo, back.unit, 0.6
                else:
                    name, start = self._other_name(lo, n.start, n.unit)
                    if not name and prior is None:
                        name, _ = self._other_name(sent.start, n.start, n.unit)
                    ind_id, unit, confidence = "other:" + (name or "未命名"), n.unit or "", 0.5
            start = max(start, n.start - 40)
            while start < n.start and self.text[start] in "，,、；;：: \n":
                start += 1
            out.append(self._make(sent, n, ind_id, start, n.end, window, confidence, unit))
            prior = Prior(ind_id, n.unit, n.end)
        return out

    def _stock_of(self, indicator: str) -> str | None:
        """The catalog's stock (basis cumulative) of the same concept as an annual flow."""
        ind = self.catalog.get(indicator)
        if ind is None or ind.basis is Basis.cumulative:
            return None
        stock = next(
            (
                o
                for o in self.catalog.same_concept(indicator)
                if o.basis is Basis.cumulative and o.form is ind.form
            ),
            None,
        )
        return stock.id if stock is not None else None

    def _paired_target(
        self, sent: Sentence, n: NumberMention, subject: str, predicate: str, lo: int
    ) -> Target:
        """One half of a paired subject (城镇… of 城乡…分别): the catalog term the half names, else
        its canonical name; quoted from the subject's start to this number."""
        cue = self._form_cue(predicate)
        ind = next(
            (
                i
                for t in self.catalog.terms()
                if t in subject
                if (i := self._best(t, n.unit, cue)) is not None
            ),
            None,
        )
        if ind is not None:
            indicator, unit = ind.id, n.unit or ind.units[0]
        else:
            form = read_form(subject + predicate, n.unit, subject, self.ph)
            indicator = "other:" + (
                canonical_name(subject, form, self.catalog, self.ph, self._predicates) or subject
            )
            unit = n.unit or ""
        start = lo + len(self.text[lo : n.start]) - len(self.text[lo : n.start].lstrip("，,、；;：: "))
        return self._make(sent, n, indicator, start, n.end, predicate, 0.8, unit)

    def _make(
        self,
        sent: Sentence,
        n: NumberMention,
        indicator: str,
        start: int,
        end: int,
        window: str,
        confidence: float,
        unit: str,
        comparator: Comparator | None = None,
    ) -> Target:
        # A quote holds its number whatever the path: a window that starts past the number (two
        # mentions over the same digits, 全省前20名) gave an empty span, and Target refused it.
        start, end = min(start, n.start), max(end, n.end)
        ind = self.catalog.get(indicator)
        form = ind.form if ind else self._form_cue(window)
        period = self._period_for(sent, n.start, self.text[max(sent.start, n.start - 8) : n.start])
        return Target(
            indicator=indicator,
            value=n.value,
            value_max=n.value_max,
            unit=unit,
            comparator=comparator or self._comparator(n, window, form),
            kind=self._kind(sent, n),
            basis=self._basis(self.text[sent.start : n.start][-30:], form),
            period=period,
            quote=self.text[start:end],
            span=Span(start=start, end=end),
            confidence=confidence,
        )


_AVERAGE_REACH = 10  # characters before a rate in which 年均/每年平均 says it is an average


def _averages(found: list[Target], text: str, period: Period, ph: Phrasing) -> list[Target]:
    """A rate said to hold each year on average up to a later year (到2026年…每年平均增速15%) is
    a target for every year from the plan's first year: its period becomes that span and its
    basis ``average``, so a 2023 check compares it with the parent's 2023 rate."""
    out: list[Target] = []
    for t in found:
        window = text[max(0, t.span.start - _AVERAGE_REACH) : t.span.end]
        if (
            t.unit in ("%", "个百分点")
            and t.basis is Basis.annual
            and not t.period.is_span
            and period.start < t.period.end
            and any(c in window for c in ph.average_cues)
        ):
            span = Period(start=period.start, end=t.period.end)
            t = t.model_copy(update={"period": span, "basis": Basis.average})
        out.append(t)
    return out


def extract_targets(
    text: str,
    period: Period | str,
    catalog: Catalog | None = None,
    phrasing: Phrasing | None = None,
) -> list[Target]:
    """All targets of a plan text, in document order; every quote equals text[span]."""
    if not isinstance(period, Period):
        period = Period.model_validate(period)
    phrasing = phrasing or default_phrasing()
    normal = normalize(text, phrasing)
    found = _averages(
        _Extractor(normal.text, period, catalog or default_catalog(), phrasing).extract(),
        normal.text,
        period,
        phrasing,
    )
    return normal.quoted_in_original(found)
