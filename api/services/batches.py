"""Batch jobs: many plans uploaded at once, read and checked in the background.

A province's analyst uploads its counties' plans (a zip, several files, with ``.meta.yaml``
files or a mapping table) and the parent plans. The request only unpacks the upload and stores
each document as a ``batch_item`` with its bytes; the work is done by ``api.jobs.JobRunner``,
one thread per API process, through the functions here:

1. **reading** — each item is read and stored as a plan (``plans.stage_plan``: the same reading
   and extraction as a single upload), in the same transaction that marks the item read;
2. **checking** — once every item is read, each plan's parents are found among the job's plans
   and the stored parents the upload named (region above, period covering), and each plan that
   has parents is checked (``checks.gather`` → the app's checker → ``checks.record_check``: a
   normal check that reviewers review); a plan that only stands above others is a ``parent``;
3. **across** — the plans are compared across counties (``rulesengine.across``), findings
   stored in ``batch_finding``;
4. **done**.

Why the database is the queue: the job must survive a reload and a server restart, and with
several API processes (``planalign serve --workers N``) on PostgreSQL any of them may take the
next item. An item is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite, one process,
has no need of it), and the claim is a lease: a runner renews its claims while it works, and a
claim not renewed within ``LEASE`` was left by a process that died, so the item is taken again
(up to ``MAX_ATTEMPTS`` times: a document that kills its process each time is failed, by name).
A job moves to its next stage by a conditional UPDATE, so exactly one process makes each move.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from api.auth import Principal, Role
from api.db import BatchFinding, BatchItem, BatchJob, CheckRun, PlanRevision, PlanRow, utcnow
from api.engine import Checker, with_catalog
from api.errors import Problem, conflict, from_region_error, not_found
from api.schemas import (
    BatchFindingPublic,
    BatchItemPublic,
    BatchItemStage,
    BatchPublic,
    BatchSkipped,
    BatchStage,
    Page,
    PlanMeta,
)
from api.services import catalog as catalog_service
from api.services import checks as check_service
from api.services import plans as plan_service
from api.services.common import count_and_page, get_plan, record
from api.services.domain import finding_columns
from api.settings import Settings
from rulesengine.bundle import Bundle, BundleError, unpack
from rulesengine.check import OVERRIDES, CheckError
from rulesengine.labels import JOB_STAGE_ZH, META_SOURCE_ZH
from rulesengine.model import Finding, Period
from rulesengine.plans import meta_from_heading
from rulesengine.regions import RegionError, default_index
from rulesengine.rulebook import Rulebook, RulebookError, default_rulebook

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "Claim",
    "advance",
    "batch_public",
    "cancel_job",
    "claim",
    "create_job",
    "get_job",
    "list_across",
    "list_items",
    "list_jobs",
    "process",
    "renew",
    "runner_id",
]

log = logging.getLogger("planalign.jobs")

LEASE = timedelta(seconds=60)
"""How long a claim holds without renewal; runners renew every few seconds while they work."""
MAX_ATTEMPTS = 3


def runner_id() -> str:
    """This process's name in ``claimed_by``: host, pid and a random tag (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------------------------
# Creating a job (in the request).


def _unpacked(uploads: Sequence[tuple[str, bytes]]) -> Bundle:
    try:
        return unpack(uploads)
    except BundleError as exc:
        raise Problem(
            422, "bad_bundle", exc.message_zh, exc.message_en, field="files", file=exc.file, line=exc.line
        ) from None


