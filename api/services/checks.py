"""Checks: run the rules over a plan and its parents, store findings, carry decisions over.

A check is three steps, each on a worker thread so the event loop never waits: gather the
facts (plans, corrected targets) from the database; run the engine (behind a capacity limiter,
since it holds the GIL); record the result in one transaction. Recording locks the plan, then
compares fingerprints with the plan's previous check:

* same fingerprint → the reviewer's status and comment carry over (audit: ``carried_over``);
* a previous finding that no longer occurs → a ``resolved`` row in the new check, so the
  latest check lists everything a reviewer needs (audit: ``resolved``);
* a fingerprint that had been resolved and occurs again → ``open`` (audit: ``reopened``);
* anything else → ``open``.

Past checks are never changed: each row stays what that run found and decided.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from api.auth import Principal
from api.db import CheckRun, FindingRow, PlanRevision, PlanRow, TargetCorrection, TargetRow
from api.engine import Checker, CheckResult, PlanFacts, make_facts, parents_of
from api.errors import Problem, conflict, not_found
from api.schemas import (
    CheckDetail,
    CheckPublic,
    FindingPublic,
    Page,
    ParentRef,
    ReviewStatus,
)
from api.services import catalog as catalog_service
from api.services.common import count_and_page, get_plan, lock_plan, record
from api.services.domain import apply_corrections, domain_plan, finding_columns, topics_of
from rulesengine.catalog import Catalog
from rulesengine.check import ParentError, validate_parents
from rulesengine.hotcache import HotCache
from rulesengine.labels import indicator_name, value_text
from rulesengine.model import Category, FindingFact, Plan, Region, Severity
from rulesengine.regions import default_index
from rulesengine.rulebook import RulebookError
from rulesengine.scope import default_scope_data

__all__ = [
    "CheckInputs",
    "FindingFilter",
    "check_detail",
    "check_public",
    "checks_public",
    "evaluation_failed",
    "gather",
    "get_check",
    "latest_check_id",
    "list_checks",
    "list_findings",
    "plan_facts",
    "plan_targets",
    "record_check",
    "run_check",
    "value_changes",
]

DECIDED = frozenset({ReviewStatus.confirmed, ReviewStatus.dismissed, ReviewStatus.fixed})

log = logging.getLogger("planalign.api")


@dataclass(frozen=True)
class CheckInputs:
    """Everything the engine needs, read from the database before it runs."""

    plan_id: str
    revision: int
    sha256: str
    county: PlanFacts
    parents: tuple[PlanFacts, ...]
    parent_refs: tuple[ParentRef, ...]
    corrections_applied: tuple[int, ...]
    allow: tuple[str, ...] = ()  # parent checks waived on purpose (rulesengine.check.OVERRIDES)
    catalog: Catalog | None = None  # the installed catalog with this service's overlay
    overlay_version: int = 0


def _current_revision(session: Session, plan: PlanRow) -> PlanRevision:
    revision = session.exec(
        select(PlanRevision).where(
            PlanRevision.plan_id == plan.id, PlanRevision.number == plan.current_revision
        )
    ).one()
    return revision


_FACTS: weakref.WeakKeyDictionary[Any, HotCache[tuple[Any, ...], tuple[PlanFacts, ParentRef, list[int]]]]
_FACTS = weakref.WeakKeyDictionary()
"""Stored plans' facts per database (its SQLAlchemy engine), by everything they are made of: the
plan's row, its current revision (number and sha256; a revision's extracted targets are written
once and never changed), its corrections (every field, withdrawal included) and the catalog. A
parent is read for every check of its counties, and re-reading its text for relative commitments
and mentions each time was most of a batch's check (bench/batch.py). A key that changes (a
revision, a correction, an overlay version) simply misses; the cache is bounded (HotCache)."""


def _facts_cache(session: Session) -> HotCache[tuple[Any, ...], tuple[PlanFacts, ParentRef, list[int]]]:
    bind = session.get_bind()
    cache = _FACTS.get(bind)
    if cache is None:
        cache = _FACTS.setdefault(bind, HotCache(256))
    return cache


def _correction_key(c: TargetCorrection) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in c.model_dump().items()))


def _facts(
    session: Session, plan: PlanRow, catalog: Catalog | None = None
) -> tuple[PlanFacts, ParentRef, list[int]]:
    """A plan's facts with its corrections applied, how to cite it, and the corrections used
    (rejections included: they changed what the check reads)."""
    number, sha = session.execute(
        sa.select(col(PlanRevision.number), col(PlanRevision.sha256)).where(
            col(PlanRevision.plan_id) == plan.id, col(PlanRevision.number) == plan.current_revision
        )
    ).one()
    corrections = session.exec(select(TargetCorrection).where(TargetCorrection.plan_id == plan.id)).all()
    key = (
        plan.id,
        plan.title,
        plan.region_code,
        plan.region_name,
        plan.level,
        plan.period,
        number,
        sha,
        tuple(sorted(_correction_key(c) for c in corrections)),
        catalog.version if catalog is not None else None,
    )
    cache = _facts_cache(session)
    cached = cache.get(key)
    if cached is not None:
        facts, ref, applied = cached
        return facts, ref, list(applied)
    revision = _current_revision(session, plan)
    extracted = session.exec(
        select(TargetRow).where(TargetRow.plan_id == plan.id, TargetRow.revision == revision.number)
    ).all()
    corrected = apply_corrections(extracted, corrections, revision.text)
    facts = make_facts(
        domain_plan(plan, revision), [e.target for e in corrected.targets], topics_of(revision), catalog
    )
    ref = ParentRef(
        plan_id=plan.id,
        revision=revision.number,
        sha256=revision.sha256,
        title=plan.title,
        region_name=plan.region_name,
        period=plan.period,
    )
    cache.put(key, (facts, ref, list(corrected.applied)))
    return facts, ref, list(corrected.applied)


def plan_facts(session: Session, plan_id: str, catalog: Catalog | None = None) -> PlanFacts:
    """A stored plan's facts as a check reads them (current revision, corrections applied)."""
    facts, _, _ = _facts(session, get_plan(session, plan_id), catalog)
    return facts


