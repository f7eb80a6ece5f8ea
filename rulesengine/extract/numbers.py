"""Finds the numbers of a text, one span at a time, and converts each to a value and a unit.

Numbers are found first and converted afterwards, never by transforming the whole text: a
whole-text transform turns 第三产业 into 第3产业 and 零的突破 into 0的突破. A number that is part of a
name ("415X", "5G", "8+4", 第八届), a date or an ordinal is not a mention at all; a letter after a
number is a unit only when rules/phrasing.yaml lists it ("10000P", "3EFLOPS"). A Chinese fraction
(三分之一, 百分之五) is a share and reads as the percentage it states (33.33 %, 5 %).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

import cn2an

from rulesengine.extract.phrasing import Phrasing, default_phrasing
from rulesengine.model import Comparator

__all__ = ["CN_DIGITS", "NumberMention", "find_numbers", "parse_number"]

_ARABIC = r"\d+(?:\.\d+)?"
CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CN = rf"[{CN_DIGITS}][{CN_DIGITS}万亿点]*"
_NUMBER = re.compile(rf"(?P<a>{_ARABIC})(?:\s*[-—–~～至到]\s*(?P<b>{_ARABIC}))?|(?P<c>{_CN})")
_CJK = re.compile(r"[\u4e00-\u9fff“「《]")
_NAME_NEIGHBOUR = re.compile(r"[A-Za-z+＋.．/]")
_ALNUM = re.compile(r"[A-Za-z0-9]")
# Anchored at the start of a run of digits and possessive: tried from every digit of a long run,
# "[…]+分之" backtracks over the rest of the run each time (the square of its length).
_FRACTION = re.compile(rf"(?<![{CN_DIGITS}])(?P<den>[{CN_DIGITS}]++)分之(?P<num>[{CN_DIGITS}点]+)")


@dataclass(frozen=True)
class NumberMention:
    """A number with its unit: start..end covers the digits, unit and a trailing 以上/左右."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str | None
    comparator: Comparator | None
    followed_by_noun: bool
    is_first: bool = False

    @property
    def number_end(self) -> int:
        return self.end


def parse_number(text: str) -> float:
    """Converts one number span (Arabic or Chinese) to a float; raises ValueError if it is not.

    A run of digits too long for a float (a scanned table's digits run together) is no number a
    plan states: it raises ValueError like any other non-number instead of becoming inf, or an
    OverflowError out of extraction.
    """
    text = text.strip()
    try:
        value = float(Decimal(text))
    except InvalidOperation:
        if text[:1] in "十百千":  # a leading 十/百/千 means 一十/一百/一千: "百场", "千亿"
            text = "一" + text
        try:
            value = float(cn2an.cn2an(text, "smart"))
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            raise ValueError(f"not a number: {text!r}") from exc
    if not math.isfinite(value):
        raise ValueError(f"not a number: {text!r}")
    return value


def _unit_at(text: str, pos: int, ph: Phrasing) -> tuple[str, float, int] | None:
    """The unit starting at pos (after an optional space and 万/亿 multiplier)."""
    if pos < len(text) and text[pos] == " ":
        pos += 1
    unit = ph.unit_re.match(text, pos)
    if unit is not None:
        spec = ph.unit_by_text[unit.group()]
        return spec.canonical, spec.times, unit.end()
    mult = text[pos : pos + 1]
    if mult in ph.multipliers:
        for spec in ph.units:
            if text.startswith(spec.text, pos + 1) and spec.canonical not in ph.money_units | {"%"}:
                return spec.canonical, spec.times * ph.multipliers[mult], pos + 1 + len(spec.text)
        if text.startswith("亿元", pos + 1) and mult == "万":
            return "亿元", 10000.0, pos + 3
    return None


def _letter_unit(text: str, pos: int, ph: Phrasing) -> bool:
    """A unit written in letters starts at pos ("10000P。", "3EFLOPS"), not a name ("5G", "415X")."""
    unit = ph.unit_re.match(text, pos)
    if unit is None or not (unit.group()[0].isascii() and unit.group()[0].isalpha()):
        return False
    return unit.end() >= len(text) or not _ALNUM.match(text[unit.end()])


def _is_name_or_date(text: str, start: int, end: int, ph: Phrasing) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before == "第" or (_NAME_NEIGHBOUR.match(before or " ") and before not in "./"):
        return True
    if before in "./" and start > 1 and text[start - 2].isdigit():
        return True
    if not after or not _NAME_NEIGHBOUR.match(after) or after in "./":
        return False
    return not (after.isalpha() and _letter_unit(text, end, ph))


