"""Reviews of findings, with optimistic locking, and the audit trail that records them.

A reviewer sends the ``version`` of the finding they looked at. The plan is locked for the
rest of the transaction, the finding re-read, and the update is conditional on that version;
if someone else got there first, the answer is 409 with both versions and the current state,
so the second reviewer sees what changed and loses nothing silently.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, col, select

from api.auth import Principal
from api.db import AuditEntry, BatchFinding, CheckRun, FindingRow, utcnow
from api.errors import Problem, conflict, not_found
from api.schemas import AuditEntryPublic, BatchFindingPublic, FindingPublic, FindingReview, Page, ReviewStatus
from api.services.checks import latest_check_id
from api.services.common import count_and_page, get_plan, lock_plan, record
from rulesengine.labels import REVIEW_ZH

__all__ = [
    "finding_history",
    "get_finding",
    "list_audit",
    "parse_if_match",
    "review_across",
    "review_finding",
]

_ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


def parse_if_match(header: str | None) -> int | None:
    """The version in an ``If-Match`` header (``"3"``, ``W/"3"`` or ``3``); None if absent."""
    if header is None:
        return None
    m = _ETAG_RE.match(header)
    if m is None:
        raise Problem(
            400,
            "invalid_if_match",
            f'If-Match 头无效:{header!r},应为查看时的版本号,如 "3"',
            f'invalid If-Match header {header!r}: send the finding\'s version, e.g. "3"',
            field="If-Match",
        )
    return int(m.group(1))


def get_finding(session: Session, finding_id: int) -> FindingRow:
    finding = session.get(FindingRow, finding_id)
    if finding is None:
        raise not_found("问题", "finding", finding_id, field="finding_id")
    return finding


def _expected_version(body: FindingReview, if_match: int | None) -> int:
    if if_match is not None and body.version is not None and if_match != body.version:
        raise Problem(
            400,
            "version_mismatch_in_request",
            f"If-Match({if_match})与 version({body.version})不一致",
            f"If-Match ({if_match}) and version ({body.version}) disagree",
            field="version",
        )
    expected = if_match if if_match is not None else body.version
    if expected is None:
        raise Problem(
            428,
            "version_required",
            "请在 If-Match 头或 version 字段中给出查看时的版本号,以免覆盖他人的审核",
            "send the version you reviewed in If-Match or `version`, so that no one else's "
            "review is overwritten",
            field="version",
        )
    return expected


def review_finding(
    session: Session,
    principal: Principal,
    finding_id: int,
    body: FindingReview,
    if_match: int | None,
) -> FindingPublic:
    """Set a finding's status and comment; 409 if its version moved on since it was read."""
    expected = _expected_version(body, if_match)
    finding = get_finding(session, finding_id)
    check = session.get(CheckRun, finding.check_id)
    assert check is not None
    lock_plan(session, check.plan_id)
    get_plan(session, check.plan_id, field="finding_id")  # a deleted plan is not reviewed
    session.refresh(finding)
    latest = latest_check_id(session, check.plan_id)
    if latest != check.id:
        successor = session.exec(
            select(FindingRow.id).where(
                FindingRow.check_id == latest, FindingRow.fingerprint == finding.fingerprint
            )
        ).first()
        raise conflict(
            "check_superseded",
            f"检查 {check.id} 已被更新的检查 {latest} 取代,请在最新检查中审核"
            + (f"(对应问题 {successor})" if successor else ""),
            f"check {check.id} was superseded by check {latest}; review the latest check"
            + (f" (finding {successor})" if successor else ""),
            field="finding_id",
            latest_check_id=latest,
            latest_finding_id=successor,
        )
    if finding.status == ReviewStatus.resolved:
        raise conflict(
            "finding_resolved",
            "该问题在最新检查中已不再出现(已解决),无需审核",
            "this finding no longer occurs in the latest check (resolved); nothing to review",
            field="status",
        )
    _reason(body)
    if finding.version != expected:
        raise _version_conflict(finding, expected)
    new_version = expected + 1
    now = utcnow()
    result = session.execute(
        sa.update(FindingRow)
        .where(col(FindingRow.id) == finding_id, col(FindingRow.version) == expected)
        .values(
            status=body.status.value,
            comment=body.comment,
            version=new_version,
            updated_at=now,
            updated_by=principal.name,
            # reopening clears the decision; any other status is this reviewer's, on these facts
            reviewed_by=None if body.status == ReviewStatus.open else principal.name,
            reviewed_at=None if body.status == ReviewStatus.open else now,
            reviewed_facts=None if body.status == ReviewStatus.open else finding.facts,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # the lock makes this a backstop
        session.rollback()
        raise _version_conflict(get_finding(session, finding_id), expected)
    record(
        session,
        principal,
        "review",
        "finding",
        finding_id,
        plan_id=check.plan_id,
        check_id=check.id,
        finding_id=finding_id,
        fingerprint=finding.fingerprint,
        from_status=finding.status,
        to_status=body.status.value,
        finding_version=new_version,
        comment=body.comment,
    )
    session.commit()
    session.refresh(finding)
    return FindingPublic.model_validate(finding)


def _reason(body: FindingReview) -> None:
    if body.status == ReviewStatus.dismissed and not (body.comment and body.comment.strip()):
        raise Problem(
            422,
            "reason_required",
            "驳回(dismissed)需要在 comment 中说明理由",
            "dismissing a finding needs a reason in `comment`",
            field="comment",
        )


def review_across(
    session: Session,
    principal: Principal,
    job_id: int,
    finding_id: int,
    body: FindingReview,
    if_match: int | None,
) -> BatchFindingPublic:
    """Review a finding across counties of a batch job: the same decisions, reason and optimistic
    lock as a check's finding (``review_finding``), recorded in the audit trail."""
    expected = _expected_version(body, if_match)
    finding = session.get(BatchFinding, finding_id)
    if finding is None or finding.job_id != job_id:
        raise not_found("跨县问题", "finding across counties", finding_id, field="finding_id")
    _reason(body)
    now = utcnow()
    decided = body.status != ReviewStatus.open
    result = session.execute(
        sa.update(BatchFinding)
        .where(col(BatchFinding.id) == finding_id, col(BatchFinding.version) == expected)
        .values(
            status=body.status.value,
            comment=body.comment,
            version=expected + 1,
            reviewed_by=principal.name if decided else None,
            reviewed_at=now if decided else None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        current = session.get(BatchFinding, finding_id)
        assert current is not None
        status_zh = REVIEW_ZH.get(current.status, current.status)
        raise conflict(
            "version_conflict",
            f"跨县问题 {finding_id} 当前为版本 {current.version}(“{status_zh}”),"
            f"你提交的是基于版本 {expected} 的修改,未保存:请刷新后重试",
            f"finding {finding_id} is at version {current.version} ({current.status}); your change was "
            f"based on version {expected} and was not saved: reload and retry",
            field="version",
            expected_version=expected,
            current_version=current.version,
        )
    record(
        session,
        principal,
        "review",
        "batch_finding",
        finding_id,
        fingerprint=finding.fingerprint,
        from_status=finding.status,
        to_status=body.status.value,
        finding_version=expected + 1,
        comment=body.comment,
    )
    session.commit()
    session.refresh(finding)
    return BatchFindingPublic.model_validate(finding)


def _version_conflict(finding: FindingRow, expected: int) -> Problem:
    """409 saying what really happened: who changed the finding to what — or, when nobody has
    reviewed it since the version sent (a stale or mistyped version), just that."""
    status_zh = REVIEW_ZH.get(finding.status, finding.status)
    if finding.version > expected and finding.version > 1:
        changed_zh = f"已被 {finding.updated_by} 改为“{status_zh}”(版本 {finding.version})"
        changed_en = f"was changed by {finding.updated_by} to {finding.status} (version {finding.version})"
    else:
        changed_zh = f"当前为版本 {finding.version}(“{status_zh}”),与你提交的版本不符"
        changed_en = f"is at version {finding.version} ({finding.status}), not the version you sent"
    return conflict(
        "version_conflict",
        f"问题 {finding.id} {changed_zh};你提交的是基于版本 {expected} 的修改,未保存:请刷新后重试",
        f"finding {finding.id} {changed_en}; your change was based on version {expected} and was not "
        "saved: reload and retry",
        field="version",
        expected_version=expected,
        current_version=finding.version,
        current=FindingPublic.model_validate(finding).model_dump(mode="json"),
    )


def finding_history(session: Session, finding_id: int) -> list[AuditEntryPublic]:
    """Every audit entry of this finding and of the same finding in the plan's other checks."""
    finding = get_finding(session, finding_id)
    check = session.get(CheckRun, finding.check_id)
    assert check is not None
    rows = session.exec(
        select(AuditEntry)
        .where(AuditEntry.plan_id == check.plan_id, AuditEntry.fingerprint == finding.fingerprint)
        .order_by(col(AuditEntry.id))
    ).all()
    return [AuditEntryPublic.model_validate(r) for r in rows]


def list_audit(
    session: Session,
    *,
    plan_id: str | None,
    check_id: int | None,
    finding_id: int | None,
    actor: str | None,
    action: str | None,
    limit: int,
    offset: int,
) -> Page[AuditEntryPublic]:
    query = select(AuditEntry)
    for column, value in (
        (AuditEntry.plan_id, plan_id),
        (AuditEntry.check_id, check_id),
        (AuditEntry.finding_id, finding_id),
        (AuditEntry.actor, actor),
        (AuditEntry.action, action),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    rows, total = count_and_page(session, query, limit=limit, offset=offset, order_by=col(AuditEntry.id))
    return Page(
        items=[AuditEntryPublic.model_validate(r) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
