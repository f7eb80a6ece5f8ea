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
from dataclasses import dataclass

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract.clauses import Sentence, split_clauses, split_sentences
from rulesengine.extract.names import canonical_name, read_form
from rulesengine.extract.numbers import CN_DIGITS, NumberMention, find_numbers
from rulesengine.extract.phrasing import Phrasing, default_phrasing
from rulesengine.extract.sections import Stance, read_sections
from rulesengine.extract.tables import TableRow, read_table_rows
from rulesengine.extract.textlayer import normalize
from rulesengine.model import Basis, Comparator, Form, Indicator, Kind, Period, Span, Target

__all__ = ["extract_targets"]

_PUNCT = re.compile(r"[\s，,。；;：:、（）()“”\"'《》【】\[\]|—\-·.]+")
_YEAR = re.compile(r"(到|至|在)?(\d{4})年(前|底|末)?")
_COMPARE_BASE = re.compile(r"(较|比|相比|对比)\d{4}年")
_COMPARED_WITH = re.compile(r"(较|比|相比|对比)(上年|去年|上一年|\d{4}年)(同期)?")
_LIST_SPLIT = re.compile(r"[、和及与]")
_ENUM_SPLIT = re.compile(r"、")
_ETC = re.compile(r"等[\u4e00-\u9fff]{0,6}?(营业收入|收入|增加值|产值|规模)")
_COUNT_FORMS = {Form.count}
_PERIOD_WORDS = ("全年", "年度")
_NAME_QUOTES = ("“", "「", '"', "《")
_CLOSE_QUOTE = re.compile(r"[”」\"》]")
_LIST_ENDS = "和、，,。；;及与等\n"
_HAS_DIGIT = re.compile(r"\d")
_TABLE_CELL = re.compile(r"\|\s*+([^|]{0,8}?)\s*+(?=\|)")  # possessive: no square cost on a run of spaces
_PAIR_VALUE = re.compile(r"[\d.]+(?![\dA-Za-z])")
_YEAR_START = re.compile(r"\d{4}\s*[-—–~至年]")
_YEAR_WORD = re.compile(r"\d{4}(\s*[-—–~至]\s*\d{4})?年")
_PERCENT_UNITS = {"%", "个百分点"}
_BREAK = re.compile(r"[，,。；;：:\n]")
_ENUMERATION_SEP = re.compile(r"[、和及]")
_NOUN_MAX = 14  # the longest noun a count written before it names
_ENUMERATION_MAX = 60  # how far back from 等 the enumeration it closes may start
_VERB_PREFIX_MAX = 4  # adverbs before the verb that opens an enumeration (全力打造, 加快推动)
_MODIFIER_MAX = 6  # modifiers before the head noun of a count ("标杆性", "苏州市级以上")
_INHERIT_RESIDUAL = 2  # words left before a bare number that still let it inherit ("首季")
_PARAGRAPH_LOOKBACK = 400  # how far back a sentence looks for its paragraph's opener
_OPENER_NOISE = ' \t\u3000“"「(（'
_OPENER = 12  # the opener of a paragraph: "2024年,", "过去一年,"
# Longer than any sentence of real prose; bounds what a text without stops costs per number.
_SENTENCE_MAX = 1000


def _start(n: NumberMention) -> int:
    return n.start


def _between(nums: list[NumberMention], lo: int, hi: int) -> list[NumberMention]:
    """The mentions starting in lo..hi, by bisection: nums are in order of start, and a scan of
    all of them for every number costs the square of the numbers in a sentence."""
    return nums[bisect_left(nums, lo, key=_start) : bisect_left(nums, hi, key=_start)]


def _starting_at(nums: list[NumberMention], pos: int) -> list[NumberMention]:
    return nums[bisect_left(nums, pos, key=_start) : bisect_right(nums, pos, key=_start)]


@dataclass(frozen=True)
class _Resolved:
    indicator: str
    term_start: int | None
    confidence: float
    unit: str


@dataclass
class _Prior:
    """The last target of the sentence: what a bare "、力争10%" inherits."""

    indicator: str
    unit: str | None
    end: int


