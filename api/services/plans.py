"""Plans: upload, revise, list, show, delete, and reviewers' target corrections.

An upload is read (``rulesengine.ingest``), its region resolved, its targets and topics
extracted, and all of it stored in one transaction: if extraction fails half way, the plan
row that was already added goes too.
"""

from __future__ import annotations

import re
from hashlib import sha256
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from api.auth import Principal
from api.db import PlanRevision, PlanRow, TargetCorrection, TargetRow, utcnow
from api.errors import Problem, conflict, from_ingest_error, from_region_error, not_found
from api.schemas import (
    CorrectionCreate,
    CorrectionPublic,
    Page,
    PlanDetail,
    PlanMeta,
    PlanPublic,
    RevisionPublic,
)
from api.services import catalog as catalog_service
from api.services.common import count_and_page, get_plan, lock_plan, record
from api.services.domain import apply_corrections, domain_plan, domain_target, locate_quote, target_columns
from rulesengine.check import PlanFacts
from rulesengine.ingest import Document, IngestError, read_bytes
from rulesengine.model import Level, Period, PlanWarning, Region, Target, TopicMention
from rulesengine.regions import RegionError, default_index

__all__ = [
    "add_correction",
    "add_revision",
    "create_plan",
    "delete_plan",
    "list_corrections",
    "list_plans",
    "list_revisions",
    "plan_detail",
    "read_upload",
    "stage_plan",
    "withdraw_correction",
]


def read_upload(data: bytes, filename: str, max_bytes: int) -> Document:
    """Decode an uploaded file; too large → 413, unreadable → 422, each in both languages."""
    if len(data) > max_bytes:
        raise Problem(
            413,
            "too_large",
            f"文件过大:上限 {max_bytes:,} 字节",
            f"the file is larger than the limit of {max_bytes:,} bytes",
            field="file",
            max_bytes=max_bytes,
        )
    try:
        return read_bytes(data, filename or "upload.txt", max_bytes=max_bytes)
    except IngestError as exc:
        raise from_ingest_error(exc) from None


def _resolve_region(name: str) -> Region:
    try:
        return default_index().resolve(name)
    except RegionError as exc:
        raise from_region_error(exc) from None


def _period(text: str, field: str = "period") -> Period:
    try:
        return Period.model_validate(text)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise Problem(
            422,
            "invalid_period",
            f"规划期 {text!r} 无效:应为年份或年份区间,如 2023 或 2021-2025",
            f"invalid period {text!r}: {msg}",
            field=field,
        ) from None