def plan_targets(session: Session, plan_id: str) -> PlanFacts:
    """A stored plan with its targets alone (current revision, corrections applied), not the
    relative commitments and mentions a check also reads from the text: what the comparison
    across counties needs, for thousands of plans at once. Not cached: it is read once a job."""
    plan = get_plan(session, plan_id)
    revision = _current_revision(session, plan)
    extracted = session.exec(
        select(TargetRow).where(TargetRow.plan_id == plan.id, TargetRow.revision == revision.number)
    ).all()
    corrections = session.exec(select(TargetCorrection).where(TargetCorrection.plan_id == plan.id)).all()
    corrected = apply_corrections(extracted, corrections, revision.text)
    return PlanFacts(plan=domain_plan(plan, revision), targets=tuple(e.target for e in corrected.targets))


def _candidates(session: Session, plan: PlanRow) -> tuple[list[PlanRow], list[Plan], list[Region]]:
    ancestors = default_index().ancestors(default_index().known(plan.region_code, plan.region_name))
    rows = list(
        session.exec(
            select(PlanRow).where(
                col(PlanRow.region_code).in_([a.code for a in ancestors]),
                col(PlanRow.deleted_at).is_(None),
                PlanRow.id != plan.id,
            )
        ).all()
    )
    plans = [domain_plan(r, _current_revision(session, r)) for r in rows]
    return rows, plans, ancestors


