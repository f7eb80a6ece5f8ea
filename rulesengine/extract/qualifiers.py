"""How a target is held: baseline or stretch (力争 scopes, pair forms, 争创 over a list),
its comparator, and whether it is a stock or a flow.
"""

from __future__ import annotations

from rulesengine.extract.clauses import Sentence, lines
from rulesengine.extract.context import BREAK, PAIR_VALUE, PERCENT_UNITS, PERIOD_WORDS, YEAR_START
from rulesengine.extract.numbers import NumberMention
from rulesengine.extract.sections import heading_rank
from rulesengine.extract.timeframe import Timeframe
from rulesengine.model import Basis, Comparator, Form, Kind

__all__ = ["Qualifiers"]


class Qualifiers(Timeframe):
    """Mixin of the extractor (targets.py); reads the state ExtractionContext declares."""

    def _lead_scopes(self) -> list[tuple[int, int]]:
        """Lists led by a line that opens a stretch scope and ends without a stop ("主要预期目标
        是:力争" then one target a line): the 力争 covers the list to its 。, a blank line or a
        heading, as it would in one sentence."""
        if self._leads is None:
            self._leads = []
            cues = self.ph.stretch_cues
            open_at: int | None = None
            for start, line in lines(self.text):
                pos = start + len(line) + 1
                body = line.strip()
                if open_at is not None:
                    if not body or heading_rank(body, self.ph) is not None:
                        self._leads.append((open_at, start))
                        open_at = None
                    elif body.endswith("。"):
                        self._leads.append((open_at, pos))
                        open_at = None
                        continue
                if open_at is None and body and not body.endswith(("。", "；", ";", "，", ",")):
                    tail = body[body.rfind("。") + 1 :]
                    at = max(tail.rfind(c) for c in cues)
                    if at >= 0 and not any(ch.isdigit() for ch in tail[at:]):
                        open_at = pos
            if open_at is not None:
                self._leads.append((open_at, len(self.text)))
        return self._leads

    def _kind(self, sent: Sentence, n: NumberMention) -> Kind:
        head = self.text[sent.start : n.start]
        scope = Kind.baseline
        if any(a <= n.start < b for a, b in self._lead_scopes()):
            scope = Kind.stretch
        for m in self.kind_re.finditer(head):
            word = m.group(0)
            if (
                word in "；;" or word in self.ph.baseline_cues
            ):  # parallel items: a 力争 in one does not reach the next
                scope = Kind.baseline
            else:
                after = head[m.end() :]
                bare = after.lstrip("达实现").removeprefix("超过").removeprefix("突破").removeprefix("到")
                if after == "" or (PAIR_VALUE.match(bare) and not YEAR_START.match(bare)):
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
        clause_start = max((m.end() for m in BREAK.finditer(head)), default=0)
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

    def _stock(self, clause_head: str, n: NumberMention) -> bool:
        """ "规上工业企业达到1500家": a count reached, not added, in its own clause."""
        if n.unit in PERCENT_UNITS or n.unit in self.ph.money_units:
            return False
        item = clause_head[max(clause_head.rfind("、"), clause_head.rfind("和")) + 1 :]
        verbs = [c for c in self.ph.flow_cues if c not in PERIOD_WORDS]  # 全年 is no flow of its own
        return ("达到" in item[-8:] or "总数" in item) and not any(c in item for c in verbs)

    def _cumulative(self, sent: Sentence, pos: int) -> bool:
        return any(c in self.text[max(sent.start, pos - 12) : pos] for c in self.ph.cumulative_cues)
