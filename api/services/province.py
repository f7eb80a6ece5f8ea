"""A batch job as the province at once: the library's ``ProvinceReport`` from stored rows.

The dashboard page, its Word and Markdown reports and the API all read the job through
``province_of_job``, so they show the same matrix. It reads each county's *latest* check (a
reviewer may have re-checked or corrected since the job ran) with the reviews on its findings,
the county's current targets, the parents' targets and the job's findings across counties — in a
handful of queries whatever the number of counties: a province of 100 counties or China's 2,844
must not cost a query per cell or per row.
"""

from __future__ import annotations

import gc
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.db import (
    BatchFinding,
    BatchItem,
    BatchJob,
    CheckRun,
    FindingRow,
    PlanRevision,
    PlanRow,
    TargetCorrection,
    TargetRow,
)
from api.schemas import BatchItemStage, ParentRef
from api.services import catalog as catalog_service
from api.services.batches import get_job, latest_checks
from api.services.checks import plan_facts
from api.services.domain import apply_corrections, domain_target, report_finding
from rulesengine.hotcache import HotCache
from rulesengine.model import Target
from rulesengine.regions import default_index
from rulesengine.report import CheckReport, ReportFinding, ReportPlan
from rulesengine.report.province import (
    CountyCheck,
    ParentPlan,
    ProvinceReport,
    UncheckedPlan,
    province_report,
)

__all__ = ["province_of_job"]


def _county_targets(session: Session, plans: Sequence[PlanRow]) -> dict[str, tuple[Target, ...]]:
    """Each plan's targets at its current revision, reviewers' corrections applied; the text is
    read only for the plans that have corrections (they are located in it). Rows are read as
    plain tuples, not ORM objects: for China's counties they are some 80,000."""
    current = {p.id: p.current_revision for p in plans}
    corrections: dict[str, list[TargetCorrection]] = defaultdict(list)
    for c in session.exec(
        select(TargetCorrection).where(col(TargetCorrection.plan_id).in_(list(current)))
    ).all():
        corrections[c.plan_id].append(c)
    rows: dict[str, list[Any]] = defaultdict(list)
    columns = [col(getattr(TargetRow, name)) for name in _TARGET_COLUMNS]
    for r in session.execute(
        sa.select(*columns).where(col(TargetRow.plan_id).in_(list(current))).order_by(col(TargetRow.position))
    ):
        if r.revision == current[r.plan_id]:
            rows[r.plan_id].append(r)
    out: dict[str, tuple[Target, ...]] = {}
    for plan_id, number in current.items():
        if corrections.get(plan_id):
            extracted = session.exec(
                select(TargetRow).where(TargetRow.plan_id == plan_id, TargetRow.revision == number)
            ).all()
            text = session.exec(
                select(PlanRevision.text).where(
                    PlanRevision.plan_id == plan_id, PlanRevision.number == number
                )
            ).one()
            out[plan_id] = tuple(
                e.target for e in apply_corrections(extracted, corrections[plan_id], text).targets
            )
        else:
            out[plan_id] = tuple(domain_target(r) for r in rows[plan_id])
    return out


_TARGET_COLUMNS = (
    "plan_id",
    "revision",
    "indicator",
    "value",
    "unit",
    "comparator",
    "value_max",
    "kind",
    "basis",
    "period",
    "quote",
    "span_start",
    "span_end",
    "confidence",
)
_FINDING_COLUMNS = (
    "id",
    "check_id",
    "fingerprint",
    "rule_id",
    "rule_version",
    "severity",
    "category",
    "indicator",
    "message",
    "facts",
    "status",
    "comment",
    "reviewed_by",
    "reviewed_at",
)


_REPORTS: weakref.WeakKeyDictionary[Any, HotCache[tuple[Any, ...], ProvinceReport]] = (
    weakref.WeakKeyDictionary()
)
"""Built reports per database, by the job and everything they show (``_data_version``): sorting,
filtering and paging the dashboard, then downloading its report, build it once."""


