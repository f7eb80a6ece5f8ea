"""The province at once: every checked county × the parents' indicators, as one model.

Why a model of its own: an analyst at a 经信厅 checks every county of the province and reports
upward; the service's dashboard page shows the same matrix, the Word and Markdown reports write
it. Built once here from what the checks already produced — each county's ``CheckReport`` (with
its reviews when stored), its targets, the parents' targets, the plans that could not be checked
and the findings that compare counties with each other — so the page, the document and the file
sort, filter and count the same way.

It must stay cheap for China's ~2,844 county-level units × 40 columns: each county's findings
and targets are grouped by indicator once, and a cell is a lookup in those groups, never a scan.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from rulesengine.catalog import Catalog, default_catalog
from rulesengine.labels import (
    CATEGORY_ORDER,
    NO_CITY_ZH,
    PLAN_ROLE_ZH,
    REVIEW_ZH,
    SEVERITY_MARK,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    fact_line,
    indicator_name,
    local_time,
    value_text,
)
from rulesengine.model import Finding, FindingFact, Level, Plan, Region, Target
from rulesengine.regions import RegionError, RegionIndex, default_index
from rulesengine.report.document import CheckReport, ReportFinding, ReportPlan

__all__ = [
    "FINDING_LIST_HEAD",
    "SORT_KEYS",
    "CountyCheck",
    "CountyRow",
    "ParentPlan",
    "ProvinceCell",
    "ProvinceColumn",
    "ProvinceReport",
    "ProvinceSummary",
    "UncheckedPlan",
    "basic_facts",
    "cross_by_rule",
    "fact_rows",
    "finding_list",
    "finding_title",
    "matrix",
    "matrix_columns",
    "matrix_legend",
    "province_report",
    "sort_rows",
    "summary_sentence",
]

MAX_COLUMNS: Final = 40
SETTLED: Final = frozenset({"dismissed", "fixed", "resolved"})
"""Review states after which a finding no longer asks anything of anyone."""
_ERROR: Final = SEVERITY_ORDER.index("error")
_SEVERITY_WEIGHT = {"error": 3, "warning": 2, "info": 1}
_STATUS_RANK = {None: 0, "open": 0, "confirmed": 1, "fixed": 2, "dismissed": 3, "resolved": 4}
_TEXT_KEYS = ("region", "city", "period", "title")
_NUMBER_KEYS = ("open_gaps", "error", "warning", "info", "cross")
SORT_KEYS: Final = (*_NUMBER_KEYS, *_TEXT_KEYS)
"""What rows sort by besides an indicator column (given by its indicator id)."""


# -- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentPlan:
    """A plan the counties were checked against, and the targets it sets."""

    plan: ReportPlan
    targets: tuple[Target, ...]

    @classmethod
    def of(cls, plan: Plan, targets: Iterable[Target]) -> ParentPlan:
        return cls(ReportPlan.of(plan, "parent"), tuple(targets))


@dataclass(frozen=True)
class CountyCheck:
    """One county's check: its report (with reviews when it is a stored check), its region (for
    the city above it), the targets it sets, and the stored check's id when there is one."""

    report: CheckReport
    region: Region
    targets: tuple[Target, ...] = ()
    check_id: int | None = None


@dataclass(frozen=True)
class UncheckedPlan:
    """A plan that could not be read or checked, and why, in the words of the error."""

    file: str
    reason: str


# -- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceColumn:
    """A parent indicator: its catalog name and what each parent that sets it asks for."""

    indicator: str
    name: str
    headline: bool
    parent_values: tuple[tuple[ReportPlan, str], ...]

    @property
    def parent_text(self) -> str:
        """12%以上(浙江省 2023);14%(浙江省 2021-2025): the parents' values, each cited."""
        return ";".join(f"{text}({plan.label})" for plan, text in self.parent_values)


@dataclass(frozen=True, slots=True)
class ProvinceCell:
    """A county's own value for a column's indicator and the finding about it that most needs
    attention: one still standing before one settled by review, then the worst severity, then
    the least-advanced review. ``finding_ids`` (stored checks only) in that order."""

    text: str = ""
    severity: str | None = None
    status: str | None = None
    finding_ids: tuple[int, ...] = ()

    @property
    def severity_zh(self) -> str:
        return SEVERITY_ZH[self.severity] if self.severity else ""

    @property
    def status_zh(self) -> str:
        return REVIEW_ZH.get(self.status, self.status) if self.status else ""

    @property
    def settled(self) -> bool:
        return self.status in SETTLED

    @property
    def marked(self) -> str:
        """The value, then the finding's mark and review: 10%以上 ▲待审核, or ● for a gap."""
        mark = SEVERITY_MARK[self.severity] + self.status_zh if self.severity else ""
        return f"{self.text} {mark}" if self.text and mark else self.text or mark