class _Extractor:
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
            rf"(?:(?!(?:{joins})[\d{CN_DIGITS}])[^，,。；;：:、+＋\s]){{1,{_NOUN_MAX}}}"
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

    # -- small helpers ---------------------------------------------------------------------
    def _strip_words(self, s: str, words: list[str] | tuple[str, ...]) -> str:
        s = _PUNCT.sub("", s)
        for w in words:
            s = s.replace(w, "")
        return s

    def _residual(self, s: str) -> str:
        """What is left of s once predicate words (增长, 力争, 达 …) and "等…" are removed.

        In a table row ("规上工业增加值 | 亿元 | 增长7%以上") a cell holding only a unit is no
        subject either.
        """
        s = _TABLE_CELL.sub(lambda m: "|" if m.group(1) in self.unit_texts else m.group(0), s)
        s = _COMPARED_WITH.sub("", s)
        return self._strip_words(_ETC.sub("", s), self.predicate_words)

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
            return 2 if ind.form in _COUNT_FORMS else 0
        if unit in _PERCENT_UNITS:
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
    ) -> _Resolved | None:
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
                return _Resolved(ind.id, start, 0.9, unit or ind.units[0])
        return None

    def _other_name(self, lo: int, hi: int, unit: str | None, cue: str = "") -> tuple[str, int]:
        """The canonical name of an uncatalogued subject (names.py) and where it starts."""
        raw = self.text[lo:hi]
        form = read_form(raw + cue, unit, raw, self.ph)
        name = canonical_name(raw, form, self.catalog, self.ph, self._predicates)
        offset = lo + max(0, len(raw) - len(raw.lstrip("，,、；;：: ")))
        return name, offset

    # -- per-sentence logic ----------------------------------------------------------------
    def _is_past(self, sent: Sentence, pos: int) -> bool:
        """Last year's result, not a target: said in a review section (一、2024年工作回顾), in a
        progress report (1-8月), or after a past year or cue that opens the sentence or its
        paragraph ("2024年,全市…。规上工业增长9%") with no forward word since."""
        head = self.text[sent.start : pos]
        progress = max((m.end() for p in self.ph.progress_patterns for m in p.finditer(head)), default=-1)
        if progress >= 0:  # "1-5月…增长17.8%": the year so far, unless a forward word follows
            return not self._forward(head[progress:], self.ph.future_cues)
        opener = head.lstrip(_OPENER_NOISE)
        if opener.startswith(self.ph.past_openers) and not self._forward(head, self.ph.future_cues):
            return True
        section = self.sections.at(pos)
        if section is not None and section.stance is Stance.review and "|" not in sent.text:
            return not self._forward(head)  # a table row's columns say what is target
        para = self.text.rfind("\n", max(0, sent.start - _PARAGRAPH_LOOKBACK), sent.start) + 1
        if para > 0 and section is not None and para < section.start:
            para = section.start
        if 0 < para < sent.start:
            opener = self.text[para : min(sent.start, para + _OPENER)]
            if self._past_position(opener) >= 0 and not self._forward(self.text[para:pos]):
                return True
        last_past = self._past_position(head)
        if last_past < 0:
            return False
        return not self._forward(head[last_past:], self.ph.future_cues)

    def _forward(self, head: str, words: tuple[str, ...] | None = None) -> bool:
        """A word, a year or a five-year plan of the plan's period that points forward."""
        if any(w in head for w in (self.ph.sections.forward if words is None else words)):
            return True
        if any(int(m.group(2)) >= self.period.start for m in _YEAR.finditer(head)):
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
        for m in _YEAR.finditer(head):
            year = int(m.group(2))
            if year < self.period.start and not _COMPARE_BASE.search(head[max(0, m.start() - 3) : m.end()]):
                last_past = max(last_past, m.start())
        for pos, end in self._five_year_plans(head):
            if end < self.period.start:
                last_past = max(last_past, pos)
        return last_past

    def _period_for(self, sent: Sentence, pos: int, window: str) -> Period:
        head = self.text[sent.start : pos]
        year = None
        for m in _YEAR.finditer(head):
            y = int(m.group(2))
            if self.period.start <= y <= self.period.end and not _COMPARE_BASE.search(
                head[max(0, m.start() - 3) : m.end()]
            ):
                year = y
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

    def _kind(self, sent: Sentence, n: NumberMention) -> Kind:
        head = self.text[sent.start : n.start]
        scope = Kind.baseline
        for m in self.kind_re.finditer(head):
            word = m.group(0)
            if (
                word in "；;" or word in self.ph.baseline_cues
            ):  # parallel items: a 力争 in one does not reach the next
                scope = Kind.baseline
            else:
                after = head[m.end() :]
                bare = after.lstrip("达实现").removeprefix("超过").removeprefix("突破").removeprefix("到")
                if after == "" or (_PAIR_VALUE.match(bare) and not _YEAR_START.match(bare)):
                    continue  # pair form: marks the one number right after it
                scope = Kind.stretch
        # pair form "、力争10%": the cue sits right before this number
        tail = head.rstrip()
        local = (*self.ph.stretch_cues, *self.ph.stretch_local_cues)
        if any(tail.endswith(c) or tail.endswith(c + "达") for c in local):
            return Kind.stretch
        # "争创国家级专精特新“小巨人”企业80家": a local cue reaches the first number of its clause
        # and the counts listed after it with 、 ("争创A30家以上、B40家以上")
        # that have no verb of their own ("争创A30家、B40家以上"); the nearest verb governs an item
        # ("争创A1家、新增B2家、C5家": B and C are baseline)
        clause_start = max((m.end() for m in _BREAK.finditer(head)), default=0)
        for item in reversed(head[clause_start:].split("、")):
            if any(cue in item for cue in self.ph.stretch_local_cues):
                return Kind.stretch
            if item.startswith(self._item_verbs) or "达到" in item:
                break
        return scope

    def _comparator(self, n: NumberMention, gap: str, form: Form | None) -> Comparator:
        if n.comparator is not None:
            return n.comparator
        tail = gap[-6:]
        best: tuple[int, Comparator] | None = None
        for word, comp in self.ph.comparators_before:
            idx = tail.rfind(word)
            if idx >= 0 and (best is None or idx + len(word) > best[0]):
                best = (idx + len(word), comp)
        if best is not None:
            return best[1]
        if form in (Form.growth, Form.reduction, Form.share):
            return Comparator.gte
        return Comparator.eq

    def _basis(self, window: str, form: Form | None) -> Basis:
        if any(c in window for c in self.ph.cumulative_cues):
            return Basis.cumulative
        if (
            form is Form.count
            and ("达到" in window[-8:] or "总数" in window)
            and not any(c in window for c in self.ph.flow_cues)
        ):
            return Basis.cumulative
        return Basis.annual

    def _distributed(
        self, clause: tuple[int, int], lo: int, nums: list[NumberMention]
    ) -> list[tuple[NumberMention, int, int, str]]:
        """分别/均 lists: (number, subject start, subject end, shared predicate) per item.

        "亩均税收、亩均增加值分别较上年增长6%、5.5%以上" pairs the i-th subject with the i-th number;
        "A、B、C均增长12%左右" gives every subject the one number.
        """
        text = self.text
        for marker in ("分别", "均"):
            idx = text.find(marker, lo, clause[1])
            if idx < 0:
                continue
            after = [n for n in _between(nums, idx + 1, clause[1]) if not n.followed_by_noun]
            if not after:
                continue
            predicate = text[idx : after[0].start]
            parts = self._list_items(lo, idx, _ENUM_SPLIT)
            want = len(after) if marker == "分别" else 0
            if want and len(parts) != want:
                parts = self._list_items(lo, idx, _LIST_SPLIT)
            if marker == "分别" and len(parts) == len(after) > 1:
                return [(n, p[0], p[1], predicate) for p, n in zip(parts, after, strict=True)]
            if marker == "均" and len(parts) > 1 and len(after) == 1:
                return [(after[0], p[0], p[1], predicate) for p in parts]
        return []

    def _list_items(self, lo: int, hi: int, splitter: re.Pattern[str]) -> list[tuple[int, int]]:
        """Spans of the items of an enumeration in text[lo:hi] ("A、B和C")."""
        parts: list[tuple[int, int]] = []
        pos = lo
        for piece in splitter.split(self.text[lo:hi]):
            if piece.strip():
                start = self.text.find(piece, pos, hi)
                parts.append((start, start + len(piece)))
                pos = start + len(piece)
        return parts

    def _preposed(self, n: NumberMention, nums: list[NumberMention]) -> tuple[str, int, float] | None:
        """A count written before its noun: "实施20个绿色降碳改造重点项目", "新建100家省级5G工厂".

        A catalog term there names the indicator; otherwise only a commitment verb right before
        the number makes it a target (an uncatalogued one); "支持18个示范基地" describes what
        exists. "8个左右国家级、80个省级X" shares the noun of the count after it.
        """
        pos = n.end
        while True:
            q = next((q for q in self.ph.noun_qualifiers if self.text.startswith(q, pos)), None)
            if q is None:
                break
            pos += len(q)
        if self.text.startswith("、", pos):
            nxt = next((m for m in _starting_at(nums, pos + 1) if m.followed_by_noun), None)
            if nxt is not None:
                found = self._preposed(nxt, nums)
                if found is not None:
                    return found[0], n.end, found[2]
        rest = self.text[pos : pos + 24]
        for term in self.terms:
            if rest.startswith(term):
                ind = self._best(term, n.unit, None)
                if (
                    ind is not None
                    and ind.form is Form.count
                    and not self._excluded(ind, pos, pos + len(term))
                ):
                    return ind.id, pos + len(term), 0.7
        head = self._head_term(n, pos)
        if head is not None:
            return head
        if n.unit in self.ph.money_units:
            return None  # "10亿元以上项目", "千万元以上重点项目": a size class, not a count
        if self._named_programmes(pos):
            return None  # "三个“一号工程”和…": a count of named programmes, not a target
        m = self._noun_re.match(self.text, pos)
        noun = m.group(0) if m else ""
        after = next((i for v in self.ph.postposed_target_verbs if (i := noun.find(v)) > 0), -1)
        if after > 0:  # "30个百亿级项目年内投产": the count is the subject of a commitment verb
            noun = noun[:after]
        if noun and (after > 0 or self._committed(n, nums)):
            name = canonical_name(noun, Form.count, self.catalog, self.ph, self._predicates)
            return "other:" + (name or noun), pos + len(noun), 0.5
        return None

    def _named_programmes(self, pos: int) -> bool:
        """The count's noun is a quoted name and nothing more ("三个“一号工程”和“十项重大工程”");
        a quoted name followed by a head noun ("100个“数字新基建”标志性项目") is a count of things."""
        if not self.text.startswith(_NAME_QUOTES, pos):
            return False
        close = _CLOSE_QUOTE.search(self.text, pos + 1, pos + _NOUN_MAX + 2)
        if close is None:
            return False
        after = self.text[close.end() : close.end() + 1]
        return after == "" or after in _LIST_ENDS

    def _head_term(self, n: NumberMention, pos: int) -> tuple[str, int, float] | None:
        """ "打造20家标杆性智能工厂": a Chinese noun phrase ends with its head, so a catalog term
        that ends the noun after a few modifiers names the indicator."""
        m = self._noun_re.match(self.text, pos)
        if m is None:
            return None
        noun = m.group(0)
        for term in self._terms_ending.get(noun[-1], ()):
            if noun.endswith(term) and 0 < len(noun) - len(term) <= _MODIFIER_MAX:
                ind = self._best(term, n.unit, None)
                end = pos + len(noun)
                if (
                    ind is not None
                    and ind.form is Form.count
                    and not self._excluded(ind, end - len(term), end)
                ):
                    return ind.id, end, 0.6
        return None

    def _committed(self, n: NumberMention, nums: list[NumberMention], depth: int = 0) -> bool:
        """A commitment verb governs a count written before its noun.

        The verb stands right before the number ("新建100家省级5G工厂"); or before the names a 等
        closes ("打造A、B和C等4个世界级集群": the count right after 等 sums the enumeration); or
        before the count the number is joined to by 和/及 ("完成5家X关改搬转和2家Y搬迁改造任务":
        the second item shares the first's verb).
        """
        before = self.text[max(0, n.start - 6) : n.start]
        if any(before.endswith(v) for v in self.ph.preposed_target_verbs):
            return True
        if before.endswith("等"):
            return self._enumeration_committed(n, nums)
        conj = next((c for c in self.ph.shared_verb_conjunctions if before.endswith(c)), None)
        if conj is None or depth > 4:
            return False
        before_n = bisect_left(nums, n.start, key=_start)
        prev = next((nums[i] for i in range(before_n - 1, -1, -1) if nums[i].end < n.start), None)
        if prev is None or not prev.followed_by_noun:
            return False
        joined = self.text[prev.end : n.start - len(conj)]
        return (
            0 < len(joined) <= _NOUN_MAX
            and not _BREAK.search(joined)
            and self._committed(prev, nums, depth + 1)
        )

    def _enumeration_committed(self, n: NumberMention, nums: list[NumberMention]) -> bool:
        """ "打造A、B和C等4个X": names only between a commitment verb and 等, in one clause."""
        etc = n.start - 1
        head_start = max(0, etc - _ENUMERATION_MAX)
        lo = max((b.end() for b in _BREAK.finditer(self.text, head_start, etc)), default=head_start)
        if _between(nums, lo, etc):
            return False
        head = self.text[lo:etc]
        first = _ENUMERATION_SEP.search(head)
        if first is None:
            return False
        for verb in self.ph.preposed_target_verbs:
            at = head.find(verb, 0, first.start())
            if 0 <= at <= _VERB_PREFIX_MAX and at + len(verb) < first.start():
                return True
        return False

    def _is_qualifier_list(self, n: NumberMention, nums: list[NumberMention]) -> bool:
        """ "5亿元、10亿元以上头部企业": the first number qualifies the same noun as the second."""
        if not self.text.startswith("、", n.end):
            return False
        nxt = next(iter(_starting_at(nums, n.end + 1)), None)
        return bool(nxt and nxt.followed_by_noun and nxt.unit == n.unit)

    def extract(self) -> list[Target]:
        numbers = find_numbers(self.text, self.ph)
        starts = [n.start for n in numbers]
        targets: list[Target] = []
        for sent in split_sentences(self.text, _SENTENCE_MAX):
            nums = numbers[bisect_left(starts, sent.start) : bisect_left(starts, sent.end)]
            if nums:
                targets.extend(self._sentence(sent, nums))
        unique: dict[tuple[object, ...], Target] = {}
        for t in targets:
            unique.setdefault((t.indicator, t.value, t.kind, t.span.start, t.span.end), t)
        return sorted(unique.values(), key=lambda t: (t.span.start, t.span.end, t.indicator))

    def _stock(self, clause_head: str, n: NumberMention) -> bool:
        """ "规上工业企业达到1500家": a count reached, not added, in its own clause."""
        if n.unit in _PERCENT_UNITS or n.unit in self.ph.money_units:
            return False
        item = clause_head[max(clause_head.rfind("、"), clause_head.rfind("和")) + 1 :]
        verbs = [c for c in self.ph.flow_cues if c not in _PERIOD_WORDS]  # 全年 is no flow of its own
        return ("达到" in item[-8:] or "总数" in item) and not any(c in item for c in verbs)

    def _cumulative(self, sent: Sentence, pos: int) -> bool:
        return any(c in self.text[max(sent.start, pos - 12) : pos] for c in self.ph.cumulative_cues)

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

    def _capacity(self, n: NumberMention) -> bool:
        """年产100万辆…基地: a capacity that names a project, not a target."""
        before = self.text[max(0, n.start - 4) : n.start]
        return any(before.endswith(p) for p in self.ph.capacity_prefixes)

    def _sentence(self, sent: Sentence, nums: list[NumberMention]) -> list[Target]:
        out: list[Target] = []
        nums = [n for n in self._target_column(nums) if not self._capacity(n)]
        clauses = split_clauses(sent)
        clause_starts = [c[0] for c in clauses]
        prior: _Prior | None = None
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
                prior = _Prior(out[-1].indicator, n.unit, q_end)
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
                and len(residual) <= _INHERIT_RESIDUAL
                and self._inheritable(prior.indicator, cumulative)
            ):
                ind_id, start, unit, confidence = prior.indicator, lo, n.unit or "", 0.8
            else:
                # an uncatalogued prior did not take the subject named before it ("制造业有效投资
                # 规模达到350亿,力争超过400亿,每年平均增速保持在15%以上")
                since = prior.end if prior and not prior.indicator.startswith("other:") else sent.start
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
            prior = _Prior(ind_id, n.unit, n.end)
        return out

    def _inheritable(self, indicator: str, cumulative: bool) -> bool:
        ind = self.catalog.get(indicator)
        return ind is None or not (cumulative and ind.basis is Basis.annual)

    def _resolve_back(self, s_start: int, lo: int, n: NumberMention) -> _Resolved | None:
        """A bare "完成年度投资1750亿元": the subject was named earlier in the sentence."""
        head = self.text[s_start:lo]
        if any(q in head for q in self.ph.subset_qualifiers):
            return None
        for start, end, term in self._terms_in(s_start, lo)[:1]:
            ind = self._best(term, n.unit, None)
            if ind is not None and not self._excluded(ind, start, end):
                return _Resolved(ind.id, start, 0.6, n.unit or ind.units[0])
        return None

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
    found = _Extractor(normal.text, period, catalog or default_catalog(), phrasing).extract()
    if normal.text == text:
        return found
    out: list[Target] = []
    for t in found:
        start, end = normal.to_original(t.span.start, t.span.end)
        out.append(t.model_copy(update={"quote": text[start:end], "span": Span(start=start, end=end)}))
    return out
