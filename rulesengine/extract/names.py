"""Names for targets outside the catalog: the same indicator gets the same name in every plan.

Two thirds of the targets real plans set have no catalog entry. A county's "全县固定资产投资增长
8%" and its province's "全省固定资产投资增长6%左右" must still meet in the check, so the name is
canonical: region words (湖南, 全省, 我市), years and predicate words (目标, 实现, 力争 …) are
stripped, regional wordings take their group's first form (规模以上工业 → 规上工业, from the
catalog's `wordings`), and the form read from the phrasing ends the name the way the labels and
the catalog write it (…增长, …下降; a share, a count or a level keeps its noun).
"""

from __future__ import annotations

import re
from functools import cache

from rulesengine.catalog import Catalog
from rulesengine.extract.phrasing import Phrasing
from rulesengine.model import Form
from rulesengine.regions import default_index, short_name

__all__ = ["canonical_name", "read_form"]

_YEAR_WORD = re.compile(r"\d{4}(\s*[-—–~至]\s*\d{4})?年(底|末)?")
_PUNCT = re.compile(r"[\s，,。；;：:、（）()“”\"'《》【】\[\]|—\-·.#＃]+")
_SHARE_ENDINGS = ("比重", "占比", "比例", "率", "覆盖率", "强度")
_SUFFIX = {Form.growth: "增长", Form.reduction: "下降"}
_FORM_WORDS = ("同比增长", "较上年增长", "增长", "增速", "增幅", "下降", "降低", "减少")
# Words that end a subject before its number but are no part of its name (…增长目标为7.5%).
_TRAILING = (
    "目标",
    "目标为",
    "目标是",
    "为",
    "是",
    "实现",
    "保持",
    "保持在",
    "完成",
    "累计",
    "同比",
    "较上年",
    "分别",
    "均",
    "年均",
    "平均",
    "每年",
    "全年",
    "年内",
    "稳定在",
    "力保",
)
# Generic words that are predicates after a number's subject ("完成投资1750亿元") but begin
# names (规模以上…, 投资…): never stripped from a name's start.
_NOUNS = frozenset({"规模", "投资", "总额"})
_REGION_MAX = 12  # the longest region name stripped from a name's start
_NAME_MAX = 16  # a longer remainder is a clause, not a name: keep its end, where the noun is
_COUNT_UNITS = frozenset("家个项名人台套座条户款件所架辆列场")


@cache
def _region_words(phrasing_words: frozenset[str]) -> frozenset[str]:
    """Region names and short names (GB/T 2260) and the 全省/我市 words; a short name that is
    also a phrasing word (新建区 → 新建) is left out."""
    words = {
        "全国",
        "全省",
        "全市",
        "全县",
        "全区",
        "全州",
        "全盟",
        "全旗",
        "我国",
        "我省",
        "我市",
        "我县",
        "我区",
    }
    words |= {"两区", "市下", "省内", "市内", "县内", "区内", "全域", "全年"}
    for region in default_index():
        for w in (region.name, short_name(region.name)):
            if len(w) >= 2 and w not in phrasing_words:
                words.add(w)
    return frozenset(words)


def _strip_regions(name: str, words: frozenset[str]) -> str:
    """Region words at the name's start ("湖南全省…"), by prefix look-up: a pattern of 6,000
    alternatives costs more per name than the few prefixes a name has."""
    stripped = True
    while stripped:
        stripped = False
        for size in range(min(len(name) - 1, _REGION_MAX), 1, -1):
            if name[:size] in words:
                name, stripped = name[size:], True
                break
    return name


_END_WORDS: dict[tuple[int, int], tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]] = {}


def _end_words(
    ph: Phrasing, predicate_words: tuple[str, ...]
) -> tuple[frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """Words stripped at a name's start and at its end, as one pattern each (longest first);
    built once per phrasing."""
    key = (id(ph), hash(predicate_words))
    if key not in _END_WORDS:
        leading = {*ph.name_strip, *predicate_words, *ph.preposed_target_verbs} - _NOUNS
        trailing = {*_FORM_WORDS, *_TRAILING, *ph.stretch_cues, *ph.baseline_cues}
        trailing |= {w for w, _ in ph.comparators_before}

        def alternation(words: set[str]) -> str:
            return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

        _END_WORDS[key] = (
            frozenset(leading),
            re.compile(f"^(?:{alternation(leading)})+(?=.)"),
            re.compile(f"(?<=.)(?:{alternation(trailing)})+$"),
        )
    return _END_WORDS[key]


def read_form(window: str, unit: str | None, name: str, ph: Phrasing) -> Form:
    """The form a number's phrasing gives it: a rate with 增长 is growth, with 下降 a reduction,
    a 比重/率 a share; a count unit a count; anything else a level."""
    if unit in ("%", "个百分点"):
        if any(w in window for w in ph.form_cues["reduction"]):
            return Form.reduction
        if any(w in window for w in ph.form_cues["share"]) or name.endswith(_SHARE_ENDINGS):
            return Form.share
        return Form.growth
    if unit in _COUNT_UNITS:
        return Form.count
    return Form.level


def canonical_name(
    raw: str, form: Form | None, catalog: Catalog, ph: Phrasing, predicate_words: tuple[str, ...]
) -> str:
    """The name of an uncatalogued indicator, the same for the same indicator in any plan.

    Words are stripped only at the ends (力争全省… at the start; …增长目标为 at the end): inside a
    name they belong to it (社会消费品零售总额 keeps 总额, 固定资产投资 keeps 投资)."""
    name = _PUNCT.sub("", ph.five_year_plan.sub("", _YEAR_WORD.sub("", raw)))
    leading, lead_re, trail_re = _end_words(ph, predicate_words)
    regions = _region_words(leading)
    changed = True
    while changed and name:
        before = name
        name = _strip_regions(name, regions)
        name = trail_re.sub("", lead_re.sub("", name))
        changed = name != before
    name = catalog.canonical(name[-_NAME_MAX:])
    suffix = _SUFFIX.get(form) if form else None
    if suffix and name and not name.endswith(suffix):
        name += suffix
    return name
