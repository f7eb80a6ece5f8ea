"""Message templates: ``{county.region}…{parent.value_text}``, checked at load, filled per finding.

A template names fields of the rule's ``when`` patterns (``{pattern.field}``) or the finding's
``{indicator_name}``. Besides the fact fields, a few display fields exist so Chinese messages
read naturally; they are computed from the fact when a finding is rendered:

- ``value_text``: the value with its unit and comparator (``12%以上``, ``5.5%左右``, ``37万元/亩``)
- ``kind_zh``: 基准 or 力争; ``basis_zh``: 年度 or 累计; ``form_zh``: 增长率, 占比, 总量 …
- ``period_text``: 2023年 or 2021-2025年; ``plan_title``: the plan's title (or its id)
- ``pace``: for a cumulative target, value ÷ years from the plan's start to the target's year

A misspelt field would otherwise surface only when the rule first fires, in front of a
reviewer; so the rulebook rejects it at load.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

__all__ = ["DISPLAY_FIELDS", "render", "template_fields"]

DISPLAY_FIELDS = frozenset(
    {"value_text", "kind_zh", "basis_zh", "form_zh", "period_text", "plan_title", "pace"}
)
TOP_FIELDS = frozenset({"indicator_name"})


def template_fields(template: str) -> list[str]:
    """The field names a template uses, in order; ValueError if it is malformed."""
    out: list[str] = []
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conv:
            raise ValueError(f"{{{name}}}: 不支持格式说明 / format specs are not supported")
        if not name:
            raise ValueError("{}: 需要字段名 / empty field name")
        out.append(name)
    return out


def render(template: str, top: Mapping[str, str], patterns: Mapping[str, Mapping[str, str]]) -> str:
    """Fill a validated template; a field absent from this fact (value_max) renders empty."""
    parts: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name is None:
            continue
        if "." in name:
            pat, field = name.split(".", 1)
            parts.append(patterns.get(pat, {}).get(field, ""))
        else:
            parts.append(top.get(name, ""))
    return "".join(parts)