def _data_version(session: Session, job: BatchJob) -> tuple[Any, ...]:
    """What a job's report is made of, in a few aggregate queries: its stage and findings across
    counties, its plans' revisions and checks, their findings' reviews and their corrections. A
    review, a re-check, a revision or a correction changes one of them."""
    plans = select(BatchItem.plan_id).where(BatchItem.job_id == job.id)
    parents = list(job.parent_ids)
    checks = sa.select(col(CheckRun.id)).where(col(CheckRun.plan_id).in_(plans))
    return (
        job.id,
        job.stage,
        job.finished_at,
        session.execute(
            sa.select(sa.func.count(), sa.func.sum(col(BatchFinding.version))).where(
                col(BatchFinding.job_id) == job.id
            )
        ).one(),
        session.execute(
            sa.select(sa.func.count(), sa.func.max(col(BatchItem.updated_at))).where(
                col(BatchItem.job_id) == job.id
            )
        ).one(),
        session.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(col(PlanRow.current_revision)),
                sa.func.max(col(PlanRow.deleted_at)),
            ).where(sa.or_(col(PlanRow.id).in_(plans), col(PlanRow.id).in_(parents)))
        ).one(),
        session.execute(
            sa.select(sa.func.count(), sa.func.max(col(CheckRun.id))).where(col(CheckRun.plan_id).in_(plans))
        ).one(),
        session.execute(
            sa.select(sa.func.count(), sa.func.max(col(FindingRow.updated_at))).where(
                col(FindingRow.check_id).in_(checks)
            )
        ).one(),
        session.execute(
            sa.select(
                sa.func.count(),
                sa.func.max(col(TargetCorrection.id)),
                sa.func.max(col(TargetCorrection.withdrawn_at)),
            ).where(
                sa.or_(col(TargetCorrection.plan_id).in_(plans), col(TargetCorrection.plan_id).in_(parents))
            )
        ).one(),
        catalog_service.overlay_version(session),
    )


def province_of_job(session: Session, job_id: int, zone: tzinfo | None = None) -> ProvinceReport:
    """The job's counties against its parents, as the library's province model; built once for
    each state of its data (see ``_data_version``)."""
    job = get_job(session, job_id)
    key = (*_data_version(session, job), str(zone))
    cache = _REPORTS.get(session.get_bind())
    if cache is None:
        cache = _REPORTS.setdefault(session.get_bind(), HotCache(4))
    report = cache.get(key)
    if report is None:
        # A China-wide job builds some 130,000 objects that all live on: the collector's passes
        # over them cost a third of the time, and would find nothing to free.
        paused = gc.isenabled()
        gc.disable()
        try:
            report = _build(session, job, zone)
        finally:
            if paused:
                gc.enable()
        cache.put(key, report)
    session.rollback()
    return report


def _build(session: Session, job: BatchJob, zone: tzinfo | None) -> ProvinceReport:
    job_id = job.id
    assert job_id is not None
    items = session.exec(
        select(BatchItem).where(BatchItem.job_id == job_id).order_by(col(BatchItem.position))
    ).all()
    parent_ids = list(
        dict.fromkeys(
            [i.plan_id for i in items if i.stage == BatchItemStage.parent and i.plan_id] + job.parent_ids
        )
    )
    county_ids = [i.plan_id for i in items if i.stage == BatchItemStage.checked and i.plan_id]
    plans = {
        p.id: p
        for p in session.exec(
            select(PlanRow).where(
                col(PlanRow.id).in_(parent_ids + county_ids), col(PlanRow.deleted_at).is_(None)
            )
        ).all()
    }
    catalog = catalog_service.current_catalog(session)

    parents = []
    for pid in parent_ids:
        row = plans.get(pid)
        if row is None:
            continue
        facts = plan_facts(session, pid, catalog)
        plan = ReportPlan(pid, "parent", row.region_name, row.period, row.title, row.current_revision)
        parents.append(ParentPlan(plan, facts.targets))

    latest = latest_checks(session, county_ids)
    checks = {
        c.id: c
        for c in session.exec(select(CheckRun).where(col(CheckRun.id).in_(list(latest.values())))).all()
    }
    findings: dict[int, list[ReportFinding]] = defaultdict(list)
    columns = [col(getattr(FindingRow, name)) for name in _FINDING_COLUMNS]
    for f in session.execute(
        sa.select(*columns).where(col(FindingRow.check_id).in_(list(checks))).order_by(col(FindingRow.id))
    ):
        findings[f.check_id].append(report_finding(f))
    targets = _county_targets(session, [plans[c] for c in county_ids if c in plans])
    index = default_index()
    counties = []
    for pid in county_ids:
        row, check_id = plans.get(pid), latest.get(pid)
        if row is None or check_id is None:
            continue
        check = checks[check_id]
        county = ReportPlan(pid, "county", row.region_name, row.period, row.title, check.plan_revision)
        refs = [ParentRef.model_validate(p) for p in check.parents]
        report = CheckReport(
            plans=(
                county,
                *(
                    ReportPlan(r.plan_id, "parent", r.region_name, r.period, r.title, r.revision)
                    for r in refs
                ),
            ),
            findings=tuple(findings[check_id]),
            rule_pack_version=check.rule_pack_version,
            catalog_version=check.catalog_version,
            zone=zone,
        )
        region = index.known(row.region_code, row.region_name)
        counties.append(CountyCheck(report, region, targets.get(pid, ()), check_id))

    unchecked = [UncheckedPlan(i.file_name, i.error or "") for i in items if i.stage == BatchItemStage.failed]
    cross = [
        report_finding(f)
        for f in session.exec(
            select(BatchFinding).where(BatchFinding.job_id == job_id).order_by(col(BatchFinding.id))
        )
    ]
    return province_report(parents, counties, unchecked=unchecked, cross=cross, catalog=catalog, zone=zone)