_EMPTY_CELL = ProvinceCell()


@dataclass(frozen=True)
class CountyRow:
    """One county's plan, the city above it, its counts and one cell per column."""

    plan: ReportPlan
    region_code: str
    city_code: str  # "" for a district of a 直辖市 or a county a province governs directly
    city_name: str
    check_id: int | None
    severity_counts: tuple[int, ...]  # in SEVERITY_ORDER
    open_gaps: int
    cells: tuple[ProvinceCell, ...]
    findings: tuple[ReportFinding, ...]
    cross: int = 0  # cross-county findings that quote this county

    @property
    def city_label(self) -> str:
        return self.city_name or NO_CITY_ZH

    def count(self, severity: str) -> int:
        return self.severity_counts[SEVERITY_ORDER.index(severity)]


@dataclass(frozen=True)
class ProvinceSummary:
    checked: int
    failed: int
    by_severity: dict[str, int]
    by_category: dict[str, int]
    with_error: int  # counties with at least one error-level finding
    open_gaps: int
    cross_by_rule: dict[str, int]


@dataclass(frozen=True)
class ProvinceReport:
    """Every county of a batch against the parents. ``rows`` are in the default order (most open
    gaps first, then by region code); ``view`` sorts and filters for a page or a report."""

    parents: tuple[ReportPlan, ...]
    columns: tuple[ProvinceColumn, ...]
    rows: tuple[CountyRow, ...]
    unchecked: tuple[UncheckedPlan, ...]
    cross: tuple[ReportFinding, ...]
    summary: ProvinceSummary
    rule_pack_versions: tuple[str, ...]
    catalog_versions: tuple[str, ...]
    generated_at: datetime
    zone: tzinfo | None = None
    _column_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_column_index", {c.indicator: i for i, c in enumerate(self.columns)})

    @property
    def title(self) -> str:
        """浙江省所辖县(市、区)对标分析报告: the parents' regions, as their plans name them."""
        regions = list(dict.fromkeys(p.region for p in self.parents))
        return f"{'、'.join(regions)}所辖县(市、区)对标分析报告"

    @property
    def headline_columns(self) -> tuple[ProvinceColumn, ...]:
        return tuple(c for c in self.columns if c.headline)

    def column(self, indicator: str) -> int:
        """The position of an indicator's column; ``KeyError`` naming it when it has none."""
        try:
            return self._column_index[indicator]
        except KeyError:
            raise KeyError(f"没有该指标的列 / no column for indicator {indicator!r}") from None

    def cities(self) -> list[tuple[str, str, int]]:
        """(code, name, counties) for each city with a checked county, by code; the counties
        with no city above them last, under code "" — the choices of a city filter."""
        counts: Counter[tuple[str, str]] = Counter((r.city_code, r.city_label) for r in self.rows)
        return [
            (code, name, n) for (code, name), n in sorted(counts.items(), key=lambda x: (not x[0][0], x[0]))
        ]

    def view(
        self, *, city: str | None = None, by: str = "open_gaps", descending: bool | None = None
    ) -> tuple[CountyRow, ...]:
        """The rows of one city (its code; "" for those with none) or all, sorted by ``by``: one
        of ``SORT_KEYS`` or an indicator with a column, ties by region code. ``descending``
        defaults to worst first for counts and columns, A→Z for text."""
        rows: Iterable[CountyRow] = self.rows
        if city is not None:
            rows = [r for r in self.rows if r.city_code == city]
        return sort_rows(rows, by, descending, self._column_index)


def sort_rows(
    rows: Iterable[CountyRow],
    by: str = "open_gaps",
    descending: bool | None = None,
    columns: Mapping[str, int] | None = None,
) -> tuple[CountyRow, ...]:
    """Rows sorted by one key, ties by region code (see ``ProvinceReport.view``); ``columns``
    (indicator → position) lets ``by`` name an indicator column."""
    base = sorted(rows, key=lambda r: (r.region_code, r.plan.period, r.plan.plan_id))
    key = _ROW_KEYS.get(by) or _column_key(by, columns or {})
    worst_first = by not in _TEXT_KEYS
    # a stable sort keeps the region-code order among equals, reversed or not
    return tuple(sorted(base, key=key, reverse=worst_first if descending is None else descending))