def _new_plan_id(session: Session, region: Region, period: Period) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{region.code}-{period}")
    candidate, n = base, 1
    while session.get(PlanRow, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _store_revision(
    session: Session,
    plan: PlanRow,
    number: int,
    doc: Document,
    principal: Principal,
    comment: str | None,
) -> PlanRevision:
    """Add a revision and what extraction finds in it; nothing is committed here."""
    revision = PlanRevision(
        plan_id=plan.id,
        number=number,
        source_name=doc.source_name,
        format=doc.format,
        encoding=doc.encoding,
        sha256=sha256(doc.text.encode("utf-8")).hexdigest(),
        text=doc.text,
        warnings=[w.model_dump(mode="json") for w in doc.warnings],
        comment=comment,
        created_by=principal.name,
    )
    session.add(revision)
    session.flush()
    # The library reads it as a check will, with the catalog as reviewers have taught it.
    facts = PlanFacts.from_plan(domain_plan(plan, revision), catalog_service.current_catalog(session))
    if not facts.targets:
        revision.warnings = [*revision.warnings, _NO_TARGETS.model_dump(mode="json")]
    revision.topics = [t.model_dump(mode="json") for t in facts.topics]
    for position, target in enumerate(facts.targets):
        session.add(TargetRow(plan_id=plan.id, revision=number, position=position, **target_columns(target)))
    session.flush()
    return revision


_NO_TARGETS = PlanWarning(
    code="no_targets",
    message_zh="文本中没有识别出任何量化目标:请核对上传的是否为规划正文;如确有目标,可由审核人补录。",
    message_en="No quantified target was found in the text: check that this is the plan itself; "
    "a reviewer can add targets the extractor missed.",
)
"""A plan stored without targets has nothing to check; say so at upload, not at the first check."""


def create_plan(session: Session, principal: Principal, meta: PlanMeta, doc: Document) -> PlanDetail:
    """Store a new plan from a read document; one commit, or nothing."""
    plan = stage_plan(session, principal, meta, doc)
    session.commit()
    return plan_detail(session, plan.id)


def stage_plan(session: Session, principal: Principal, meta: PlanMeta, doc: Document) -> PlanRow:
    """Add a new plan, its first revision, its targets and the audit entry to the session,
    uncommitted: a batch commits it together with its own bookkeeping."""
    region = _resolve_region(meta.region)
    period = _period(meta.period)
    plan_id = meta.id or _new_plan_id(session, region, period)
    existing = session.get(PlanRow, plan_id)
    if existing is not None:
        deleted = existing.deleted_at is not None
        raise conflict(
            "plan_exists",
            f"规划 {plan_id} 已存在"
            + ("(已删除,编号不能重用)" if deleted else f";上传修订稿请用 POST /plans/{plan_id}/revisions"),
            f"plan {plan_id} already exists"
            + (
                " (deleted; ids are not reused)"
                if deleted
                else f"; upload a revision with POST /plans/{plan_id}/revisions"
            ),
            field="id",
        )
    plan = PlanRow(
        id=plan_id,
        title=meta.title,
        issuer=meta.issuer,
        region_code=region.code,
        region_name=region.name,
        level=(meta.level or region.level).value,
        period=str(period),
        period_start=period.start,
        period_end=period.end,
        current_revision=1,
        created_by=principal.name,
    )
    session.add(plan)
    session.flush()
    _store_revision(session, plan, 1, doc, principal, comment=None)
    record(session, principal, "plan_created", "plan", plan_id, plan_id=plan_id)
    return plan


def add_revision(
    session: Session, principal: Principal, plan_id: str, doc: Document, comment: str | None
) -> PlanDetail:
    """Store a revised text as the plan's new current revision and re-extract its targets.

    Corrections stay with the plan and apply to the new revision; earlier revisions and the
    checks that read them are kept.
    """
    plan = get_plan(session, plan_id)
    lock_plan(session, plan_id)
    session.refresh(plan)
    current = _revision(session, plan_id, plan.current_revision)
    if current.text == doc.text:
        raise conflict(
            "unchanged_revision",
            f"与当前第 {current.number} 版内容相同,未保存",
            f"the text is identical to current revision {current.number}; nothing saved",
            field="file",
        )
    number = plan.current_revision + 1
    revision = _store_revision(session, plan, number, doc, principal, comment)
    plan.current_revision = number
    session.add(plan)
    record(
        session,
        principal,
        "plan_revised",
        "plan",
        plan_id,
        plan_id=plan_id,
        comment=f"revision {number}" + (f": {comment}" if comment else ""),
    )
    _record_carry_over(session, principal, plan_id, number, revision.text)
    session.commit()
    return plan_detail(session, plan_id)


def _record_carry_over(session: Session, principal: Principal, plan_id: str, number: int, text: str) -> None:
    """Say in the audit trail which corrections the new revision keeps and which it loses.

    A correction whose quote still occurs applies to the new text (its span followed to where
    the words moved); one whose quote is gone is lost: listed on the plan, applied to nothing.
    """
    corrections = _corrections(session, plan_id)
    states = apply_corrections(_extracted(session, plan_id, number), corrections, text).states
    for c in corrections:
        state = states.get(c.id or 0)
        if state not in ("applied", "lost"):
            continue
        record(
            session,
            principal,
            "correction_carried" if state == "applied" else "correction_lost",
            "correction",
            c.id,
            plan_id=plan_id,
            comment=(
                f"第 {number} 版仍有原文「{c.quote}」,更正继续适用"
                f" / the quote still occurs in revision {number}"
                if state == "applied"
                else f"第 {number} 版中找不到原文「{c.quote}」,更正不再适用"
                f" / the quote is gone from revision {number}"
            ),
        )


def _revision(session: Session, plan_id: str, number: int) -> PlanRevision:
    revision = session.exec(
        select(PlanRevision).where(PlanRevision.plan_id == plan_id, PlanRevision.number == number)
    ).first()
    if revision is None:
        raise not_found("规划修订版", "plan revision", f"{plan_id}#{number}")
    return revision


def _public(plan: PlanRow, revision: PlanRevision) -> PlanPublic:
    return PlanPublic(
        id=plan.id,
        title=plan.title,
        issuer=plan.issuer,
        region_code=plan.region_code,
        region_name=plan.region_name,
        region_path=default_index().path(default_index().known(plan.region_code, plan.region_name)),
        level=Level(plan.level),
        period=plan.period,
        current_revision=plan.current_revision,
        sha256=revision.sha256,
        source_name=revision.source_name,
        format=revision.format,
        encoding=revision.encoding,
        created_at=plan.created_at,
        created_by=plan.created_by,
    )


_LISTED_REVISION_COLUMNS: list[Any] = [
    PlanRevision.sha256,
    PlanRevision.source_name,
    PlanRevision.format,
    PlanRevision.encoding,
]


def list_plans(
    session: Session,
    *,
    region: str | None,
    within: str | None,
    level: Level | None,
    period: str | None,
    limit: int,
    offset: int,
) -> Page[PlanPublic]:
    query = (
        select(PlanRow, PlanRevision)
        # a listing shows the revision's hash and source, never its text, warnings or topics:
        # loading those decoded the topics' JSON of every plan on the page for nothing
        .options(load_only(*_LISTED_REVISION_COLUMNS))
        .join(
            PlanRevision,
            (col(PlanRevision.plan_id) == col(PlanRow.id))
            & (col(PlanRevision.number) == col(PlanRow.current_revision)),
        )
        .where(col(PlanRow.deleted_at).is_(None))
    )
    if region:
        try:
            code = default_index().resolve(region).code
        except RegionError as exc:
            raise from_region_error(exc, field="region") from None
        query = query.where(PlanRow.region_code == code)
    if within:
        try:
            scope = default_index().resolve(within)
        except RegionError as exc:
            raise from_region_error(exc, field="within") from None
        prefix = scope.code.rstrip("0") if scope.level is not Level.county else scope.code
        if len(prefix) % 2:
            prefix += "0"
        query = query.where(col(PlanRow.region_code).startswith(prefix))
    if level:
        query = query.where(PlanRow.level == level.value)
    if period:
        query = query.where(PlanRow.period == str(_period(period)))
    rows, total = count_and_page(session, query, limit=limit, offset=offset, order_by=col(PlanRow.created_at))
    return Page(items=[_public(p, r) for p, r in rows], total=total, limit=limit, offset=offset)


def _extracted(session: Session, plan_id: str, number: int) -> list[TargetRow]:
    return list(
        session.exec(
            select(TargetRow)
            .where(TargetRow.plan_id == plan_id, TargetRow.revision == number)
            .order_by(col(TargetRow.position))
        ).all()
    )


def _corrections(session: Session, plan_id: str) -> list[TargetCorrection]:
    return list(
        session.exec(
            select(TargetCorrection)
            .where(TargetCorrection.plan_id == plan_id)
            .order_by(col(TargetCorrection.id))
        ).all()
    )


def plan_detail(session: Session, plan_id: str, *, include_text: bool = False) -> PlanDetail:
    plan = get_plan(session, plan_id)
    revision = _revision(session, plan_id, plan.current_revision)
    extracted = _extracted(session, plan_id, revision.number)
    corrections = _corrections(session, plan_id)
    corrected = apply_corrections(extracted, corrections, revision.text)
    # without corrections the extracted targets are the corrected ones: not worked out twice
    uncorrected = apply_corrections(extracted, [], revision.text) if corrections else corrected
    return PlanDetail(
        **_public(plan, revision).model_dump(),
        warnings=[PlanWarning.model_validate(w) for w in revision.warnings],
        targets=[t.public() for t in corrected.targets],
        extracted_targets=[t.public() for t in uncorrected.targets],
        rejected_targets=[t.public() for t in corrected.rejected],
        corrections=[_correction_public(c, corrected.states.get(c.id or 0, "applied")) for c in corrections],
        catalog_version=catalog_service.current_catalog(session).version,
        topics=[TopicMention.model_validate(t) for t in revision.topics],
        text=revision.text if include_text else None,
    )


def list_revisions(session: Session, plan_id: str) -> list[RevisionPublic]:
    plan = get_plan(session, plan_id)
    rows = session.exec(
        select(PlanRevision).where(PlanRevision.plan_id == plan_id).order_by(col(PlanRevision.number))
    ).all()
    return [
        RevisionPublic(
            number=r.number,
            source_name=r.source_name,
            format=r.format,
            encoding=r.encoding,
            sha256=r.sha256,
            comment=r.comment,
            created_at=r.created_at,
            created_by=r.created_by,
            warning_count=len(r.warnings),
            is_current=r.number == plan.current_revision,
        )
        for r in rows
    ]


def delete_plan(session: Session, principal: Principal, plan_id: str) -> None:
    """Hide a plan from lists and parent searches; its checks and audit trail stay readable."""
    plan = get_plan(session, plan_id)
    plan.deleted_at = utcnow()
    plan.deleted_by = principal.name
    session.add(plan)
    record(session, principal, "plan_deleted", "plan", plan_id, plan_id=plan_id)
    session.commit()


# -- corrections ---------------------------------------------------------------------------


def _validation_problem(exc: ValidationError) -> Problem:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    if field is None:  # a whole-model check: the domain model names the field first in its message
        named = re.match(r"(?:Value error, )?([a-z_]+):", str(err["msg"]))
        field = named.group(1) if named else None
    if field and field.startswith("span"):
        field = "quote"
    return Problem(
        422,
        "invalid_target",
        f"更正后的目标无效:{err['msg']}",
        f"the corrected target is invalid: {err['msg']}",
        field=field,
    )


def _correction_public(correction: TargetCorrection, state: str = "applied") -> CorrectionPublic:
    return CorrectionPublic.model_validate(correction).model_copy(update={"state": state})


def _quote_span(text: str, quote: str, near: int | None) -> dict[str, int]:
    """The span of the quote in the plan's current text: the occurrence at or nearest to where
    the reviewer selected it, else the first."""
    where = locate_quote(text, quote, near if near is not None else 0)
    if where is None:
        raise Problem(
            422,
            "quote_not_in_text",
            "引文在规划当前版本中找不到:请从原文中复制或选取",
            "the quote does not occur in the plan's current text: copy or select it from the text",
            field="quote",
        )
    return {"start": where[0], "end": where[1]}


def add_correction(
    session: Session, principal: Principal, plan_id: str, body: CorrectionCreate
) -> CorrectionPublic:
    """Store a reviewer's correction; extraction never overwrites it. One commit, audited.

    An edit starts from the extracted target and changes what the reviewer set; a rejection
    stores the target as it was, for the record; an add needs indicator, value and quote. The
    result is validated by the domain model exactly as extracted targets are. A correction
    that names an indicator for words the catalog did not know also becomes (or counts
    towards) a catalog suggestion, in the same transaction.
    """
    plan = get_plan(session, plan_id)
    revision = _revision(session, plan_id, plan.current_revision)
    action = body.action or ("edit" if body.target_id is not None else "add")
    base: TargetRow | None = None
    if action in ("edit", "reject"):
        if body.target_id is None:
            raise Problem(
                422,
                "target_required",
                "更正或标记“不是目标”需要给出 target_id(抽取到的目标)",
                "editing or rejecting needs target_id, the extracted target",
                field="target_id",
            )
        base = session.get(TargetRow, body.target_id)
        if base is None or base.plan_id != plan_id or base.revision != plan.current_revision:
            raise not_found(
                "该规划当前版本中的目标",
                "target in the plan's current revision",
                body.target_id,
                field="target_id",
            )
    elif body.target_id is not None:
        raise Problem(
            422,
            "target_not_expected",
            "补充遗漏的目标不应给出 target_id;要更正已抽取的目标请用 action=edit",
            "adding a missed target takes no target_id; to correct an extracted target use action=edit",
            field="target_id",
        )
    elif body.indicator is None or body.value is None or body.quote is None:
        missing = next(f for f in ("indicator", "value", "quote") if getattr(body, f) is None)
        raise Problem(
            422,
            "incomplete_target",
            f"补充遗漏的目标需要 indicator、value 和 quote;缺少 {missing}",
            f"adding a missed target needs indicator, value and quote; {missing} is missing",
            field=missing,
        )
    catalog = catalog_service.current_catalog(session)
    # Start from the extracted target (or a bare one), apply what the reviewer set, then let the
    # domain model validate the result exactly as it validates extracted targets.
    draft: dict[str, Any] = domain_target(base).model_dump() if base is not None else {"period": plan.period}
    if action != "reject":
        draft.update(
            body.model_dump(
                exclude_unset=True, exclude={"action", "target_id", "comment", "span_start", "wording"}
            )
        )
        if body.indicator is not None:
            draft["indicator"] = catalog_service.resolve_indicator(
                body.indicator, catalog, str(draft.get("unit") or "")
            )
    if base is None or (body.quote is not None and action != "reject"):
        draft["span"] = _quote_span(revision.text, str(draft["quote"]), body.span_start)
    draft["confidence"] = 1.0  # a person stated it
    try:
        target = Target.model_validate(draft)
    except ValidationError as exc:
        raise _validation_problem(exc) from None
    correction = TargetCorrection(
        plan_id=plan_id,
        action=action,
        replaces_indicator=base.indicator if base is not None else None,
        replaces_kind=base.kind if base is not None else None,
        replaces_quote=base.quote if base is not None else None,
        wording=(body.wording or "").strip() or None,
        revision=revision.number,
        comment=body.comment,
        created_by=principal.name,
        **target_columns(target),
    )
    session.add(correction)
    session.flush()
    what = {
        "edit": "更正目标 / corrected",
        "add": "补充遗漏的目标 / added",
        "reject": "不是目标 / not a target",
    }[action]
    record(
        session,
        principal,
        "correction_added",
        "correction",
        correction.id,
        plan_id=plan_id,
        comment=f"{what}:{target.indicator}「{target.quote}」:{body.comment}",
    )
    catalog_service.suggest(
        session,
        principal,
        correction,
        extracted_indicator=base.indicator if base is not None else None,
        catalog=catalog,
    )
    session.commit()
    return _correction_public(correction)


def list_corrections(session: Session, plan_id: str) -> list[CorrectionPublic]:
    return plan_detail(session, plan_id).corrections


def withdraw_correction(
    session: Session, principal: Principal, plan_id: str, correction_id: int, comment: str | None
) -> CorrectionPublic:
    """Stop applying a correction; the row stays, marked withdrawn, for the record."""
    get_plan(session, plan_id)
    correction = session.get(TargetCorrection, correction_id)
    if correction is None or correction.plan_id != plan_id:
        raise not_found("更正", "correction", correction_id, field="correction_id")
    if correction.withdrawn_at is not None:
        raise conflict(
            "already_withdrawn",
            f"更正 {correction_id} 已撤回",
            f"correction {correction_id} is already withdrawn",
            field="correction_id",
        )
    correction.withdrawn_at = utcnow()
    correction.withdrawn_by = principal.name
    session.add(correction)
    record(
        session,
        principal,
        "correction_withdrawn",
        "correction",
        correction_id,
        plan_id=plan_id,
        comment=comment,
    )
    session.commit()
    return _correction_public(correction, "withdrawn")