def gather(
    session: Session,
    plan_id: str,
    parent_ids: Sequence[str] | None,
    allow: Sequence[str] = (),
    kind: str | None = None,
    scope: Sequence[str] = (),
) -> CheckInputs:
    """Read the plan and its parents: named ones (validated: region above, period covering,
    unless ``allow`` waives it), or those found by region and period. ``kind``/``scope``
    override what the plan's title says it covers, for this check."""
    plan = get_plan(session, plan_id)
    catalog = catalog_service.current_catalog(session)
    overlay = catalog_service.overlay_version(session)
    county, county_ref, used = _facts(session, plan, catalog)
    if kind or scope:
        unknown = [s for s in scope if default_scope_data().resolve_domain(s) is None]
        if unknown:
            raise Problem(
                422,
                "unknown_domain",
                f"未知领域 {'、'.join(unknown)}(见 rules/scopes.yaml)",
                f"unknown domain {', '.join(unknown)} (see rules/scopes.yaml)",
                field="scope",
            )
        overridden = county.plan.model_copy(update={"kind": kind or "topical", "scope": tuple(scope)})
        county = county.model_copy(update={"plan": overridden})
    if parent_ids:
        if plan_id in parent_ids:
            raise Problem(
                422,
                "self_parent",
                "规划不能作为自己的上级规划",
                "a plan cannot be its own parent",
                field="parent_ids",
            )
        parent_rows = [get_plan(session, pid, field="parent_ids") for pid in dict.fromkeys(parent_ids)]
    else:
        rows, candidates, ancestors = _candidates(session, plan)
        by_id = {r.id: r for r in rows}
        # find_parents' order (nearest region, then the shorter period) is the report's order.
        parent_rows = [by_id[p.id] for p in parents_of(county.plan, candidates, ancestors)]
        if not parent_rows:
            path = default_index().path(default_index().known(plan.region_code, plan.region_name))
            raise Problem(
                422,
                "no_parents",
                f"没有找到 {path} 上级地区、规划期覆盖 {plan.period} 的已上传规划:"
                "请先上传上级规划,或用 parent_ids 指定",
                f"no stored plan of a region above {path} covers {plan.period}: upload the "
                "parent plans first, or name them in parent_ids",
                field="parent_ids",
            )
    parents, refs = [], []
    for row in parent_rows:
        facts, ref, parent_used = _facts(session, row, catalog)
        parents.append(facts)
        refs.append(ref)
        used.extend(parent_used)
    try:
        validate_parents(county, parents, allow)
    except ParentError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise Problem(422, "invalid_parent", zh, en or zh, field="parent_ids") from None
    # End the read transaction: the connection goes back to the pool while the engine runs.
    session.rollback()
    return CheckInputs(
        plan_id=plan_id,
        revision=county_ref.revision,
        sha256=county_ref.sha256,
        county=county,
        parents=tuple(parents),
        parent_refs=tuple(refs),
        corrections_applied=tuple(used),
        allow=tuple(sorted(set(allow))),
        catalog=catalog,
        overlay_version=overlay,
    )


def latest_check_id(session: Session, plan_id: str) -> int | None:
    return session.exec(select(func.max(CheckRun.id)).where(CheckRun.plan_id == plan_id)).one()


