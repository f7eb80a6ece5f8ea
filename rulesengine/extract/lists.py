"""Numbers that share words with their neighbours: 分别/均 lists, counts written before their
noun ("新建100家省级5G工厂") with the verb that makes them commitments, enumerations closed by
等, and counts that qualify or name rather than commit.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from rulesengine.extract.context import (
    BREAK,
    CLOSE_QUOTE,
    DOUBLE,
    ENUM_SPLIT,
    ENUMERATION_MAX,
    ENUMERATION_SEP,
    LIST_ENDS,
    LIST_ITEM_MAX,
    LIST_MAX,
    LIST_SPLIT,
    MODIFIER_MAX,
    NAME_QUOTES,
    NOUN_MAX,
    VERB_PREFIX_MAX,
    mention_start,
    mentions_at,
    mentions_between,
)
from rulesengine.extract.names import canonical_name
from rulesengine.extract.numbers import NumberMention
from rulesengine.extract.qualifiers import Qualifiers
from rulesengine.model import Form

__all__ = ["Lists"]


class Lists(Qualifiers):
    """Mixin of the extractor (targets.py); reads the state ExtractionContext declares."""

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
            after = [n for n in mentions_between(nums, idx + 1, clause[1]) if not n.followed_by_noun]
            if not after:
                continue
            predicate = text[idx : after[0].start]
            parts = self._list_items(lo, idx, ENUM_SPLIT)
            want = len(after) if marker == "分别" else 0
            if want and len(parts) != want:
                parts = self._list_items(lo, idx, LIST_SPLIT)
            if marker == "分别" and len(parts) == len(after) > 1:
                return [(n, p[0], p[1], predicate) for p, n in zip(parts, after, strict=True)]
            if marker == "均" and len(parts) > 1 and len(after) == 1:
                return [(after[0], p[0], p[1], predicate) for p in parts]
        return self._implicit_list(clause, lo, nums)

    def _paired(
        self, clause: tuple[int, int], lo: int, nums: list[NumberMention]
    ) -> list[tuple[NumberMention, str, str]]:
        """One subject naming two ("城乡居民人均可支配收入分别增长5.5%、6.5%"): (number, the subject
        as each half of the pair is written, shared predicate), from rules/phrasing.yaml."""
        idx = self.text.find("分别", lo, clause[1])
        if idx < 0:
            return []
        after = [n for n in mentions_between(nums, idx + 1, clause[1]) if not n.followed_by_noun]
        subject = self.text[lo:idx]
        if len(after) != 2 or "、" in subject:
            return []
        for word, first, second in self.ph.paired_subjects:
            at = subject.rfind(word)
            if at >= 0:
                predicate = self.text[idx : after[0].start]
                head, tail = subject[:at], subject[at + len(word) :]
                return [
                    (after[0], head + first + tail, predicate),
                    (after[1], head + second + tail, predicate),
                ]
        return []

    def _implicit_list(
        self, clause: tuple[int, int], lo: int, nums: list[NumberMention]
    ) -> list[tuple[NumberMention, int, int, str]]:
        """Lists without 分别/均 (issue 11's "one qualifier over a list"):
        "煤炭、原油、天然气产量7.8亿吨、2470万吨、350亿方以上" pairs subjects and numbers in order;
        "产值、税收增长15%以上" (a rate) and "营收、税收“双80亿”" give both subjects the one number;
        a count after two nouns ("“未来工厂”、智能工厂1000家") stays one target, as labelled."""
        run = [n for n in mentions_between(nums, lo, clause[1]) if not n.followed_by_noun]
        if not run:
            return []
        first = run[0]
        subject = self.text[lo : first.start]
        if "、" not in subject:
            return []
        # the numbers joined only by 、/和 after the first one
        joined = [first]
        for n in run[1:]:
            if self.text[joined[-1].end : n.start].strip() not in ("、", "和", "及"):
                break
            joined.append(n)
        head = subject.rstrip('“"「 ')
        double = head.endswith(DOUBLE)
        if double:
            head = head[: -len(DOUBLE)].rstrip('“"「 ')
        parts = self._list_items(lo, lo + len(head), ENUM_SPLIT)
        if not 1 < len(parts) <= LIST_MAX or any(b - a > LIST_ITEM_MAX for a, b in parts[:-1]):
            return []
        last_start, last_end = parts[-1]
        last = self.text[last_start:last_end]
        predicate = next(  # the longest tail of the last item made of predicate words ("增长")
            (last[k:] for k in range(1, len(last)) if self._is_predicate_only(last[k:])), ""
        )
        if len(joined) == len(parts) and len(parts) > 1:
            return [(n, a, b, predicate) for (a, b), n in zip(parts, joined, strict=True)]
        shared_rate = len(parts) == 2 and self._form_cue(predicate) is not None  # 产值、税收增长15%
        if len(run) == 1 and (double or shared_rate):
            return [(first, a, b, predicate) for a, b in parts]
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
            nxt = next((m for m in mentions_at(nums, pos + 1) if m.followed_by_noun), None)
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
        if not self.text.startswith(NAME_QUOTES, pos):
            return False
        close = CLOSE_QUOTE.search(self.text, pos + 1, pos + NOUN_MAX + 2)
        if close is None:
            return False
        after = self.text[close.end() : close.end() + 1]
        return after == "" or after in LIST_ENDS

    def _head_term(self, n: NumberMention, pos: int) -> tuple[str, int, float] | None:
        """ "打造20家标杆性智能工厂": a Chinese noun phrase ends with its head, so a catalog term
        that ends the noun after a few modifiers names the indicator."""
        m = self._noun_re.match(self.text, pos)
        if m is None:
            return None
        noun = m.group(0)
        for term in self._terms_ending.get(noun[-1], ()):
            if noun.endswith(term) and 0 < len(noun) - len(term) <= MODIFIER_MAX:
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
        before_n = bisect_left(nums, n.start, key=mention_start)
        prev = next((nums[i] for i in range(before_n - 1, -1, -1) if nums[i].end < n.start), None)
        if prev is None or not prev.followed_by_noun:
            return False
        joined = self.text[prev.end : n.start - len(conj)]
        return (
            0 < len(joined) <= NOUN_MAX
            and not BREAK.search(joined)
            and self._committed(prev, nums, depth + 1)
        )

    def _enumeration_committed(self, n: NumberMention, nums: list[NumberMention]) -> bool:
        """ "打造A、B和C等4个X": names only between a commitment verb and 等, in one clause."""
        etc = n.start - 1
        head_start = max(0, etc - ENUMERATION_MAX)
        lo = max((b.end() for b in BREAK.finditer(self.text, head_start, etc)), default=head_start)
        if mentions_between(nums, lo, etc):
            return False
        head = self.text[lo:etc]
        first = ENUMERATION_SEP.search(head)
        if first is None:
            return False
        for verb in self.ph.preposed_target_verbs:
            at = head.find(verb, 0, first.start())
            if 0 <= at <= VERB_PREFIX_MAX and at + len(verb) < first.start():
                return True
        return False

    def _is_qualifier_list(self, n: NumberMention, nums: list[NumberMention]) -> bool:
        """ "5亿元、10亿元以上头部企业": the first number qualifies the same noun as the second."""
        if not self.text.startswith("、", n.end):
            return False
        nxt = next(iter(mentions_at(nums, n.end + 1)), None)
        return bool(nxt and nxt.followed_by_noun and nxt.unit == n.unit)

    def _capacity(self, n: NumberMention) -> bool:
        """年产100万辆…基地: a capacity that names a project, not a target."""
        before = self.text[max(0, n.start - 4) : n.start]
        return any(before.endswith(p) for p in self.ph.capacity_prefixes)
