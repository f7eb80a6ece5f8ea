"""The structure of a plan: which part reviews last year and which part sets this year's targets.

A 政府工作报告 opens with "一、2024年工作回顾" (规上工业增加值增长9%: a result) before
"二、2025年主要目标任务" (规上工业增加值增长7%左右: a target). The sentence alone cannot tell
them apart; the heading above it can. Headings are read from rules/phrasing.yaml (`sections`):
a marker at a line's start and a rank, and stance words that make the section a review or a
plan. A heading that says neither inherits the stance of the section it sits in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum

from rulesengine.extract.clauses import lines
from rulesengine.extract.phrasing import Phrasing
from rulesengine.model import Period

__all__ = ["Section", "Sections", "Stance", "heading_rank", "read_sections"]

_YEAR = re.compile(r"(\d{4})年")
_HEADING_END = re.compile(r"[。！？!?：:]")


class Stance(StrEnum):
    review = "review"
    plan = "plan"
    neutral = "neutral"


@dataclass(frozen=True)
class Section:
    start: int
    heading: str
    rank: int
    stance: Stance
    year: int | None


@dataclass(frozen=True)
class Sections:
    """Sections in document order; the one holding a position is found by bisection."""

    sections: tuple[Section, ...]
    starts: tuple[int, ...] = ()

    def at(self, pos: int) -> Section | None:
        i = bisect_right(self.starts, pos) - 1
        return self.sections[i] if i >= 0 else None


def _stance(heading: str, period: Period, ph: Phrasing) -> tuple[Stance, int | None]:
    rules = ph.sections
    years = [int(y) for y in _YEAR.findall(heading)]
    if any(w in heading for w in rules.review):
        return Stance.review, None
    plan_year = next((y for y in years if y >= period.start), None)
    if any(w in heading for w in rules.plan):
        return Stance.plan, plan_year
    if years and all(y < period.start for y in years):
        return Stance.review, None
    if plan_year is not None:
        return Stance.plan, plan_year
    return Stance.neutral, None


def _bare_heading(line: str, ph: Phrasing) -> bool:
    """An unmarked short line that names a stance or a year ("2020年湖南", "展望2024年"): news
    pages and summaries head their parts this way."""
    rules = ph.sections
    if not line or len(line) > rules.max_bare_heading:
        return False
    if any(c in line for c in "。；;，,%％|"):
        return False
    if any(w in line for w in (*rules.review, *rules.plan)):
        return True
    years = _YEAR.findall(line)
    return bool(years) and not any(c.isdigit() for c in _YEAR.sub("", line))


def heading_rank(line: str, ph: Phrasing) -> int | None:
    """The rank of the heading marker a line opens with (一、 is 1, (一) is 2 …), if any."""
    return next((rank for pattern, rank in ph.sections.markers if pattern.match(line)), None)


def read_sections(text: str, period: Period, ph: Phrasing) -> Sections:
    """Every heading of the text with its effective stance (inherited when it says none)."""
    found: list[Section] = []
    stack: list[tuple[int, Stance, int | None]] = []  # open sections: rank, stance, year
    for start, line in lines(text):
        stripped = line.lstrip(" \t\u3000\xa0")
        lead = len(line) - len(stripped)
        rank = heading_rank(stripped, ph)
        if rank is None:
            if not _bare_heading(stripped.rstrip(), ph):
                continue
            rank = 1
            heading = stripped.rstrip()
        else:
            end = _HEADING_END.search(stripped)
            heading = stripped[: end.start()] if end else stripped.rstrip()
            if len(heading) > ph.sections.max_heading:
                continue
        stance, year = _stance(heading, period, ph)
        while stack and stack[-1][0] >= rank:
            stack.pop()
        if stance is Stance.neutral and stack:
            stance, year = stack[-1][1], year or stack[-1][2]
        elif year is None and stack and stance is stack[-1][1]:
            year = stack[-1][2]
        stack.append((rank, stance, year))
        found.append(Section(start + lead, heading, rank, stance, year))
    return Sections(tuple(found), tuple(s.start for s in found))
