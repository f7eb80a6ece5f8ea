"""The coverage matrix: catalog indicators × the plans of a check, each cell a plan's value and
what the check found about it.

Why in the library: the reviewer page shows it, the exports write it and the command line's
report ends with it; one matrix, built once from the findings and the targets each plan had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rulesengine.catalog import default_catalog
from rulesengine.labels import COVERAGE_ZH, indicator_name, value_text
from rulesengine.model import Target
from rulesengine.report.document import ReportFinding, ReportPlan

__all__ = ["Coverage", "CoverageCell", "CoverageRow", "coverage"]

_STATE_OF = {
    "gap": "missing",
    "weaker": "weaker",
    "mismatch": "mismatch",
    "conflict": "conflict",
    "aligned": "aligned",
}
_STATE_RANK = {"missing": 0, "weaker": 1, "mismatch": 2, "conflict": 3, "aligned": 4, "dismissed": 5}


@dataclass
class CoverageCell:
    """A plan's value(s) for an indicator and what the check found about them."""

    values: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    state: str | None = None
    finding_ids: list[int] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, finding: ReportFinding) -> None:
        """Colour the cell by the worst finding about it; one a reviewer dismissed counts only
        as dismissed (grey), so the matrix shows what is still a problem."""
        state = "dismissed" if finding.status == "dismissed" else _STATE_OF[finding.category.value]
        if self.state is None or _STATE_RANK[state] < _STATE_RANK[self.state]:
            self.state = state
        if finding.id is None:  # a fresh check's finding: known by what it says
            if finding.message not in self.messages:
                self.messages.append(finding.message)
        elif finding.id not in self.finding_ids:
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
    columns: list[ReportPlan]
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
    columns: Sequence[ReportPlan],
    targets: Mapping[str, Sequence[Target]],
    findings: Iterable[ReportFinding],
) -> Coverage:
    """Catalog indicators × (county, parents): each cell's value and the check's verdict on it.

    A cell is colored by the findings that cite that plan's targets; the county's cell is also
    colored *missing* by a gap finding, which cites only the parent (the county has nothing to
    quote). Findings resolved by a later check are left out: they no longer describe the plans.
    A finding a reviewer dismissed colours nothing but *dismissed*: it was judged not a problem.
    """
    catalog = default_catalog()
    live = [f for f in findings if f.status != "resolved"]
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for column in columns:
        for t in targets.get(column.plan_id, ()):
            values[(t.indicator, column.plan_id)].append(value_text(t))
    about: dict[str, list[ReportFinding]] = defaultdict(list)
    for f in live:
        about[f.indicator].append(f)
    extra = sorted(i for i in about if i not in catalog)
    index = {c.plan_id: i for i, c in enumerate(columns)}
    rows: list[CoverageRow] = []
    for indicator in [ind.id for ind in catalog] + extra:
        cells = [CoverageCell(values=values.get((indicator, c.plan_id), [])) for c in columns]
        for finding in about.get(indicator, ()):
            for plan_id in {fact.plan_id for fact in finding.facts}:
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