def _column_key(indicator: str, columns: Mapping[str, int]) -> Callable[[CountyRow], Any]:
    if indicator not in columns:
        raise ValueError(
            f"无法按 {indicator!r} 排序:可选 {'、'.join(SORT_KEYS)} 或某一指标列 / "
            f"cannot sort by {indicator!r}: one of {', '.join(SORT_KEYS)} or an indicator column"
        )
    at = columns[indicator]
    return lambda r: _cell_weight(r.cells[at])


def _severity_key(i: int) -> Callable[[CountyRow], Any]:
    return lambda r: r.severity_counts[i]


_ROW_KEYS: dict[str, Callable[[CountyRow], Any]] = {
    "open_gaps": lambda r: r.open_gaps,
    "cross": lambda r: r.cross,
    **{s: _severity_key(i) for i, s in enumerate(SEVERITY_ORDER)},
    "region": lambda r: r.region_code,
    "city": lambda r: (not r.city_code, r.city_code),  # the counties with no city last
    "period": lambda r: r.plan.period,
    "title": lambda r: r.plan.title,
}


def _cell_weight(c: ProvinceCell) -> tuple[int, ...]:
    """Bigger is worse: a standing finding, by severity, above a settled one, above none."""
    if c.severity is None:
        return (0, 0)
    return (0 if c.settled else 1, _SEVERITY_WEIGHT[c.severity])


# -- building ---------------------------------------------------------------------------------


def _finding_rank(f: ReportFinding) -> tuple[int, int, int]:
    status = f.status
    return (status in SETTLED, -_SEVERITY_WEIGHT[f.severity.value], _STATUS_RANK.get(status, 5))


def _columns(parents: Sequence[ParentPlan], catalog: Catalog, cap: int) -> tuple[ProvinceColumn, ...]:
    values: dict[str, list[tuple[ReportPlan, str]]] = defaultdict(list)
    for parent in parents:
        by_indicator: dict[str, list[str]] = defaultdict(list)
        for t in parent.targets:
            text = value_text(t)
            if text not in by_indicator[t.indicator]:
                by_indicator[t.indicator].append(text)
        for indicator, texts in by_indicator.items():
            values[indicator].append((parent.plan, " / ".join(texts)))
    ordered = [ind for ind in catalog if ind.id in values]
    ordered = [i for i in ordered if i.headline] + [i for i in ordered if not i.headline]
    return tuple(
        ProvinceColumn(ind.id, indicator_name(ind.id, catalog), ind.headline, tuple(values[ind.id]))
        for ind in ordered[: max(cap, 0)]
    )