def _fraction(m: re.Match[str]) -> float | None:
    """三分之一 → 33.33, 百分之五 → 5.0: the share as a percentage, two decimals."""

    def read(digits: str) -> float:
        return parse_number(digits)

    try:
        denominator, numerator = read(m.group("den")), read(m.group("num"))
    except ValueError:
        return None
    return round(numerator / denominator * 100, 2) if denominator > 0 else None


def _mention(
    text: str, start: int, pos: int, value: float, value_max: float | None, unit: str, ph: Phrasing
) -> NumberMention:
    """The mention of a number whose unit ends at pos: a trailing 以上/左右 and what follows it."""
    comparator = None
    for word, comp in ph.comparators_after:
        if text.startswith(word, pos):
            comparator, pos = comp, pos + len(word)
            break
    rest = text[pos : pos + 6]
    followed = bool(_CJK.match(rest)) and not any(rest.startswith(w) for w in ph.target_followers)
    return NumberMention(start, pos, value, value_max, unit, comparator, followed)


def find_numbers(text: str, ph: Phrasing | None = None) -> list[NumberMention]:
    """Every number in text that carries a unit, in order of appearance."""
    ph = ph or default_phrasing()
    out: list[NumberMention] = []
    fractions: list[tuple[int, int]] = []
    if "分之" in text:
        for fm in _FRACTION.finditer(text):
            share = _fraction(fm)
            if share is not None:
                fractions.append(fm.span())
                out.append(_mention(text, fm.start(), fm.end(), share, None, "%", ph))
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        if _is_name_or_date(text, start, end, ph):
            continue
        at = bisect_right(fractions, (start, len(text))) - 1  # fractions are in order, apart
        if at >= 0 and start < fractions[at][1]:
            continue
        unit = _unit_at(text, end, ph)
        if unit is None:
            continue
        canonical, times, pos = unit
        try:
            if m.group("c"):
                if m.group("c")[0] in "万亿":
                    continue
                value = parse_number(m.group("c"))
                value_max = None
                if canonical == "元" and m.group("c")[-1] in "万亿":  # 千亿元 → 1000 亿元
                    canonical = m.group("c")[-1] + "元"
                    value /= 1e8 if canonical == "亿元" else 1e4
            else:
                value = parse_number(m.group("a"))
                value_max = parse_number(m.group("b")) if m.group("b") else None
        except ValueError:
            continue
        if value_max is not None and value_max < value:
            continue
        if not math.isfinite((value_max or value) * times):  # a huge number times 万/亿 is inf
            continue
        top = round(value_max * times, 6) if value_max is not None else None
        out.append(_mention(text, start, pos, round(value * times, 6), top, canonical, ph))
    for prefix in ph.rank_prefixes:
        for rm in re.finditer(re.escape(prefix) + rf"([{CN_DIGITS}]+|\d+)(?:位|名)?", text):
            try:
                rank = parse_number(rm.group(1))
            except ValueError:
                continue
            out.append(NumberMention(rm.start(), rm.end(), rank, None, "名", Comparator.lte, False))
    for word in ph.firsts:
        for fm in re.finditer(re.escape(word), text):
            out.append(NumberMention(fm.start(), fm.end(), 1.0, None, None, Comparator.gte, False, True))
    out.sort(key=lambda n: n.start)
    return _ranges(text, _outermost(out))


_RANGE_DASH = re.compile(r"\s*[-—–~～至到]{1,2}\s*")


def _ranges(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """ "增长5%—5.5%", "3个~5个": a range written with its unit on both ends is one mention
    (value and value_max), not a second target at the high end."""
    out: list[NumberMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.unit is not None
            and prev.unit == m.unit
            and prev.value_max is None
            and m.value_max is None
            and prev.comparator is None
            and m.value > prev.value
            and _RANGE_DASH.fullmatch(text, prev.end, m.start)
        ):
            out[-1] = replace(
                prev,
                end=m.end,
                value_max=m.value,
                comparator=m.comparator,
                followed_by_noun=m.followed_by_noun,
            )
            continue
        out.append(m)
    return out


def _outermost(mentions: list[NumberMention]) -> list[NumberMention]:
    """Each stretch of text is one mention: the 20名 of 全省前20名 is part of the rank, not a second
    number. Two mentions over the same digits made the second's window start after its own
    number, and its target's quote empty."""
    kept: list[NumberMention] = []
    end = -1
    for m in mentions:
        if m.start >= end:
            kept.append(m)
            end = m.end
    return kept