def create_job(
    session: Session,
    principal: Principal,
    uploads: Sequence[tuple[str, bytes]],
    *,
    parent_ids: Sequence[str] = (),
    allow: Sequence[str] = (),
    comment: str | None = None,
    max_file_bytes: int,
) -> BatchPublic:
    """Store the upload's documents as the items of a new job; one commit. The work is done in
    the background; the answer says how many documents were taken and which members were not."""
    unknown = sorted(set(allow) - set(OVERRIDES))
    if unknown:
        raise Problem(
            422,
            "unknown_override",
            f"未知的豁免项 {'、'.join(unknown)}(可用:{'、'.join(OVERRIDES)})",
            f"unknown override {', '.join(unknown)} (known: {', '.join(OVERRIDES)})",
            field="allow",
        )
    for pid in dict.fromkeys(parent_ids):
        get_plan(session, pid, field="parent_ids")
    bundle = _unpacked(uploads)
    if not bundle.files:
        raise Problem(
            422,
            "empty_batch",
            "上传内容中没有规划文件(.txt、.docx、.pdf 等,可放在 zip 压缩包中)",
            "the upload holds no plan document (.txt, .docx, .pdf …, possibly inside a zip)",
            field="files",
            skipped=[s.__dict__ for s in bundle.skipped],
        )
    named: dict[str, str] = {}
    for f in bundle.files:
        pid = str(f.meta.get("id") or "")
        if pid and pid in named:
            raise Problem(
                422,
                "duplicate_plan_id",
                f"{named[pid]} 与 {f.name} 的规划编号都是 {pid}:一份规划一个编号,请改正 .meta.yaml 或清单",
                f"{named[pid]} and {f.name} both have plan id {pid}: one id per plan; correct the "
                ".meta.yaml or the mapping table",
                field="files",
                files=[named[pid], f.name],
            )
        named[pid] = f.name
    job = BatchJob(
        total=len(bundle.files),
        parent_ids=list(dict.fromkeys(parent_ids)),
        allow=sorted(set(allow)),
        comment=comment,
        skipped=[s.__dict__ for s in bundle.skipped],
        created_by=principal.name,
        created_by_token_id=principal.token_id,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    for position, f in enumerate(bundle.files):
        item = BatchItem(
            job_id=job.id, position=position, file_name=f.name[-300:], meta=f.meta, meta_source=f.meta_source
        )
        if len(f.data) > max_file_bytes:
            item.stage, item.error = BatchItemStage.failed, _too_large(len(f.data), max_file_bytes)
        else:
            item.content = f.data
        session.add(item)
    record(session, principal, "batch_created", "batch", job.id, comment=f"{len(bundle.files)} files")
    session.commit()
    return batch_public(session, job)


def _too_large(size: int, limit: int) -> str:
    return (
        f"文件过大({size:,} 字节,上限 {limit:,})"
        f" / the file is larger than the limit ({size:,} > {limit:,} bytes)"
    )


def cancel_job(session: Session, principal: Principal, job_id: int) -> BatchPublic:
    """Stop a job: what is not yet read or checked is not; what is done stays (its plans and
    checks are ordinary ones). Its submitter or an admin may; one commit, audited."""
    job = get_job(session, job_id)
    if principal.role != Role.admin and (
        principal.token_id != job.created_by_token_id or not principal.token_id
    ):
        raise Problem(
            403,
            "forbidden",
            f"只有提交人({job.created_by})或管理员可以取消该任务",
            f"only its submitter ({job.created_by}) or an admin may cancel this job",
            field="batch_id",
        )
    running = job.stage in (BatchStage.reading.value, BatchStage.checking.value, BatchStage.across.value)
    if not running or not _move(session, job, BatchStage.cancelled, finished_at=utcnow()):
        session.rollback()
        job = get_job(session, job_id)
        session.refresh(job)
        raise conflict(
            "batch_finished",
            f"任务 {job_id} 已{JOB_STAGE_ZH.get(job.stage, job.stage)},无法取消",
            f"batch {job_id} is already {job.stage}; nothing to cancel",
            field="batch_id",
        )
    session.execute(
        sa.update(BatchItem)
        .where(
            col(BatchItem.job_id) == job_id,
            col(BatchItem.stage).in_([BatchItemStage.queued.value, BatchItemStage.read.value]),
        )
        .values(stage=BatchItemStage.cancelled.value, content=None, claimed_by=None, updated_at=utcnow())
    )
    record(session, principal, "batch_cancelled", "batch", job_id)
    session.commit()
    return batch_public(session, get_job(session, job_id))


# --------------------------------------------------------------------------------------------
# Reading the job's state.


def get_job(session: Session, job_id: int) -> BatchJob:
    job = session.get(BatchJob, job_id)
    if job is None:
        raise not_found("批量任务", "batch", job_id, field="batch_id")
    return job


def _counts(session: Session, job_id: int) -> dict[str, int]:
    rows = session.execute(
        sa.select(col(BatchItem.stage), sa.func.count())
        .where(col(BatchItem.job_id) == job_id)
        .group_by(col(BatchItem.stage))
    ).all()
    counts = {s.value: 0 for s in BatchItemStage}
    counts.update({str(k): int(n) for k, n in rows})
    return counts


def batch_public(session: Session, job: BatchJob) -> BatchPublic:
    assert job.id is not None
    across = session.exec(select(func.count()).where(BatchFinding.job_id == job.id)).one()
    return BatchPublic(
        id=job.id,
        stage=BatchStage(job.stage),
        total=job.total,
        counts=_counts(session, job.id),
        parent_ids=list(job.parent_ids),
        allow=list(job.allow),
        comment=job.comment,
        error=job.error,
        rule_pack_version=job.rule_pack_version,
        across_findings=int(across),
        created_at=job.created_at,
        created_by=job.created_by,
        finished_at=job.finished_at,
        skipped=[BatchSkipped.model_validate(s) for s in job.skipped],
    )


def list_jobs(session: Session, *, limit: int, offset: int) -> Page[BatchPublic]:
    rows, total = count_and_page(
        session, select(BatchJob), limit=limit, offset=offset, order_by=col(BatchJob.id).desc()
    )
    return Page(items=[batch_public(session, j) for j in rows], total=total, limit=limit, offset=offset)


def list_items(
    session: Session, job_id: int, *, stage: str | None = None, limit: int, offset: int
) -> Page[BatchItemPublic]:
    get_job(session, job_id)
    query = select(BatchItem).where(BatchItem.job_id == job_id)
    if stage:
        query = query.where(BatchItem.stage == stage)
    rows, total = count_and_page(session, query, limit=limit, offset=offset, order_by=col(BatchItem.position))
    return Page(
        items=[BatchItemPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


def list_across(session: Session, job_id: int) -> list[BatchFindingPublic]:
    get_job(session, job_id)
    rows = session.exec(
        select(BatchFinding).where(BatchFinding.job_id == job_id).order_by(col(BatchFinding.id))
    ).all()
    return [BatchFindingPublic.model_validate(r) for r in rows]


# --------------------------------------------------------------------------------------------
# The runner's steps (api.jobs calls these from its thread).


@dataclass(frozen=True)
class Claim:
    """An item a runner holds, or a job it must move on (``item_id`` None)."""

    job_id: int
    item_id: int | None
    stage: str  # the job's stage the work belongs to


_WANT = {
    BatchStage.reading.value: BatchItemStage.queued.value,
    BatchStage.checking.value: BatchItemStage.read.value,
}


def claim(session: Session, owner: str, lease: timedelta = LEASE) -> Claim | None:
    """The next piece of work for ``owner``: an item of a job that is reading or checking, not
    claimed by a live runner; or a job with nothing left in its stage, to advance. One commit."""
    stale = utcnow() - lease
    jobs = session.exec(
        select(BatchJob).where(col(BatchJob.stage).in_(list(_WANT))).order_by(col(BatchJob.id))
    ).all()
    for job in jobs:
        assert job.id is not None
        want = _WANT[job.stage]
        query = (
            select(BatchItem)
            .where(
                BatchItem.job_id == job.id,
                BatchItem.stage == want,
                sa.or_(col(BatchItem.claimed_by).is_(None), col(BatchItem.claimed_at) < stale),
            )
            .order_by(col(BatchItem.position))
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job.stage == BatchStage.checking.value:
            query = query.where(BatchItem.role == "county")
        item = session.exec(query).first()
        if item is not None:
            item.claimed_by, item.claimed_at = owner, utcnow()
            item.attempts += 1
            session.add(item)
            session.commit()
            assert item.id is not None
            return Claim(job.id, item.id, job.stage)
        # Advance only when nothing is left in this stage, claimed or not: an item another runner
        # has locked but not yet marked (SKIP LOCKED hid it above) still counts here.
        left = select(func.count()).where(BatchItem.job_id == job.id, BatchItem.stage == want)
        if job.stage == BatchStage.checking.value:
            left = left.where(BatchItem.role == "county")
        if not session.exec(left).one():
            session.rollback()
            return Claim(job.id, None, job.stage)
    rest = session.exec(
        select(BatchJob.id)
        .where(BatchJob.stage == BatchStage.across.value)
        .order_by(col(BatchJob.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    session.rollback()
    return Claim(rest, None, BatchStage.across.value) if rest is not None else None


def renew(session: Session, owner: str, item_id: int) -> None:
    """Keep ``owner``'s claim on the item it is working on alive (only that one: a claim it could
    not release, the database being down, must lapse and be taken again)."""
    session.execute(
        sa.update(BatchItem)
        .where(col(BatchItem.id) == item_id, col(BatchItem.claimed_by) == owner)
        .values(claimed_at=utcnow())
    )
    session.commit()


def _principal(job: BatchJob) -> Principal:
    """The job's work is recorded as its submitter's, as if they had uploaded each plan."""
    return Principal(token_id=job.created_by_token_id or 0, name=job.created_by, role=Role.submitter)


def _finish(session: Session, item_id: int, owner: str, want: str, **values: Any) -> bool:
    """Mark an item done with its stage, if it is still ours and still in the stage we took it
    in (a cancel, or a runner that took over a lapsed claim, wins); flushed, not committed."""
    done = session.execute(
        sa.update(BatchItem)
        .where(col(BatchItem.id) == item_id, col(BatchItem.claimed_by) == owner, col(BatchItem.stage) == want)
        .values(claimed_by=None, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def _fail(session: Session, item_id: int, owner: str, want: str, message: str) -> None:
    session.rollback()
    _finish(session, item_id, owner, want, stage=BatchItemStage.failed.value, error=message, content=None)
    session.commit()


def _problem_text(exc: Problem) -> str:
    return f"{exc.message_zh} / {exc.message_en}"


def process(
    session: Session,
    work: Claim,
    *,
    settings: Settings,
    checker: Checker,
    owner: str,
    rulebook: Rulebook | None = None,
) -> bool:
    """Do one claimed item, or advance a job; every failure is the item's (or the job's) row,
    never the runner's end. False when there was nothing to do after all."""
    job = get_job(session, work.job_id)
    if work.item_id is None:
        return advance(session, job, checker=checker, rulebook=rulebook)
    item = session.exec(
        select(BatchItem).where(BatchItem.id == work.item_id).execution_options(populate_existing=True)
    ).first()
    want = _WANT[work.stage]
    if item is None or item.claimed_by != owner or item.stage != want:
        session.rollback()
        return False  # cancelled, or another runner took it over after our lease ran out
    if item.attempts > MAX_ATTEMPTS:
        message = f"处理中断 {MAX_ATTEMPTS} 次,已放弃 / interrupted {MAX_ATTEMPTS} times; given up"
        _fail(session, work.item_id, owner, want, f"{item.file_name}:{message}")
        return True
    try:
        if work.stage == BatchStage.reading.value:
            _read(session, job, item, settings, owner)
        else:
            _check(session, job, item, checker, owner)
    except Problem as exc:
        _fail(session, work.item_id, owner, want, _problem_text(exc))
    except (CheckError, RulebookError) as exc:
        _fail(session, work.item_id, owner, want, str(exc))
    except Exception as exc:  # a bug on an odd document: this item's failure, logged, not the job's
        log.exception("batch %s item %s (%s) failed", job.id, item.id, item.file_name)
        message = f"{item.file_name}:内部错误,已记录 / {item.file_name}: internal error, logged"
        _fail(session, work.item_id, owner, want, f"{message} ({type(exc).__name__})")
    return True


def _meta(item: BatchItem, text: str) -> tuple[PlanMeta, str]:
    meta = {k: v for k, v in item.meta.items() if k in {"region", "period", "title", "issuer", "id", "level"}}
    source = item.meta_source
    if not meta.get("region") or not meta.get("period"):
        heading = meta_from_heading(text)
        if heading:
            meta = {**heading, **meta}
            source = source or "heading"
    missing = [f for f in ("region", "period") if not meta.get(f)]
    if missing:
        names = {"region": "行政区", "period": "规划期"}
        raise Problem(
            422,
            "no_metadata",
            f"{item.file_name}:未能确定{'、'.join(names[m] for m in missing)}:请附同名 .meta.yaml,"
            "或在清单(文件、行政区、规划期)中列出,或确保标题写明地区与年份",
            f"{item.file_name}: no {' or '.join(missing)}: add a .meta.yaml of the same name, list it "
            "in a mapping table (file, region, period), or let its heading name the region and year",
            field=missing[0],
        )
    try:
        return PlanMeta.model_validate(meta), source
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(x) for x in error["loc"]) or "meta"
        value = meta.get(field, "")
        where = META_SOURCE_ZH.get(source, source)
        raise Problem(
            422,
            "bad_metadata",
            f"{item.file_name}:元数据字段 {field} 的值 {value!r} 无效(来自{where})",
            f"{item.file_name}: metadata field {field} = {value!r} is invalid: {error['msg']}",
            field=field,
        ) from None


def _read(session: Session, job: BatchJob, item: BatchItem, settings: Settings, owner: str) -> None:
    """Read the document and store it as a plan, in the transaction that marks the item read.

    A plan id the upload names that is already stored for the same region and period gets this
    text as a new revision (a province re-sends its counties next quarter), or is taken as it is
    when the text is the same — so an item retried after a crash does not store its plan twice.
    An id stored for another region or period is refused: it is not this document's plan."""
    assert item.id is not None
    doc = plan_service.read_upload(item.content or b"", item.file_name, settings.max_upload_bytes)
    meta, source = _meta(item, doc.text)
    principal = _principal(job)
    existing = session.get(PlanRow, meta.id) if meta.id else None
    if existing is not None and existing.deleted_at is None:
        try:
            region = default_index().resolve(meta.region)
        except RegionError as exc:
            raise from_region_error(exc) from None
        if (existing.region_code, existing.period) != (region.code, meta.period):
            raise Problem(
                409,
                "plan_id_taken",
                f"{item.file_name}:编号 {existing.id} 已是 {existing.region_name} {existing.period} 的规划,"
                f"而本文件为 {region.name} {meta.period}:请改用其他编号",
                f"{item.file_name}: id {existing.id} is already the plan of {existing.region_name} "
                f"{existing.period}, and this file is {region.name} {meta.period}: use another id",
                field="id",
            )
        current = session.exec(
            select(PlanRevision.text).where(
                PlanRevision.plan_id == existing.id, PlanRevision.number == existing.current_revision
            )
        ).one()
        if current != doc.text:
            plan_service.add_revision(session, principal, existing.id, doc, f"批量任务 {job.id}")
        plan_id = existing.id
    else:
        plan_id = plan_service.stage_plan(session, principal, meta, doc).id
    stored = session.get(PlanRow, plan_id)
    shown = {"region": stored.region_name, "period": stored.period} if stored else {}
    marked = _finish(
        session,
        item.id,
        owner,
        BatchItemStage.queued.value,
        plan_id=plan_id,
        stage=BatchItemStage.read.value,
        content=None,
        attempts=0,  # the count is per stage: checking starts it again
        meta={**meta.model_dump(exclude_none=True, exclude_defaults=True), **shown},
        meta_source=source,
    )
    if marked:
        session.commit()
    else:
        session.rollback()  # cancelled or taken over meanwhile: store nothing


def _check(session: Session, job: BatchJob, item: BatchItem, checker: Checker, owner: str) -> None:
    assert item.plan_id is not None and item.id is not None
    inputs = check_service.gather(session, item.plan_id, item.parents, job.allow)
    result = checker(inputs.county, inputs.parents, allow=inputs.allow, catalog=inputs.catalog)
    check = check_service.record_check(session, _principal(job), inputs, result)
    _finish(
        session,
        item.id,
        owner,
        BatchItemStage.read.value,
        check_id=check.id,
        stage=BatchItemStage.checked.value,
    )
    session.commit()


# --------------------------------------------------------------------------------------------
# Moving a job on.


def _move(session: Session, job: BatchJob, to: BatchStage, **values: Any) -> bool:
    """The conditional UPDATE that lets exactly one runner make this move."""
    moved = session.execute(
        sa.update(BatchJob)
        .where(col(BatchJob.id) == job.id, col(BatchJob.stage) == job.stage)
        .values(stage=to.value, **values)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def advance(session: Session, job: BatchJob, *, checker: Checker, rulebook: Rulebook | None = None) -> bool:
    """Move a job whose stage has no work left to the next one; False when another runner is
    already doing it. A move that fails fails the job, saying why, rather than holding up the
    queue: its plans and checks so far stay."""
    try:
        if job.stage == BatchStage.reading.value:
            _assign_parents(session, job)
        elif job.stage == BatchStage.checking.value:
            if _move(session, job, BatchStage.across):
                session.commit()
        elif job.stage == BatchStage.across.value:
            return _compare_across(session, job, rulebook or default_rulebook())
        return True
    except Exception as exc:
        log.exception("batch %s: moving on from %s failed", job.id, job.stage)
        session.rollback()
        stage = job.stage
        if _move(session, job, BatchStage.failed, finished_at=utcnow(), error=_stuck(stage, exc)):
            session.commit()
        return True


def _stuck(stage: str, exc: Exception) -> str:
    words = exc.message_zh if isinstance(exc, Problem) else type(exc).__name__
    english = exc.message_en if isinstance(exc, Problem) else type(exc).__name__
    return (
        f"任务在“{JOB_STAGE_ZH.get(stage, stage)}”之后无法继续:{words}(已完成的规划和检查保留)"
        f" / the job could not go on after {stage}: {english} (the plans and checks made so far stay)"
    )


@dataclass(frozen=True)
class _Planned:
    item: BatchItem | None  # None for a stored parent the upload named
    plan_id: str
    region_code: str
    period: Period
    level: str = "county"


_LEVEL_RANK = {"national": 0, "province": 1, "city": 2, "county": 3}


def _waived(
    me: _Planned, named: Sequence[_Planned], candidates: Sequence[_Planned], allow: Sequence[str]
) -> list[str]:
    """With the region check waived, the parents of a plan none is above by region: the stored
    plans the upload named, or else the batch's plans of a higher level (a province's, a city's);
    either with a period covering it — or any period, when that check is waived too."""

    def fits(c: _Planned) -> bool:
        return c.plan_id != me.plan_id and ("period" in allow or c.period.covers(me.period))

    if any(fits(c) for c in named):
        return [c.plan_id for c in named if fits(c)]
    found = [c for c in candidates if _LEVEL_RANK.get(c.level, 3) < _LEVEL_RANK.get(me.level, 3) and fits(c)]
    found.sort(key=lambda c: (-_LEVEL_RANK.get(c.level, 3), c.period.end - c.period.start, c.plan_id))
    return [c.plan_id for c in found]


def _parents_of(me: _Planned, candidates: Sequence[_Planned], allow: Sequence[str] = ()) -> list[str]:
    """The candidates above ``me`` (region an ancestor, period covering), nearest first — the
    rule ``rulesengine.check.find_parents`` applies, on stored rows."""
    index = default_index()
    rank = {a.code: i for i, a in enumerate(index.ancestors(me.region_code))}
    found = [
        c
        for c in candidates
        if c.region_code in rank
        and ("period" in allow or c.period.covers(me.period))
        and c.plan_id != me.plan_id
    ]
    found.sort(key=lambda c: (rank[c.region_code], c.period.end - c.period.start, c.plan_id))
    return [c.plan_id for c in found]


def _assign_parents(session: Session, job: BatchJob) -> None:
    """Each read plan's parents among the job's plans and the parents the upload named; a plan
    with parents is checked, one that only stands above others is a parent, one with neither
    fails, saying so. One transaction with the move to ``checking``."""
    items = session.exec(
        select(BatchItem).where(BatchItem.job_id == job.id, BatchItem.stage == BatchItemStage.read)
    ).all()
    plan_ids = [i.plan_id for i in items if i.plan_id] + list(job.parent_ids)
    rows = {r.id: r for r in session.exec(select(PlanRow).where(col(PlanRow.id).in_(plan_ids))).all()}
    planned = {
        i.id: _Planned(
            i,
            i.plan_id,
            rows[i.plan_id].region_code,
            Period.model_validate(rows[i.plan_id].period),
            rows[i.plan_id].level,
        )
        for i in items
        if i.plan_id in rows
    }
    named = [
        _Planned(None, pid, rows[pid].region_code, Period.model_validate(rows[pid].period), rows[pid].level)
        for pid in job.parent_ids
        if pid in rows
    ]
    everyone = [*planned.values(), *named]
    above: set[str] = set()
    chosen: dict[int | None, list[str]] = {}
    for key, me in planned.items():
        parents = _parents_of(me, everyone, job.allow)
        if not parents and "region" in job.allow:
            parents = _waived(me, named, everyone, job.allow)
        chosen[key] = parents
        above.update(parents)
    for key, me in planned.items():
        item = me.item
        assert item is not None
        if chosen[key]:
            item.role, item.parents = "county", chosen[key]
        elif me.plan_id in above:
            item.role, item.stage = "parent", BatchItemStage.parent
        else:
            item.stage = BatchItemStage.failed
            item.error = (
                "批次中没有它的上级规划(行政区在其之上、规划期覆盖其规划期),也不是其他规划的上级"
                " / no plan of the batch is above it (region above, period covering), nor is it above another"
            )
        item.updated_at = utcnow()
        session.add(item)
    if _move(session, job, BatchStage.checking):
        session.commit()
    else:
        session.rollback()


def _compare_across(session: Session, job: BatchJob, rulebook: Rulebook) -> bool:
    """The findings only many plans at once can give, stored with the job; then done."""
    assert job.id is not None
    mine = session.exec(
        select(BatchJob)
        .where(col(BatchJob.id) == job.id, col(BatchJob.stage) == BatchStage.across.value)
        .with_for_update(skip_locked=True)
    ).first()
    if mine is None:
        session.rollback()
        return False  # another runner is comparing it
    items = session.exec(
        select(BatchItem).where(
            BatchItem.job_id == job.id,
            col(BatchItem.stage).in_([BatchItemStage.checked, BatchItemStage.parent]),
        )
    ).all()
    plan_ids = list(dict.fromkeys([i.plan_id for i in items if i.plan_id] + list(job.parent_ids)))
    live = set(
        session.exec(
            select(PlanRow.id).where(col(PlanRow.id).in_(plan_ids), col(PlanRow.deleted_at).is_(None))
        ).all()
    )
    facts = [check_service.plan_targets(session, pid) for pid in plan_ids if pid in live]  # not deleted since
    # the service's rule pack, reading indicators with the catalog as reviewers have taught it
    book = with_catalog(rulebook, catalog_service.current_catalog(session))
    error = None
    findings: Sequence[Finding] = ()
    version = ""
    try:
        from rulesengine.across import check_across

        result = check_across(facts, rulebook=book)
        findings, version = result.findings, str(result.rule_pack_version)
    except Exception as exc:  # the comparison failing leaves every check in place; say so
        log.exception("batch %s: comparison across counties failed", job.id)
        error = (
            f"跨县比较失败,各县检查结果不受影响 / the comparison across counties failed: {type(exc).__name__}"
        )
    for f in {f.fingerprint: f for f in findings}.values():
        session.add(BatchFinding(job_id=job.id, **finding_columns(f)))
    if _move(session, job, BatchStage.done, finished_at=utcnow(), rule_pack_version=version, error=error):
        session.commit()
    else:
        session.rollback()
    return True


def latest_checks(session: Session, plan_ids: Sequence[str]) -> dict[str, int]:
    """Each plan's latest check id (a reviewer may have re-checked since the job)."""
    rows = session.execute(
        sa.select(col(CheckRun.plan_id), sa.func.max(col(CheckRun.id)))
        .where(col(CheckRun.plan_id).in_(list(plan_ids)))
        .group_by(col(CheckRun.plan_id))
    ).all()
    return {str(p): int(c) for p, c in rows}
