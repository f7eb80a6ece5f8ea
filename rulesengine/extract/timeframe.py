"""Whether a number is last year's result or this plan's target, and for which period: the
section it sits in, a progress report (1-8月), a past year, cue or five-year plan that opens
its sentence or paragraph, unless a forward word follows.
"""

from __future__ import annotations

from bisect import bisect_right

from rulesengine.extract.clauses import Sentence, lines
from rulesengine.extract.context import OPENER, OPENER_NOISE, PARAGRAPH_LOOKBACK, YEAR
from rulesengine.extract.sections import Stance, heading_rank
from rulesengine.extract.vocabulary import IndicatorResolver
from rulesengine.model import Period

__all__ = ["Timeframe"]


class Timeframe(IndicatorResolver):
    """Mixin of the extractor (targets.py); reads the state ExtractionContext declares."""

    def _is_past(self, sent: Sentence, pos: int) -> bool:
        """Last year's result, not a target: said in a review section (一、2024年工作回顾), in a
        progress report (1-8月), or after a past year or cue that opens the sentence or its
        paragraph ("2024年,全市…。规上工业增长9%") with no forward word since."""
        head = self.text[sent.start : pos]
        progress = max((m.end() for p in self.ph.progress_patterns for m in p.finditer(head)), default=-1)
        if progress >= 0:  # "1-5月…增长17.8%": the year so far, unless a forward word follows
            return not self._forward(head[progress:], self.ph.future_cues)
        opener = head.lstrip(OPENER_NOISE)
        if opener.startswith(self.ph.past_openers) and not self._forward(head, self.ph.future_cues):
            return True
        section = self.sections.at(pos)
        if section is not None and section.stance is Stance.review and "|" not in sent.text:
            return not self._forward(head)  # a table row's columns say what is target
        if self._in_review_run(pos) and not self._forward(head):
            return True
        newline = self.text.rfind("\n", max(0, sent.start - PARAGRAPH_LOOKBACK), sent.start)
        # no line break within reach: the paragraph's opener is out of sight, unless it is the text's
        para = newline + 1 if newline >= 0 or sent.start <= PARAGRAPH_LOOKBACK else sent.start
        if para > 0 and section is not None and para < section.start:
            para = section.start
        if para < sent.start:
            opener = self.text[para : min(sent.start, para + OPENER)]
            if self._past_position(opener) >= 0 and not self._forward(self.text[para:pos]):
                return True
        last_past = self._past_position(head)
        if last_past < 0:
            return False
        return not self._forward(head[last_past:], self.ph.future_cues)

    def _in_review_run(self, pos: int) -> bool:
        """News accounts of a 政府工作报告 review the past year over several paragraphs: one opened
        by a past year or cue ("王浩说,2022年,…") and the ones after it that name no plan year,
        forward word or heading of their own ("具体来看,在工业经济方面,…")."""
        if self._runs is None:
            self._runs = []
            run_start: int | None = None
            for start, line in lines(self.text):
                body = line.strip()
                if not body:
                    continue
                heading = heading_rank(body, self.ph) is not None
                opened = self._past_position(body[:OPENER]) >= 0
                if heading or self._forward(body) or not (opened or run_start is not None):
                    if run_start is not None:
                        self._runs.append((run_start, start))
                        run_start = None
                    continue
                if run_start is None:
                    run_start = start
            if run_start is not None:
                self._runs.append((run_start, len(self.text)))
            self._run_starts = [a for a, _ in self._runs]
        i = bisect_right(self._run_starts, pos) - 1
        return i >= 0 and pos < self._runs[i][1]

    def _forward(self, head: str, words: tuple[str, ...] | None = None) -> bool:
        """A word, a year or a five-year plan of the plan's period that points forward."""
        if any(w in head for w in (self.ph.sections.forward if words is None else words)):
            return True
        if any(int(m.group(2)) >= self.period.start for m in YEAR.finditer(head)):
            return True
        return any(end >= self.period.start for _, end in self._five_year_plans(head))

    def _five_year_plans(self, head: str) -> list[tuple[int, int]]:
        """(position, last year) of each five-year plan named: “十四五” → 2025."""
        if "五" not in head:
            return []
        found = []
        for m in self.ph.five_year_plan.finditer(head):
            n = 10 + "一二三四五六七八九".index(m.group(1)) + 1
            found.append((m.start(), 1981 + 5 * (n - 6) + 4))
        return found

    def _past_position(self, head: str) -> int:
        last_past = -1
        for cue in self.ph.past_cues:
            last_past = max(last_past, head.rfind(cue))
        for m in YEAR.finditer(head):
            year = int(m.group(2))
            if year < self.period.start and not self.ph.compare_base_re.search(
                head[max(0, m.start() - 3) : m.end()]
            ):
                last_past = max(last_past, m.start())
        for pos, end in self._five_year_plans(head):
            if end < self.period.start:
                last_past = max(last_past, pos)
        return last_past

    def _period_for(self, sent: Sentence, pos: int, window: str) -> Period:
        head = self.text[sent.start : pos]
        year = None
        for m in YEAR.finditer(head):
            y = int(m.group(2))
            if self.ph.compare_base_re.search(head[max(0, m.start() - 3) : m.end()]):
                continue
            # a year of the plan, or a later one it sets a target for ("到2027年", "2026年底")
            if self.period.start <= y <= self.period.end or (
                y > self.period.end and (m.group(1) in ("到", "至") or m.group(3))
            ):
                year = y
        for at, end in self._five_year_plans(head):  # 到“十四五”末: the plan's last year
            if end >= self.period.start and "末" in head[at : at + 8]:
                year = end
        if year is None:
            section = self.sections.at(pos)
            if (
                section is not None
                and section.year is not None
                and self.period.covers(Period(start=section.year, end=section.year))
            ):
                year = section.year
        sub = None
        for word, code in self.sub_periods:
            if window.endswith(word) or window[-len(word) - 2 :].find(word) >= 0:
                sub = code
                break
        if year is None and sub is None:
            return self.period
        y = year if year is not None else self.period.end
        return Period(start=y, end=y, sub=sub)