def record_check(
    session: Session, principal: Principal, inputs: CheckInputs, result: CheckResult
) -> CheckPublic:
    """Store a check's findings and carry the previous check's decisions over; one commit."""
    lock_plan(session, inputs.plan_id)
    plan = get_plan(session, inputs.plan_id)
    session.refresh(plan)
    if plan.current_revision != inputs.revision:
        raise conflict(
            "plan_revised",
            f"检查期间规划 {plan.id} 上传了新版本(第 {plan.current_revision} 版),请重新检查",
            f"plan {plan.id} was revised (revision {plan.current_revision}) while it was being "
            "checked; run the check again",
            field="plan_id",
        )
    previous_id = latest_check_id(session, inputs.plan_id)
    previous: dict[str, FindingRow] = {}
    if previous_id is not None:
        previous = {
            f.fingerprint: f
            for f in session.exec(select(FindingRow).where(FindingRow.check_id == previous_id))
        }
    check = CheckRun(
        plan_id=inputs.plan_id,
        plan_revision=inputs.revision,
        plan_sha256=inputs.sha256,
        parents=[r.model_dump() for r in inputs.parent_refs],
        corrections_applied=sorted(set(inputs.corrections_applied)),
        rule_pack_version=str(result.rule_pack_version),
        catalog_version=_catalog_version(str(result.catalog_version), inputs.overlay_version),
        previous_check_id=previous_id,
        created_by=principal.name,
    )
    session.add(check)
    session.flush()
    assert check.id is not None
    carried: list[tuple[FindingRow, FindingRow, str]] = []
    seen: set[str] = set()
    for finding in result.findings:
        if finding.fingerprint in seen:  # one row per fingerprint: it is the finding's identity
            continue
        seen.add(finding.fingerprint)
        old = previous.get(finding.fingerprint)
        row = FindingRow(check_id=check.id, updated_by=principal.name, **finding_columns(finding))
        if old is not None:
            row.carried_from_id = old.id
            if old.status in DECIDED:
                row.status, row.comment = old.status, old.comment
                # The decision keeps its reviewer and the facts it was made on, so the page can
                # say when the county's value has moved since (10% → 11%).
                row.reviewed_by, row.reviewed_at = old.reviewed_by, old.reviewed_at
                row.reviewed_facts = old.reviewed_facts if old.reviewed_facts is not None else old.facts
                carried.append((row, old, "carried_over"))
            elif old.status == ReviewStatus.resolved:
                carried.append((row, old, "reopened"))
            else:  # still open: keep any note a reviewer left
                row.comment = old.comment
        session.add(row)
    for fingerprint, old in previous.items():
        if fingerprint in seen or old.status == ReviewStatus.resolved:
            continue
        row = FindingRow(
            check_id=check.id,
            **old.model_dump(
                include={
                    "fingerprint", "rule_id", "rule_version", "severity", "category",
                    "indicator", "message", "facts", "comment",
                }
            ),
            status=ReviewStatus.resolved.value,
            carried_from_id=old.id,
            updated_by=principal.name,
        )  # fmt: skip
        session.add(row)
        carried.append((row, old, "resolved"))
    session.flush()
    why = {
        "carried_over": "沿用上次检查的审核结论 / decision carried over",
        "reopened": "已解决的问题再次出现 / a resolved finding occurs again",
        "resolved": "本次检查不再出现 / no longer found",
    }
    for row, old, action in carried:
        record(
            session,
            principal,
            action,
            "finding",
            row.id,
            plan_id=inputs.plan_id,
            check_id=check.id,
            finding_id=row.id,
            fingerprint=row.fingerprint,
            from_status=old.status,
            to_status=row.status,
            finding_version=row.version,
            comment=f"{why[action]} (finding #{old.id}, check #{old.check_id})"
            + (f": {old.comment}" if old.comment and action == "carried_over" else "")
            + (_moved(row) if action == "carried_over" else ""),
        )
    record(
        session,
        principal,
        "check_run",
        "check",
        check.id,
        plan_id=inputs.plan_id,
        check_id=check.id,
        comment=f"revision {inputs.revision}; parents "
        + ", ".join(f"{r.plan_id}#{r.revision}" for r in inputs.parent_refs)
        + f"; rules {check.rule_pack_version}; catalog {check.catalog_version}"
        + (
            f"; 人工更正 / corrections: {', '.join(f'#{i}' for i in check.corrections_applied)}"
            if check.corrections_applied
            else ""
        )
        + (f"; 已豁免的上级校验 / parent checks waived: {', '.join(inputs.allow)}" if inputs.allow else "")
        + (f"; 被检查规划 / scope: {result.scope.describe()}" if result.scope else ""),
    )
    session.commit()
    return check_public(session, check)


def _catalog_version(checked_with: str, overlay: int) -> str:
    """The catalog a check used: the rule pack's catalog version plus the overlay's, if any."""
    return (
        f"{checked_with}+overlay.{overlay}" if overlay and "+overlay." not in checked_with else checked_with
    )


def _moved(row: FindingRow) -> str:
    """A note for a carried decision whose facts have changed since it was made."""
    changes = value_changes(row.reviewed_facts or [], row.facts)
    return ";审核后数值已变 / values changed since the review: " + "; ".join(changes) if changes else ""


