"""Reads a plan document and its metadata into a `Plan`.

Metadata comes from flags or from a small `<name>.meta.yaml` beside the document — never from
guessing in the text: the 慈溪 page had its own city name replaced by spam, so the region of a
plan is stated, not inferred.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rulesengine.ingest import IngestError, read_document
from rulesengine.model import Level, Plan, Region
from rulesengine.regions import RegionError, default_index
from rulesengine.titles import heading_title

__all__ = [
    "META_KEYS",
    "PlanError",
    "load_plan",
    "meta_from_heading",
    "meta_path",
    "parse_meta",
    "plan_from_text",
]

META_KEYS = frozenset({"id", "title", "issuer", "region", "level", "period", "kind", "scope"})


class PlanError(ValueError):
    """Metadata that does not describe a plan; the message names the file and field."""

    def __init__(self, file: str, field: str | None, message_zh: str, message_en: str) -> None:
        self.file, self.field = file, field
        self.message_zh, self.message_en = message_zh, message_en
        where = f"{file}" + (f" [{field}]" if field else "")
        super().__init__(f"{where}: {message_zh} / {message_en}")


# libyaml's safe loader when PyYAML has it (its wheels do): a batch reads 3,000 metadata
# files, and the pure-Python parser is much slower on each of these five-line files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def meta_path(document: Path) -> Path:
    return document.with_name(document.stem + ".meta.yaml")


def _read_meta(document: Path) -> dict[str, Any]:
    path = meta_path(document)
    if not path.exists():
        return {}
    return parse_meta(path.read_text(encoding="utf-8"), str(path))


def parse_meta(text: str, file: str) -> dict[str, Any]:
    """A ``.meta.yaml``'s fields, checked: a mapping of known keys (``PlanError`` names the file,
    the line of a syntax error and the unknown field). Also reads one that came in an upload."""
    try:
        data = yaml.load(text, Loader=_SafeLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PlanError(
            file, None, f"第{line}行 YAML 语法错误", f"YAML syntax error at line {line}"
        ) from None
    if not isinstance(data, dict):
        raise PlanError(file, None, "元数据应为映射", "metadata must be a mapping")
    unknown = set(data) - META_KEYS
    if unknown:
        name = sorted(str(k) for k in unknown)[0]
        raise PlanError(file, name, f"未知字段 {name}", f"unknown field {name}")
    return data


def _resolve_region(value: str, file: str) -> Region:
    try:
        return default_index().resolve(str(value))
    except RegionError as exc:
        raise PlanError(file, "region", exc.message_zh, exc.message_en) from None


def _check_scope(scope: tuple[str, ...], file: str) -> None:
    """A topical plan's domains must be ones rules/scopes.yaml knows (by id or name)."""
    from rulesengine.scope import default_scope_data

    data = default_scope_data()
    unknown = [s for s in scope if data.resolve_domain(s) is None]
    if unknown:
        known = "、".join(d.name for d in data.domains)
        raise PlanError(
            file,
            "scope",
            f"未知领域 {'、'.join(unknown)}(可用:{known})",
            f"unknown domain {', '.join(unknown)} (see rules/scopes.yaml)",
        )


def plan_from_text(
    text: str,
    *,
    region: str,
    period: str,
    plan_id: str | None = None,
    level: str | None = None,
    title: str = "",
    issuer: str = "",
    source_name: str = "",
    warnings: tuple[Any, ...] = (),
    kind: str = "",
    scope: tuple[str, ...] = (),
) -> Plan:
    """A Plan from text already read; the region is resolved by name, short name or code.

    The title is never composed: given (unless it is just the file's name), else the document's
    heading line, else the file name."""
    reg = _resolve_region(region, source_name or "<text>")
    _check_scope(scope, source_name or "<text>")
    stem = Path(source_name).stem if source_name else ""
    if not title or title == stem:
        title = heading_title(text) or stem
    pid = plan_id or re.sub(r"[^A-Za-z0-9._-]+", "-", f"{reg.code}-{period}").strip("-")
    try:
        return Plan(
            id=pid,
            title=title,
            issuer=issuer,
            region=reg,
            level=Level(level) if level else reg.level,
            period=period,  # type: ignore[arg-type]
            source_name=source_name,
            text=text,
            warnings=warnings,
            kind=kind,
            scope=scope,
        )
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or None
            raise PlanError(
                source_name, field, f"元数据无效:{err['msg']}", f"invalid metadata: {err['msg']}"
            ) from None
        raise PlanError(source_name, "level", f"未知层级 {level}", f"unknown level {level}") from None


