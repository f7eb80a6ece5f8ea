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
from dataclasses import dataclass

from sqlmodel import Session, col, select

from api.db import CheckRun, PlanRevision, PlanRow, TargetCorrection, TargetRow
from api.schemas import CheckPublic, FindingPublic, ParentRef
from api.services.checks import FindingFilter, list_findings
from api.services.domain import apply_corrections, report_finding
from api.web.present import Excerpt, excerpt, locate
from rulesengine.labels import PLAN_ROLE_ZH, indicator_name, value_text
from rulesengine.model import Target
from rulesengine.report import Coverage, ReportPlan
from rulesengine.report import coverage as report_coverage

__all__ = [
    "Changes",
    "Column",
    "Evidence",
    "all_findings",
    "changes_since_previous",
    "check_columns",
    "coverage",
    "evidence",
    "parent_choices",
    "report_finding",
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


Column = ReportPlan
"""A plan the check read: the county first, then its parents (the reports' own type)."""


def check_columns(session: Session, check: CheckRun, public: CheckPublic) -> list[Column]:
    plan = session.get(PlanRow, check.plan_id)
    county = Column(
        plan_id=check.plan_id,
        role="county",
        region=plan.region_name if plan else check.plan_id,
        period=plan.period if plan else "",
        title=plan.title if plan else "",
        revision=check.plan_revision,
    )
    return [county, *(_parent_column(p) for p in public.parents)]


def _parent_column(ref: ParentRef) -> Column:
    return Column(ref.plan_id, "parent", ref.region_name, ref.period, ref.title, ref.revision)


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
        out[column.plan_id] = [e.target for e in apply_corrections(extracted, corrections, text).targets]
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
                role_zh=PLAN_ROLE_ZH.get(role, role),
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


def coverage(
    columns: Sequence[Column], targets: dict[str, list[Target]], findings: Iterable[FindingPublic]
) -> Coverage:
    """The library's coverage matrix for a stored check (rulesengine.report.coverage)."""
    return report_coverage(columns, targets, [report_finding(f) for f in findings])


# -- what a re-check changed -------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """What a check found that its predecessor did not, and the reverse, and why it may differ:
    the corrections it read that the previous one did not (or no longer)."""

    previous_id: int
    new: list[FindingPublic]
    resolved: list[FindingPublic]
    carried: int
    corrections_now: list[int]
    corrections_gone: list[int]

    @property
    def any(self) -> bool:
        return bool(self.new or self.resolved or self.corrections_now or self.corrections_gone)


def changes_since_previous(
    session: Session, check: CheckRun, findings: Sequence[FindingPublic]
) -> Changes | None:
    """The difference between a check and the plan's check before it (None for the first)."""
    if check.previous_check_id is None:
        return None
    previous = session.get(CheckRun, check.previous_check_id)
    before = set(previous.corrections_applied) if previous else set()
    now = set(check.corrections_applied)
    return Changes(
        previous_id=check.previous_check_id,
        new=[f for f in findings if f.carried_from_id is None and f.status.value != "resolved"],
        resolved=[f for f in findings if f.status.value == "resolved"],
        carried=sum(1 for f in findings if f.carried_from_id is not None and f.reviewed_by),
        corrections_now=sorted(now - before),
        corrections_gone=sorted(before - now),
    )


def parent_choices(session: Session) -> list[PlanRow]:
    """Stored province and city plans a batch may be checked against besides its own."""
    return list(
        session.exec(
            select(PlanRow)
            .where(
                col(PlanRow.level).in_(["national", "province", "city"]), col(PlanRow.deleted_at).is_(None)
            )
            .order_by(col(PlanRow.region_code), col(PlanRow.period))
        ).all()
    )
