"""Spotting page furniture: the breadcrumb, metadata and button lines of a government page.

Copied pages keep lines like "当前位置: 首页 > 政务公开", "索引号: …", "打印本页 关闭窗口". They
are left in the text, because every span points into it, but extractors can skip the spans
``furniture_lines`` returns. The rules are data (the tuples below), one line at a time, and
deliberately narrow: a furniture line that is missed costs little, a plan sentence that is
skipped could hide a target.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FURNITURE_LABELS", "FURNITURE_LINES", "furniture_lines"]

FURNITURE_LABELS: Final = (
    "索引号",
    "发布机构",
    "发布部门",
    "发文机关",
    "公开方式",
    "公开范围",
    "公开时限",
    "组配分类",
    "主题分类",
    "体裁分类",
    "信息分类",
    "分类",
    "发布日期",
    "发布时间",
    "发文日期",
    "成文日期",
    "生效日期",
    "有效性",
    "信息来源",
    "来源",
    "浏览次数",
    "访问量",
    "文章来源",
    "服务热线",
    "责任编辑",
    "字号",
    "主办单位",
    "承办单位",
    "网站标识码",
)
"""Metadata labels that open a line ("索引号: …", "发布机构 | 省经信厅"). A label alone on its
line, ending in a colon or nothing, also makes the next non-empty line (its value) furniture."""

FURNITURE_LINES: Final = (
    r"(?:当前位置|您的位置|您现在的位置)[::]?.*",
    r"首页(?:\s*[>›»/]\s*\S+)*",
    r"首页(?:\s+\S{2,8}){1,4}",  # "首页 新闻中心 资讯详情"
    r"[>›»].*",  # a breadcrumb's continuation line
    r"(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|分享到|扫一扫|纠错)\s*[】\]]?\s*)+",
    r"字号[::]?\s*[大中小\s]*",
    r"[-|:\s]*-{3,}[-|:\s]*",  # the rule under a table's header row: "---|---|"
    r"(?:版权所有|(?i:copyright)|©).*",
    r".*ICP[备证]\s*\d+号.*",
)
"""Regular expressions that must match a whole (stripped) line."""

_SPACED_LABEL: Final = "|".join(r"\s*".join(map(re.escape, label)) for label in FURNITURE_LABELS)
_LABEL_LINE: Final = re.compile(rf"(?:{_SPACED_LABEL})\s*(?:[::|]|$)")
_BARE_LABEL: Final = re.compile(rf"(?:{_SPACED_LABEL})\s*[::]?")
_WHOLE_LINE: Final = re.compile("|".join(f"(?:{p})" for p in FURNITURE_LINES))


def furniture_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of whole lines (newline excluded) that look like page furniture."""
    spans: list[tuple[int, int]] = []
    value_expected = False
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        start, end = pos, pos + len(content)
        pos += len(line)
        stripped = content.strip()
        if not stripped:
            continue
        if value_expected:
            value_expected = False
            spans.append((start, end))
            continue
        if _LABEL_LINE.match(stripped) or _WHOLE_LINE.fullmatch(stripped):
            spans.append((start, end))
            value_expected = bool(_BARE_LABEL.fullmatch(stripped))
    return spans
