"""Commitments with no number of their own, stated relative to the plan above or to growth.

"进出口总额增速不低于全省平均水平" (a city, 25_anhui_city_gzbg_2025), "居民收入增长与经济增长基本同步"
(nearly every 政府工作报告), "完成上级下达的约束性指标任务" (51_taicang_gzbg_2023): an analyst reads
each as meeting the parent by construction, and never as a missing target. The patterns live in
rules/phrasing.yaml (``relative``); the indicator is the catalog term nearest before the match
within its clause.
"""

from __future__ import annotations

import re
from typing import Literal

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.extract.clauses import split_clauses, split_sentences
from rulesengine.extract.phrasing import Phrasing, default_phrasing
from rulesengine.extract.textlayer import normalize
from rulesengine.model import Form, RelativeMention, Span

__all__ = ["extract_relatives"]

_REACH = 30  # characters before the relative words in which the indicator is named


def _indicator_before(text: str, catalog: Catalog) -> str:
    """The catalog indicator whose term ends nearest the end of ``text`` (a growth form first:
    "不低于全省平均" speaks of a rate)."""
    best: tuple[int, int, str] | None = None
    for term in catalog.terms():
        at = text.rfind(term)
        if at < 0:
            continue
        for ind in catalog.by_term(term):
            rank = (at + len(term), 1 if ind.form in (Form.growth, Form.share) else 0, ind.id)
            if best is None or rank[:2] > best[:2]:
                best = rank
    return best[2] if best else ""


def extract_relatives(
    text: str, catalog: Catalog | None = None, phrasing: Phrasing | None = None
) -> list[RelativeMention]:
    """Every relative commitment of a plan, in document order, quoted from its clause start."""
    catalog = catalog or default_catalog()
    ph = phrasing or default_phrasing()
    normal = normalize(text, ph)  # traditional characters, look-alikes, spaces: as for targets
    return normal.quoted_in_original(_relatives(normal.text, catalog, ph))


def _relatives(text: str, catalog: Catalog, ph: Phrasing) -> list[RelativeMention]:
    out: list[RelativeMention] = []
    for sent in split_sentences(text):
        for start, end in split_clauses(sent):
            clause = text[start:end]
            kinds: tuple[tuple[Literal["upper", "economy", "national"], tuple[re.Pattern[str], ...]], ...] = (
                ("upper", ph.relative_upper),
                ("economy", ph.relative_economy),
                ("national", ph.relative_national),
            )
            for relation, patterns in kinds:
                for pattern in patterns:
                    m = pattern.search(clause)
                    if m is None:
                        continue
                    lead = clause[max(0, m.start() - _REACH) : m.start()]
                    indicator = _indicator_before(lead, catalog)
                    binding = (
                        not indicator
                        and relation == "upper"
                        and any(w in clause for w in ph.relative_binding)
                    )
                    if not indicator and not binding:
                        continue
                    q_start = start + max(0, m.start() - _REACH)
                    while q_start < start + m.start() and text[q_start] in " \n，,；;：:":
                        q_start += 1
                    q_end = start + m.end()
                    out.append(
                        RelativeMention(
                            indicator=indicator,
                            relation=relation,
                            binding=binding,
                            quote=text[q_start:q_end],
                            span=Span(start=q_start, end=q_end),
                        )
                    )
                    break
    return out
