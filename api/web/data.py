"""What the pages show, assembled from the service layer plus a few read-only queries.

Every write a page makes goes through ``api.services`` (see ``api.web.views``); this module
only reads. Where the services have no reader for what a page shows — the plan texts and
targets *as a past check saw them*, the coverage matrix — the rows are read here and turned
into the library's types with the services' own converters (``apply_corrections``), so a page
and the check it explains cannot disagree about what a target was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from api.db import CheckRun, PlanRevision, PlanRow, TargetCorrection, TargetRow
from api.schemas import CheckPublic, FindingPublic, ParentRef
from api.services.checks import FindingFilter, list_findings
from api.services.domain import apply_corrections
from api.web.present import (
    COVERAGE_ZH,
    ROLE_ZH,
    Excerpt,
    excerpt,
    indicator_name,
    locate,
    value_text,
)
from rulesengine.catalog import default_catalog
from rulesengine.model import Target

__all__ = [
    "Column",
    "Coverage",
    "CoverageCell",
    "CoverageRow",
    "Evidence",
    "all_findings",
    "check_columns",
    "coverage",
    "evidence",
    "revision_text",
    "targets_seen",
]

_PAGE = 500


def all_findings(
    session: Session, check_id: int, filters: FindingFilter | None = None
) -> list[FindingPublic]:
    """Every finding of a check that matches, through the same service the API pages with."""
    filters = filters or FindingFilter()
    items: list[FindingPublic] = []
    while True:
        page = list_findings(session, check_id, filters, limit=_PAGE, offset=len(items))
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


@dataclass(frozen=True)
class Column:
    """A plan the check read: the county first, then its parents in the check's order."""

    plan_id: str
    revision: int
    role: str
    region: str
    period: str
    title: str

    @property
    def label(self) -> str:
        return f"{self.region} {self.period}"


def check_columns(session: Session, check: CheckRun, public: CheckPublic) -> list[Column]:
    plan = session.get(PlanRow, check.plan_id)
    county = Column(
        plan_id=check.plan_id,
        revision=check.plan_revision,
        role="county",
        region=plan.region_name if plan else check.plan_id,
        period=plan.period if plan else "",
        title=plan.title if plan else "",
    )
    return [county, *(_parent_column(p) for p in public.parents)]


def _parent_column(ref: ParentRef) -> Column:
    return Column(ref.plan_id, ref.revision, "parent", ref.region_name, ref.period, ref.title)


def revision_text(session: Session, plan_id: str, number: int) -> str | None:
    row = session.exec(
        select(PlanRevision.text).where(PlanRevision.plan_id == plan_id, PlanRevision.number == number)
    ).first()
    return row


def targets_seen(session: Session, check: CheckRun, columns: Sequence[Column]) -> dict[str, list[Target]]:
    """Each plan's targets as this check saw them: that revision, the corrections it applied.

    A correction withdrawn after the check still counts here, because the check used it.
    """
    applied = set(check.corrections_applied)
    out: dict[str, list[Target]] = {}
    for column in columns:
        text = revision_text(session, column.plan_id, column.revision) or ""
        extracted = session.exec(
            select(TargetRow)
            .where(TargetRow.plan_id == column.plan_id, TargetRow.revision == column.revision)
            .order_by(col(TargetRow.position))
        ).all()
        corrections = [
            c.model_copy(update={"withdrawn_at": None})
            for c in session.exec(
                select(TargetCorrection).where(TargetCorrection.plan_id == column.plan_id)
            ).all()
            if c.id in applied
        ]
        out[column.plan_id] = [e.target for e in apply_corrections(extracted, corrections, text)]
    return out


# -- the finding page: quotes in their paragraphs ---------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One side of a finding: a plan's paragraph with the quoted targets marked."""

    role: str
    role_zh: str
    plan_id: str
    region: str
    title: str
    period: str
    excerpt: Excerpt
    quotes: tuple[str, ...]
    values: tuple[str, ...]