def value_changes(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> list[str]:
    """``慈溪市 制造业投资增长: 10% → 11%`` for each fact whose value moved between two readings
    of the same finding (matched by plan, indicator and kind)."""

    def key(f: FindingFact) -> tuple[str, str, str]:
        return f.plan_id, f.indicator, str(f.kind or "")

    old = {key(f): f for f in (FindingFact.model_validate(x) for x in before)}
    out: list[str] = []
    for fact in (FindingFact.model_validate(x) for x in after):
        prior = old.get(key(fact))
        if prior is None or fact.value is None or prior.value is None:
            continue
        if (prior.value, prior.unit, prior.comparator) != (fact.value, fact.unit, fact.comparator):
            out.append(
                f"{fact.region} {indicator_name(fact.indicator)}:{value_text(prior)} → {value_text(fact)}"
            )
    return out


async def run_check(
    session: Session,
    principal: Principal,
    plan_id: str,
    parent_ids: Sequence[str] | None,
    *,
    checker: Checker,
    limiter: anyio.CapacityLimiter,
    allow: Sequence[str] = (),
    kind: str | None = None,
    scope: Sequence[str] = (),
) -> CheckPublic:
    """Gather, evaluate off the event loop, record: the whole check request."""
    inputs = await anyio.to_thread.run_sync(partial(gather, session, plan_id, parent_ids, allow, kind, scope))

    def evaluate() -> CheckResult:
        return checker(inputs.county, inputs.parents, allow=inputs.allow, catalog=inputs.catalog)

    try:
        result = await anyio.to_thread.run_sync(evaluate, limiter=limiter)
    except (Problem, RulebookError):
        raise
    except Exception as exc:
        raise evaluation_failed(exc, plan_id) from exc
    return await anyio.to_thread.run_sync(partial(record_check, session, principal, inputs, result))


def evaluation_failed(exc: Exception, plan_id: str) -> Problem:
    """The answer when the rules fail on a plan: 500, naming the rule (from EngineError.rule).

    500, not 503: a rule whose action raises, or an engine that crashes on these facts, fails
    the same way on a retry — it is a defect for the administrator, not a passing outage that
    a client should wait out. Nothing was written (the engine runs before the check is
    recorded); the details go to the log, not to the client.
    """
    engine_rule = getattr(exc, "rule", None)
    rule_id, _, case = str(engine_rule).partition("__") if engine_rule else ("", "", "")
    log.error("rule evaluation failed for plan %s (rule %s): %s", plan_id, engine_rule, exc, exc_info=exc)
    where_zh = f"规则 {rule_id}" + (f"(情形 {case})" if case else "") if rule_id else "规则引擎"
    where_en = f"rule {rule_id}" + (f" (case {case})" if case else "") if rule_id else "the rule engine"
    return Problem(
        500,
        "rule_evaluation_failed",
        f"规则执行失败:{where_zh}出错({type(exc).__name__}),本次检查未保存;请告知管理员",
        f"rule evaluation failed: {where_en} raised {type(exc).__name__}; the check was not "
        "saved — tell the administrator",
        plan_id=plan_id,
        rule_id=rule_id or None,
        case=case or None,
    )


def checks_public(session: Session, checks: Sequence[CheckRun]) -> list[CheckPublic]:
    """The public form of several checks in two queries, whatever their number: which check is
    each plan's latest, and the findings counted by check, status and severity. (A page of 20
    checks asked three queries of each before: 60 round trips for one listing.)"""
    ids = [c.id for c in checks if c.id is not None]
    if not ids:
        return []
    plan_ids = sorted({c.plan_id for c in checks})
    latest = dict(
        session.execute(
            sa.select(col(CheckRun.plan_id), sa.func.max(col(CheckRun.id)))
            .where(col(CheckRun.plan_id).in_(plan_ids))
            .group_by(col(CheckRun.plan_id))
        ).all()
    )
    by_status: dict[int, dict[str, int]] = {i: {} for i in ids}
    by_severity: dict[int, dict[str, int]] = {i: {} for i in ids}
    counted = session.execute(
        sa.select(col(FindingRow.check_id), col(FindingRow.status), col(FindingRow.severity), sa.func.count())
        .where(col(FindingRow.check_id).in_(ids))
        .group_by(col(FindingRow.check_id), col(FindingRow.status), col(FindingRow.severity))
        .order_by(col(FindingRow.check_id), col(FindingRow.status), col(FindingRow.severity))
    ).all()
    for check_id, status, severity, n in counted:
        by_status[check_id][str(status)] = by_status[check_id].get(str(status), 0) + int(n)
        by_severity[check_id][str(severity)] = by_severity[check_id].get(str(severity), 0) + int(n)
    return [
        CheckPublic(
            id=check.id,
            plan_id=check.plan_id,
            plan_revision=check.plan_revision,
            plan_sha256=check.plan_sha256,
            parents=[ParentRef.model_validate(p) for p in check.parents],
            rule_pack_version=check.rule_pack_version,
            catalog_version=check.catalog_version,
            corrections_applied=list(check.corrections_applied),
            previous_check_id=check.previous_check_id,
            is_latest=latest.get(check.plan_id) == check.id,
            created_at=check.created_at,
            created_by=check.created_by,
            counts_by_status=dict(sorted(by_status[check.id].items())),
            counts_by_severity=dict(sorted(by_severity[check.id].items())),
        )
        for check in checks
        if check.id is not None
    ]


def check_public(session: Session, check: CheckRun) -> CheckPublic:
    assert check.id is not None
    (public,) = checks_public(session, [check])
    return public


def get_check(session: Session, check_id: int) -> CheckRun:
    check = session.get(CheckRun, check_id)
    if check is None:
        raise not_found("检查", "check", check_id, field="check_id")
    return check


_SEVERITY_ORDER = sa.case(
    {Severity.error.value: 0, Severity.warning.value: 1, Severity.info.value: 2},
    value=col(FindingRow.severity),
    else_=3,
)


@dataclass(frozen=True)
class FindingFilter:
    """Filters for a check's findings; each list matches any of its values."""

    severity: Sequence[Severity] = ()
    category: Sequence[Category] = ()
    indicator: Sequence[str] = ()
    status: Sequence[ReviewStatus] = ()
    rule_id: Sequence[str] = ()


def list_findings(
    session: Session, check_id: int, filters: FindingFilter, *, limit: int, offset: int
) -> Page[FindingPublic]:
    get_check(session, check_id)
    query = select(FindingRow).where(FindingRow.check_id == check_id)
    for column, values in (
        (FindingRow.severity, filters.severity),
        (FindingRow.category, filters.category),
        (FindingRow.indicator, filters.indicator),
        (FindingRow.status, filters.status),
        (FindingRow.rule_id, filters.rule_id),
    ):
        if values:
            query = query.where(col(column).in_([str(v) for v in values]))
    rows, total = count_and_page(
        session, query, limit=limit, offset=offset, order_by=[_SEVERITY_ORDER, col(FindingRow.id)]
    )
    return Page(
        items=[FindingPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


def check_detail(
    session: Session, check_id: int, filters: FindingFilter, *, limit: int, offset: int
) -> CheckDetail:
    check = get_check(session, check_id)
    findings = list_findings(session, check_id, filters, limit=limit, offset=offset)
    return CheckDetail(**check_public(session, check).model_dump(), findings=findings)


def list_checks(session: Session, plan_id: str | None, *, limit: int, offset: int) -> Page[CheckPublic]:
    query = select(CheckRun)
    if plan_id is not None:
        get_plan(session, plan_id)
        query = query.where(CheckRun.plan_id == plan_id)
    rows, total = count_and_page(session, query, limit=limit, offset=offset, order_by=col(CheckRun.id).desc())
    return Page(items=checks_public(session, rows), total=total, limit=limit, offset=offset)
