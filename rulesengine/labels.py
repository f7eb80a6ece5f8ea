"""The Chinese words a person reads for the project's codes: one vocabulary for every face.

Why one home: the CLI, the batch reports, the finding messages and the reviewer pages each had
their own dictionaries, and a reviewer who saw 缺项 in a page and something else in a file
would rightly ask whether they mean the same thing. Every label, every order in which reports
list severities and categories, and how a target's value and an indicator are written for a
person live here; everything that shows them imports them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.model import Category, FindingFact, Severity

__all__ = [
    "ACTION_ZH",
    "BASIS_ZH",
    "BATCH_STATUS_ZH",
    "BATCH_WHOLE_ZH",
    "BEIJING",
    "CATEGORY_ORDER",
    "CATEGORY_ZH",
    "COMPARATOR_SIGN",
    "COMPARATOR_WORD",
    "COMPARATOR_ZH",
    "CORRECTION_STATE_ZH",
    "CORRECTION_ZH",
    "COVERAGE_ZH",
    "FORM_ZH",
    "JOB_ITEM_ZH",
    "JOB_STAGE_ZH",
    "KIND_ZH",
    "LEVEL_ZH",
    "META_SOURCE_ZH",
    "NO_CITY_ZH",
    "PLAN_ROLE_ZH",
    "REVIEW_ORDER",
    "REVIEW_ZH",
    "SEVERITY_MARK",
    "SEVERITY_ORDER",
    "SEVERITY_ZH",
    "SUGGESTION_STATUS_ZH",
    "SUGGESTION_ZH",
    "USER_ROLE_ZH",
    "beijing_time",
    "fact_line",
    "format_number",
    "indicator_name",
    "local_time",
    "time_zone",
    "value_text",
]

SEVERITY_ORDER: tuple[str, ...] = tuple(s.value for s in Severity)
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_MARK = {"error": "●", "warning": "▲", "info": "○"}
"""A severity as a mark in a crowded table cell (the province matrix), explained in a legend."""
CATEGORY_ORDER: tuple[str, ...] = tuple(c.value for c in Category)
CATEGORY_ZH = {
    "gap": "缺项",
    "weaker": "偏弱",
    "conflict": "冲突",
    "mismatch": "不可比",
    "aligned": "已对齐",
}
REVIEW_ORDER = ("open", "confirmed", "dismissed", "fixed", "resolved")
REVIEW_ZH = {
    "open": "待审核",
    "confirmed": "已确认",
    "dismissed": "已驳回",
    "fixed": "已整改",
    "resolved": "已解决",
}
ACTION_ZH = {
    "review": "审核",
    "carried_over": "沿用上次结论",
    "reopened": "再次出现",
    "resolved": "不再出现",
    "check_run": "运行检查",
    "plan_created": "上传规划",
    "plan_revised": "上传修订稿",
    "plan_deleted": "删除规划",
    "correction_added": "更正目标",
    "correction_withdrawn": "撤回更正",
    "correction_carried": "更正沿用到新版本",
    "correction_lost": "更正在新版本中失效",
    "suggestion_created": "提出目录建议",
    "suggestion_counted": "目录建议再次出现",
    "suggestion_accepted": "采纳目录建议",
    "suggestion_declined": "不采纳目录建议",
}
CORRECTION_ZH = {"edit": "人工更正", "add": "人工补充", "reject": "不是目标"}
"""What a reviewer did to an extracted target (api.db.TargetCorrection.action)."""
CORRECTION_STATE_ZH = {
    "applied": "已应用",
    "lost": "已失效(新版本中找不到原文)",
    "superseded": "已被后来的更正取代",
    "withdrawn": "已撤回",
}
SUGGESTION_ZH = {"synonym": "同义词", "indicator": "新指标"}
SUGGESTION_STATUS_ZH = {"open": "待处理", "accepted": "已采纳", "declined": "未采纳"}
COMPARATOR_ZH = {"eq": "等于", "gte": "以上(≥)", "lte": "以内(≤)", "approx": "左右(≈)"}
"""A comparator as a form offers it."""
BATCH_STATUS_ZH = {"ok": "已检查", "unreadable": "无法读取", "check_failed": "检查失败"}
JOB_STAGE_ZH = {
    "reading": "读取中",
    "checking": "检查中",
    "across": "跨县比较中",
    "done": "已完成",
    "failed": "失败",
    "cancelled": "已取消",
}
"""A service batch job's stage (api.services.batches)."""
JOB_ITEM_ZH = {
    "queued": "待读取",
    "read": "已读取",
    "checked": "已检查",
    "parent": "上级规划",
    "failed": "失败",
    "cancelled": "已取消",
}
META_SOURCE_ZH = {"mapping": "清单", "meta": "元数据文件", "heading": "文件标题", "": "—"}
"""Where a batch document's region and period came from (rulesengine.bundle)."""
BATCH_WHOLE_ZH = "（全批）"  # a batch summary's file column, for what the batch as a whole shows
LEVEL_ZH = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级"}
PLAN_ROLE_ZH = {"county": "县级", "parent": "上级"}
NO_CITY_ZH = "直辖"
"""The city column of a county with no prefecture-level city above it: a 直辖市's district, or a
county its province governs directly (湖北 仙桃市)."""
USER_ROLE_ZH = {"submitter": "提交人", "reviewer": "审核人", "admin": "管理员"}
"""Who a person is in the service (api.auth.Role)."""
KIND_ZH = {"baseline": "基准", "stretch": "力争"}
BASIS_ZH = {"annual": "年度", "cumulative": "累计", "average": "年均"}
FORM_ZH = {
    "growth": "增长率",
    "share": "占比",
    "level": "水平值",
    "count": "数量",
    "reduction": "下降率",
    "other": "其他口径",
}
COMPARATOR_SIGN = {"gte": "≥", "approx": "≈", "lte": "≤", "eq": "="}
"""A comparator in a table column of its own."""
COMPARATOR_WORD = {"gte": "以上", "approx": "左右", "lte": "以内", "eq": ""}
"""A comparator after the value, as plans write it: 10%以上."""
COVERAGE_ZH = {
    "aligned": "已对齐",
    "weaker": "偏弱",
    "missing": "缺项",
    "mismatch": "不可比",
    "conflict": "上级数值不一",
    "dismissed": "已驳回",
}
"""A cell of the coverage matrix: what the check found about one plan's value."""


