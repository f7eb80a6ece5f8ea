"""What every part of the extractor reads: the text, the plan's period, the catalog and the
phrasing data, and the indexes built over them once per document (terms, sections, table rows).

The extractor is one object assembled from mixins along its seams (vocabulary.py: which
indicator; timeframe.py: past or target, which period; qualifiers.py: kind, comparator, basis;
lists.py: numbers that share words), each reading the state declared here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rulesengine.catalog import Catalog
from rulesengine.extract.numbers import NumberMention
from rulesengine.extract.phrasing import Phrasing
from rulesengine.extract.sections import Sections
from rulesengine.extract.tables import TableRow
from rulesengine.model import Form, Period

PUNCT = re.compile(r"[\s，,。；;：:、（）()“”\"'《》【】\[\]|—\-·.]+")
TARGET_YEAR = re.compile(r"(到|至)?\d{4}年(底|末)?|(到|至)?末")
YEAR = re.compile(r"(到|至|在)?(\d{4})年(前|底|末)?")
LIST_SPLIT = re.compile(r"[、和及与]")
ENUM_SPLIT = re.compile(r"、")
COUNT_FORMS = {Form.count}
PERIOD_WORDS = ("全年", "年度")
NAME_QUOTES = ("“", "「", '"', "《")
CLOSE_QUOTE = re.compile(r"[”」\"》]")
LIST_ENDS = "和、，,。；;及与等\n"
HAS_DIGIT = re.compile(r"\d")
TABLE_CELL = re.compile(r"\|\s*+([^|]{0,8}?)\s*+(?=\|)")  # possessive: no square cost on a run of spaces
PAIR_VALUE = re.compile(r"[\d.]+(?![\dA-Za-z])")
YEAR_START = re.compile(r"\d{4}\s*[-—–~至年]")
YEAR_WORD = re.compile(r"\d{4}(\s*[-—–~至]\s*\d{4})?年")
PERCENT_UNITS = {"%", "个百分点"}
BREAK = re.compile(r"[，,。；;：:\n]")
ENUMERATION_SEP = re.compile(r"[、和及]")
NOUN_MAX = 14  # the longest noun a count written before it names
ENUMERATION_MAX = 60  # how far back from 等 the enumeration it closes may start
VERB_PREFIX_MAX = 4  # adverbs before the verb that opens an enumeration (全力打造, 加快推动)
MODIFIER_MAX = 6  # modifiers before the head noun of a count ("标杆性", "苏州市级以上")
INHERIT_RESIDUAL = 2  # words left before a bare number that still let it inherit ("首季")
PARAGRAPH_LOOKBACK = 400  # how far back a sentence looks for its paragraph's opener
OPENER_NOISE = ' \t\u3000“"「(（'
OPENER = 12  # the opener of a paragraph: "2024年,", "过去一年,"
# Longer than any sentence of real prose; bounds what a text without stops costs per number.
SENTENCE_MAX = 1000
DOUBLE = "双"  # "营收、税收“双80亿”": one number for both subjects
LIST_MAX = 6  # the most subjects a list without 分别 pairs with its numbers
LIST_ITEM_MAX = 12  # a longer item before the last is a clause, not a subject


def mention_start(n: NumberMention) -> int:
    return n.start


def mentions_between(nums: list[NumberMention], lo: int, hi: int) -> list[NumberMention]:
    """The mentions starting in lo..hi, by bisection: nums are in order of start, and a scan of
    all of them for every number costs the square of the numbers in a sentence."""
    return nums[bisect_left(nums, lo, key=mention_start) : bisect_left(nums, hi, key=mention_start)]


def mentions_at(nums: list[NumberMention], pos: int) -> list[NumberMention]:
    return nums[bisect_left(nums, pos, key=mention_start) : bisect_right(nums, pos, key=mention_start)]


@dataclass(frozen=True)
class Resolved:
    indicator: str
    term_start: int | None
    confidence: float
    unit: str


@dataclass
class Prior:
    """The last target of the sentence: what a bare "、力争10%" inherits."""

    indicator: str
    unit: str | None
    end: int


class ExtractionContext:
    """The state the mixins share; targets._Extractor fills it in __init__."""

    text: str
    period: Period
    catalog: Catalog
    ph: Phrasing
    terms: list[str]
    _terms_ending: dict[str, list[str]]
    _occurrences: list[tuple[int, int, str]] | None
    _starts: list[int]
    sections: Sections
    _item_verbs: tuple[str, ...]
    sub_periods: list[tuple[str, str]]
    table_rows: list[TableRow]
    _row_starts: list[int]
    kind_re: re.Pattern[str]
    _noun_re: re.Pattern[str]
    unit_texts: set[str]
    predicate_words: list[str]
    _predicates: tuple[str, ...]
    _leads: list[tuple[int, int]] | None
    _runs: list[tuple[int, int]] | None
    _run_starts: list[int]