def load_plan(
    document: Path | str,
    *,
    region: str | None = None,
    period: str | None = None,
    plan_id: str | None = None,
    level: str | None = None,
    kind: str | None = None,
    scope: list[str] | tuple[str, ...] | None = None,
) -> Plan:
    """Reads a document (txt/docx/pdf/html) with flags overriding its .meta.yaml."""
    document = Path(document)
    doc = read_document(document)  # first: a missing or unreadable file is the error to report
    meta = _read_meta(document)
    region = region or meta.get("region")
    period = period or (str(meta["period"]) if "period" in meta else None)
    if not region:
        raise PlanError(
            str(document),
            "region",
            "未给出行政区(--region 或 .meta.yaml)",
            "no region given (--region or .meta.yaml)",
        )
    if not period:
        raise PlanError(
            str(document),
            "period",
            "未给出规划期(--period 或 .meta.yaml)",
            "no period given (--period or .meta.yaml)",
        )
    return plan_from_text(
        doc.text,
        region=str(region),
        period=str(period),
        plan_id=plan_id or meta.get("id") or document.stem,
        level=level or meta.get("level"),
        title=str(meta.get("title", "")),
        issuer=str(meta.get("issuer", "")),
        source_name=document.name,
        warnings=doc.warnings,
        kind=kind or str(meta.get("kind") or ""),
        scope=tuple(str(x) for x in (scope or meta.get("scope") or ())),
    )


_HEAD_LINES = 5
_HEAD_MAX = 60
_REGION_END = "省市县区旗州盟"
_SPAN_YEARS = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)\s*年")
_ONE_YEAR = re.compile(r"(20\d\d)\s*年")
_FIVE_YEAR = {"十四五": "2021-2025", "十五五": "2026-2030", "十三五": "2016-2020"}


def _regions_at_start(line: str) -> list[Region]:
    """The regions a heading line begins with (宁波市慈溪市…): each the longest name that resolves
    to exactly one region, read left to right; stops at the first word that is not one."""
    index = default_index()
    found: list[Region] = []
    pos = 0
    while pos < len(line):
        for end in range(min(len(line), pos + 12), pos + 1, -1):
            if line[end - 1] not in _REGION_END:
                continue
            try:
                region = index.resolve(line[pos:end], within=found[-1] if found else None)
            except RegionError:
                continue
            found.append(region)
            pos = end
            break
        else:
            return found
    return found


def meta_from_heading(text: str) -> dict[str, str]:
    """Region and period from a document's heading lines, when its first short lines name both
    (``慈溪市经信局2023年工作思路``, ``浙江省…“十四五”规划``); else an empty dict.

    The last resort of a batch upload, after a mapping table and a ``.meta.yaml``: only the first
    lines are read, a region must open its line and resolve without ambiguity, so body text
    (which may name any region, spam included) never decides."""
    region: Region | None = None
    period = ""
    seen = 0
    for raw in text.splitlines():
        line = raw.strip().strip("\ufeff")
        if not line:
            continue
        seen += 1
        if seen > _HEAD_LINES:
            break
        if len(line) > _HEAD_MAX:
            continue
        if region is None:
            regions = _regions_at_start(line)
            region = regions[-1] if regions else None
        if not period:
            span = _SPAN_YEARS.search(line)
            year = _ONE_YEAR.search(line)
            five = next((v for k, v in _FIVE_YEAR.items() if k in line), "")
            period = f"{span[1]}-{span[2]}" if span else (year[1] if year else five)
        if region is not None and period:
            return {"region": region.code, "period": period}
    return {}


__all__ += ["IngestError"]