def evidence(session: Session, finding: FindingPublic, columns: Sequence[Column]) -> list[Evidence]:
    """The finding's facts grouped by plan and paragraph, county side first."""
    by_plan = {c.plan_id: c for c in columns}
    texts: dict[str, str] = {}
    groups: dict[tuple[str, int], list[tuple[int, int, str]]] = defaultdict(list)
    meta: dict[tuple[str, int], tuple[str, list[str], list[str]]] = {}
    for n, fact in enumerate(finding.facts):
        column = by_plan.get(fact.plan_id)
        if fact.plan_id not in texts:
            number = column.revision if column else 0
            texts[fact.plan_id] = revision_text(session, fact.plan_id, number) or ""
        text = texts[fact.plan_id]
        where = locate(text, fact.quote, fact.start, fact.end)
        # Facts in the same paragraph share one excerpt; a quote not found stands alone.
        if where is None:
            key = (fact.plan_id, -1 - n)
        else:
            key = (fact.plan_id, text.rfind("\n", 0, where[0]))
            groups[key].append((where[0], where[1], indicator_name(fact.indicator)))
        role, quotes, values = meta.setdefault(key, (fact.role, [], []))
        quotes.append(fact.quote)
        if fact.value is not None:
            values.append(value_text(fact))
    out: list[Evidence] = []
    for key, (role, quotes, values) in meta.items():
        plan_id = key[0]
        column = by_plan.get(plan_id)
        spans = groups.get(key, [])
        out.append(
            Evidence(
                role=role,
                role_zh=ROLE_ZH.get(role, role),
                plan_id=plan_id,
                region=column.region if column else plan_id,
                title=column.title if column else "",
                period=column.period if column else "",
                excerpt=excerpt(texts[plan_id], spans),
                quotes=tuple(quotes),
                values=tuple(values),
            )
        )
    order = {c.plan_id: i for i, c in enumerate(columns)}
    return sorted(out, key=lambda e: (e.role != "county", order.get(e.plan_id, 99)))


# -- coverage --------------------------------------------------------------------------------

_STATE_OF = {
    "gap": "missing",
    "weaker": "weaker",
    "mismatch": "mismatch",
    "conflict": "conflict",
    "aligned": "aligned",
}
_STATE_RANK = {"missing": 0, "weaker": 1, "mismatch": 2, "conflict": 3, "aligned": 4}


@dataclass
class CoverageCell:
    """A plan's value(s) for an indicator and what the check found about them."""

    values: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: str | None = None
    finding_ids: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, finding: FindingPublic) -> None:
        state = _STATE_OF[finding.category.value]
        if self.state is None or _STATE_RANK[state] < _STATE_RANK[self.state]:
            self.state = state
        if finding.id not in self.finding_ids:
            self.finding_ids.append(finding.id)
            self.messages.append(finding.message)

    @property
    def state_zh(self) -> str:
        return COVERAGE_ZH.get(self.state or "", "")

    @property
    def text(self) -> str:
        return " / ".join(self.values)


@dataclass
class CoverageRow:
    indicator: str
    name: str
    in_catalog: bool
    cells: list[CoverageCell]

    @property
    def empty(self) -> bool:
        return all(not c.values and c.state is None for c in self.cells)

    @property
    def state(self) -> str | None:
        """The worst verdict in the row: what a reviewer scanning the rows should see first."""
        states = [c.state for c in self.cells if c.state]
        return min(states, key=_STATE_RANK.__getitem__) if states else None


@dataclass(frozen=True)
class Coverage:
    columns: list[Column]
    rows: list[CoverageRow]

    @property
    def counts(self) -> dict[str, int]:
        """Indicators by their row's worst state: the summary above the matrix."""
        out: dict[str, int] = {k: 0 for k in COVERAGE_ZH}
        for row in self.rows:
            if row.state:
                out[row.state] += 1
        return out


def coverage(
    columns: Sequence[Column], targets: dict[str, list[Target]], findings: Iterable[FindingPublic]
) -> Coverage:
    """Catalog indicators × (county, parents): each cell's value and the check's verdict on it.

    A cell is colored by the findings that cite that plan's targets; the county's cell is also
    colored *missing* by a gap finding, which cites only the parent (the county has nothing to
    quote). Findings resolved by a later check are left out: they no longer describe the plans.
    """
    catalog = default_catalog()
    order = [ind.id for ind in catalog]
    live = [f for f in findings if f.status.value != "resolved"]
    extra = sorted({f.indicator for f in live if f.indicator not in catalog})
    rows: list[CoverageRow] = []
    index = {c.plan_id: i for i, c in enumerate(columns)}
    for indicator in order + extra:
        cells = [CoverageCell() for _ in columns]
        for column, cell in zip(columns, cells, strict=True):
            cell.values = [value_text(t) for t in targets.get(column.plan_id, []) if t.indicator == indicator]
        for finding in (f for f in live if f.indicator == indicator):
            cited = {fact.plan_id for fact in finding.facts}
            for plan_id in cited:
                if plan_id in index:
                    cells[index[plan_id]].add(finding)
            if finding.category.value == "gap" and cells:
                cells[0].add(finding)
            for fact in finding.facts:  # a comparable target under another indicator id
                i = index.get(fact.plan_id)
                if i is not None and fact.indicator != indicator and fact.value is not None:
                    note = f"{value_text(fact)}({indicator_name(fact.indicator)})"
                    if note not in cells[i].notes:
                        cells[i].notes.append(note)
        rows.append(CoverageRow(indicator, indicator_name(indicator), indicator in catalog, cells))
    return Coverage(list(columns), rows)