@lru_cache(maxsize=8192)
def format_number(value: float) -> str:
    """12.0 → "12", 5.5 → "5.5", 10000.0 → "10000": how plans write numbers.

    Cached: every finding shows every number of its facts (years, values), a few dozen distinct
    ones, through Decimal; the result depends on ``float(value)`` alone, so 1, 1.0 and True
    sharing an entry is harmless.
    """
    text = format(Decimal(str(round(float(value), 4))).normalize(), "f")
    return "0" if text in ("-0", "") else text


def indicator_name(indicator: str, catalog: Catalog | None = None) -> str:
    """The catalog's Chinese name; a topic or an uncatalogued indicator keeps the plan's words."""
    if indicator.startswith("topic:"):
        return "主题:" + indicator.removeprefix("topic:")
    found = (catalog or default_catalog()).get(indicator)
    return found.name if found is not None else indicator.removeprefix("other:")


class Valued(Protocol):
    """Anything with a value to show: a target, a finding's fact, a coverage cell's source."""

    @property
    def value(self) -> float | None: ...

    @property
    def unit(self) -> str: ...


def _code(item: object, name: str) -> str:
    raw = getattr(item, name, None)
    return str(getattr(raw, "value", raw) or "")


def value_text(item: Valued, *, with_kind: bool = True) -> str:
    """How a plan writes a target: 10%以上, 力争38%, 5-6%, 30万元/人左右."""
    if item.value is None:
        return ""
    text = format_number(item.value)
    value_max = getattr(item, "value_max", None)
    if value_max is not None:
        text += f"-{format_number(value_max)}"
    text += item.unit + COMPARATOR_WORD.get(_code(item, "comparator"), "")
    if with_kind and _code(item, "kind") == "stretch":
        text = KIND_ZH["stretch"] + text
    return text


def fact_line(fact: FindingFact) -> str:
    """One line of a finding's evidence: who said it, for when, the value, the quote and where."""
    value = value_text(fact) if fact.value is not None else ""
    where = f"[{fact.start}-{fact.end}]" if fact.start is not None else ""
    return f"{fact.region} {fact.period} {value}「{fact.quote}」{where}".strip()


BEIJING = timezone(timedelta(hours=8), "北京时间")
"""China Standard Time: users read times in it (no daylight saving, so a fixed offset)."""

_BEIJING_NAMES = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC", "Etc/GMT-8", "北京时间"}


def time_zone(name: str | None) -> tzinfo:
    """The zone a server shows times in (``PLANALIGN_TIMEZONE``): Beijing time unless set.

    Asia/Shanghai is Beijing time whether or not the machine has the tz database; any other
    IANA name needs it, and an unknown one is a ``ValueError`` naming it (at start, not on a
    page)."""
    if not name or name in _BEIJING_NAMES:
        return BEIJING
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"未知时区 / unknown time zone {name!r} (e.g. Asia/Shanghai)") from None


def local_time(at: datetime, zone: tzinfo | None = None) -> str:
    """A moment as a person reads it, labelled with its zone: 2026-12-06 20:30(北京时间), or
    2026-12-06 21:30(Asia/Tokyo,UTC+09:00) on a server configured so. A naive datetime is
    taken as UTC, the way the service stores them."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    zone = zone or BEIJING
    local = at.astimezone(zone)
    if zone is BEIJING:
        label = "北京时间"
    else:
        offset = local.strftime("%z")
        label = f"{getattr(zone, 'key', local.tzname())},UTC{offset[:3]}:{offset[3:]}"
    return local.strftime("%Y-%m-%d %H:%M") + f"({label})"


def beijing_time(at: datetime) -> str:
    """A moment as reviewers in China read it, labelled: 2026-12-06 20:30(北京时间)."""
    return local_time(at, BEIJING)
