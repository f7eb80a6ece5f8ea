"""A plan's title, read from the document: never composed from its region and year.

A reviewer reads findings that cite the parent plan by title, so a wrong title (《浙江省2023年
规划》 for 《2023年全省经信工作要点》) misleads. Metadata may give one; when it does not, or gives
only the file's name, the document's own heading line is the title; failing that, the file name.
"""

from __future__ import annotations

import re

__all__ = ["heading_title", "named_plan"]

_HEAD_LINES = 4  # a heading is among the first non-empty lines
_TITLE_MAX = 60
_SENTENCE_END = re.compile(r"[。；;！!？?，,]")  # a heading is not a sentence: no clause breaks
# What a plan document's heading ends with or contains (政府工作报告, 工作要点, 实施方案 …).
_PLAN_WORDS = (
    "报告",
    "要点",
    "方案",
    "计划",
    "思路",
    "意见",
    "通知",
    "纲要",
    "规划",
    "目标任务",
    "重点任务",
    "措施",
    "工作会议",
)
# Page furniture above a heading: breadcrumbs (首页 > 政务公开 > 计划总结), dates, sources.
_FURNITURE = re.compile(r"[>›»|]|当前位置|首页|来源[:：]|发布时间|浏览次数|字号")
_LIST_ITEM = re.compile(r"^[\d一二三四五六七八九十]+[.、．)）]|^[（(][\d一二三四五六七八九十]+[)）]")
_BOOK = re.compile(r"《([^《》\n]{4,60})》")


def heading_title(text: str) -> str | None:
    """The document's heading line when it has one: among the first lines, short, not a
    sentence, and naming a plan (…工作要点, 《…实施方案》). Quoted names lose their 《》."""
    seen = 0
    for raw in text.splitlines():
        line = raw.strip().strip("\ufeff")
        if not line:
            continue
        if _FURNITURE.search(line) or line.startswith("索引号"):
            continue  # page furniture: not counted as a line of the document
        seen += 1
        if seen > _HEAD_LINES:
            break
        if len(line) > _TITLE_MAX or _SENTENCE_END.search(line[:-1]):
            continue
        book = _BOOK.fullmatch(line)
        if book:
            return book.group(1)
        if any(w in line for w in _PLAN_WORDS) and not _LIST_ITEM.match(line):
            return line.rstrip("。")
    return None


def named_plan(text: str, verbs: tuple[str, ...], reach: int = 600) -> str | None:
    """The plan a news account is about: a 《…》 name right after 制定/印发/出台 in its first
    paragraphs ("专门制定《制造业投资倍增行动专项工作实施方案》")."""
    head = text[:reach]
    for m in _BOOK.finditer(head):
        before = head[max(0, m.start() - 4) : m.start()]
        if any(v in before for v in verbs) and m.group(1).endswith(_PLAN_WORDS):
            return m.group(1)
    return None