def _city(index: RegionIndex, region: Region, cache: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The prefecture-level region above a county, or ("", "") when none is (a 直辖市's district,
    a county a province governs directly, a region the index does not hold)."""
    found = cache.get(region.code)
    if found is None:
        try:
            above = index.ancestors(region)
        except (RegionError, KeyError):
            above = []
        city = next((r for r in above if r.level is Level.city), None)
        found = (city.code, city.name) if city is not None else ("", "")
        cache[region.code] = found
    return found


def _row(
    county: CountyCheck,
    columns: Sequence[ProvinceColumn],
    wanted: frozenset[str],
    city: tuple[str, str],
    cross: int,
) -> CountyRow:
    findings = county.report.findings
    about: dict[str, list[ReportFinding]] = {}
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    open_gaps = 0
    for f in findings:
        severity = f.severity.value
        counts[severity] += 1
        status = f.status
        if (status is None or status == "open") and severity != "info":
            open_gaps += 1
        if f.indicator in wanted:
            about.setdefault(f.indicator, []).append(f)
    own: dict[str, list[str]] = {}
    for t in county.targets:
        if t.indicator in wanted:
            text = value_text(t)
            seen = own.setdefault(t.indicator, [])
            if text not in seen:
                seen.append(text)
    cells: list[ProvinceCell] = []
    for column in columns:
        ind = column.indicator
        texts = own.get(ind)
        group = about.get(ind)
        if group is None:
            cells.append(ProvinceCell(" / ".join(texts)) if texts else _EMPTY_CELL)
            continue
        if len(group) > 1:
            group = sorted(group, key=_finding_rank)
        top = group[0]
        ids = tuple(f.id for f in group if f.id is not None)
        cells.append(ProvinceCell(" / ".join(texts) if texts else "", top.severity.value, top.status, ids))
    plan = county.report.county
    return CountyRow(
        plan=plan,
        region_code=county.region.code,
        city_code=city[0],
        city_name=city[1],
        check_id=county.check_id,
        severity_counts=tuple(counts.values()),
        open_gaps=open_gaps,
        cells=tuple(cells),
        findings=findings,
        cross=cross,
    )


def _by_frequency(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v for v, _ in Counter(values).most_common())


def province_report(
    parents: Sequence[ParentPlan],
    counties: Sequence[CountyCheck],
    *,
    unchecked: Sequence[UncheckedPlan] = (),
    cross: Iterable[Finding | ReportFinding] = (),
    max_columns: int = MAX_COLUMNS,
    catalog: Catalog | None = None,
    index: RegionIndex | None = None,
    generated_at: datetime | None = None,
    zone: tzinfo | None = None,
) -> ProvinceReport:
    """The province's model: columns from the parents' targets (their headline indicators, then
    their other catalogued ones, in catalog order, at most ``max_columns``), one row per county,
    the summary counts. ``cross`` are findings comparing counties (a fact with role "county" per
    county quoted); a plain ``Finding`` has no review."""
    catalog = catalog or default_catalog()
    index = index or default_index()
    columns = _columns(parents, catalog, max_columns)
    wanted = frozenset(c.indicator for c in columns)
    cross_findings = tuple(f if isinstance(f, ReportFinding) else ReportFinding.of(f) for f in cross)
    quoted: Counter[str] = Counter()
    for f in cross_findings:
        quoted.update({x.plan_id for x in f.facts if x.role == "county"})
    cities: dict[str, tuple[str, str]] = {}
    rows = [
        _row(c, columns, wanted, _city(index, c.region, cities), quoted[c.report.county.plan_id])
        for c in counties
    ]
    by_severity = dict.fromkeys(SEVERITY_ORDER, 0)
    by_category: Counter[str] = Counter()
    for c in counties:
        by_category.update(f.category.value for f in c.report.findings)
    for r in rows:
        for severity, n in zip(SEVERITY_ORDER, r.severity_counts, strict=True):
            by_severity[severity] += n
    summary = ProvinceSummary(
        checked=len(rows),
        failed=len(unchecked),
        by_severity=by_severity,
        by_category=dict(by_category),
        with_error=sum(1 for r in rows if r.severity_counts[_ERROR]),
        open_gaps=sum(r.open_gaps for r in rows),
        cross_by_rule=dict(Counter(f.rule_id for f in cross_findings)),
    )
    return ProvinceReport(
        parents=tuple(p.plan for p in parents),
        columns=columns,
        rows=sort_rows(rows),
        unchecked=tuple(unchecked),
        cross=cross_findings,
        summary=summary,
        rule_pack_versions=_by_frequency(c.report.rule_pack_version for c in counties),
        catalog_versions=_by_frequency(c.report.catalog_version for c in counties),
        generated_at=generated_at or datetime.now(UTC),
        zone=zone,
    )


# -- what the Word and Markdown reports say, in one place so they agree -------------------------


def basic_facts(report: ProvinceReport) -> list[tuple[str, str]]:
    """The 基本情况 lines: the parents cited by region, period and title; what was checked; the
    rule pack and catalog versions the checks used (several, by how many checks used each, when
    they differ); when the report was made, labelled with its zone."""
    s = report.summary
    return [
        ("上级规划", "\n".join(p.cite for p in report.parents) or "无"),
        ("检查范围", f"已检查县级规划 {s.checked} 份,未能检查 {s.failed} 份"),
        ("规则包版本", "、".join(report.rule_pack_versions) or "—"),
        ("指标目录版本", "、".join(report.catalog_versions) or "—"),
        ("生成时间", local_time(report.generated_at, report.zone)),
    ]


def summary_sentence(report: ProvinceReport) -> str:
    s = report.summary
    total = sum(s.by_severity.values())
    severities = "、".join(f"{SEVERITY_ZH[k]} {n} 项" for k, n in s.by_severity.items())
    rules = "、".join(f"{rule} {n} 项" for rule, n in sorted(s.cross_by_rule.items()))
    return (
        f"共检查县级规划 {s.checked} 份(未能检查 {s.failed} 份),发现 {total} 项,其中{severities};"
        f"{s.with_error} 个县(市、区)有错误级问题;待处理问题(未审核的错误和警告){s.open_gaps} 项;"
        f"跨县发现 {len(report.cross)} 项" + (f"({rules})" if rules else "") + "。"
    )


def finding_title(f: ReportFinding) -> str:
    """规上工业增加值增长(警告 · 待审核): the indicator, the severity, the review if any."""
    state = f" · {f.review.status_zh}" if f.review is not None else ""
    return f"{indicator_name(f.indicator)}({SEVERITY_ZH[f.severity.value]}{state})"


def cross_by_rule(report: ProvinceReport) -> list[tuple[str, list[ReportFinding]]]:
    groups: dict[str, list[ReportFinding]] = defaultdict(list)
    for f in report.cross:
        groups[f.rule_id].append(f)
    return sorted(groups.items())


def fact_rows(f: ReportFinding) -> list[tuple[str, str]]:
    """A finding's evidence, the parents' quotes first, then each county's; then who decided it
    and why, when a reviewer has."""
    ordered = sorted(f.facts, key=lambda x: x.role != "parent")
    rows = [(PLAN_ROLE_ZH.get(x.role, x.role) + "原文", fact_line(x)) for x in ordered]
    review = f.review
    if review is not None and (review.reviewed_by or review.comment):
        who = f"({review.reviewed_by})" if review.reviewed_by else ""
        rows.append(("审核", f"{review.status_zh}{who}" + (f":{review.comment}" if review.comment else "")))
    return rows


def matrix_columns(report: ProvinceReport) -> tuple[ProvinceColumn, ...]:
    """The columns a report prints: the headline ones (the page shows them all), or every column
    when the parents set no headline indicator."""
    return report.headline_columns or report.columns


def matrix_legend(report: ProvinceReport) -> str:
    shown = matrix_columns(report)
    marks = " ".join(f"{SEVERITY_MARK[k]}{SEVERITY_ZH[k]}" for k in SEVERITY_ORDER)
    rest = len(report.columns) - len(shown)
    return (
        "每格为该县(市、区)规划设定的目标值;其后的标记为该指标上最需处理的问题"
        f"({marks}),再后为审核状态;空白表示未设定该指标且无相关发现。列名下为上级规划的目标值。"
        + (f"本表列出上级规划的主要指标 {len(shown)} 项;其余 {rest} 项指标的问题见问题清单。" if rest else "")
    )


def matrix(
    report: ProvinceReport, columns: Sequence[ProvinceColumn], rows: Iterable[CountyRow] | None = None
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The matrix's head and rows for some columns: county, city, open gaps, then each cell."""
    at = [report.column(c.indicator) for c in columns]
    head = ("县(市、区)", "所属地市", "待处理问题", *(f"{c.name}\n上级:{c.parent_text}" for c in columns))
    body = [
        (r.plan.label, r.city_label, r.open_gaps, *(r.cells[i].marked for i in at))
        for r in (report.rows if rows is None else rows)
    ]
    return head, body


FINDING_LIST_HEAD = ("序号", "县(市、区)", "指标", "严重性", "县级原文", "上级原文", "审核状态", "问题编号")
_LISTED = tuple(c for c in CATEGORY_ORDER if c != "aligned")
"""问题清单 lists what is a problem; findings that a county is aligned are counted, not listed."""


def finding_list(report: ProvinceReport) -> list[tuple[str, list[tuple[object, ...]]]]:
    """The 问题清单: by category, each county's findings (counties by region code) with both
    sides' quotes and the review."""
    groups: dict[str, list[tuple[object, ...]]] = {c: [] for c in _LISTED}
    lines: dict[FindingFact, str] = {}  # a parent's quote recurs in every county's findings

    def line(x: FindingFact) -> str:
        text = lines.get(x)
        if text is None:
            text = lines[x] = fact_line(x)
        return text

    for r in sort_rows(report.rows, "region"):
        for f in r.findings:
            group = groups.get(f.category.value)
            if group is None:
                continue
            county = "\n".join(line(x) for x in f.facts if x.role == "county")
            parent = "\n".join(line(x) for x in f.facts if x.role == "parent")
            status = f.review.status_zh if f.review is not None else ""
            group.append(
                (
                    len(group) + 1,
                    r.plan.label,
                    indicator_name(f.indicator),
                    SEVERITY_ZH[f.severity.value],
                    county,
                    parent,
                    status,
                    "" if f.id is None else f.id,
                )
            )
    return [(c, rows) for c, rows in groups.items() if rows]
