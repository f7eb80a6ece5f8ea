"""Checks: run one for a plan, list them, read one with its (filtered, paged) findings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import CheckerDep, CheckLimiterDep, PageDep, PrincipalDep, RowId, SessionDep, SubmitterDep
from api.errors import problem_responses
from api.schemas import CheckCreate, CheckDetail, CheckPublic, FindingPublic, Page, ReviewStatus
from api.services import checks as service
from rulesengine.model import Category, Severity

router = APIRouter(tags=["checks"], responses=problem_responses(401, 403, 404))


async def _filters(
    severity: Annotated[list[Severity] | None, Query()] = None,
    category: Annotated[list[Category] | None, Query()] = None,
    indicator: Annotated[list[str] | None, Query()] = None,
    status: Annotated[
        list[ReviewStatus] | None, Query(description="review status; repeat for several")
    ] = None,
    rule_id: Annotated[list[str] | None, Query()] = None,
) -> service.FindingFilter:
    return service.FindingFilter(
        severity=severity or (),
        category=category or (),
        indicator=indicator or (),
        status=status or (),
        rule_id=rule_id or (),
    )


FilterDep = Annotated[service.FindingFilter, Depends(_filters)]


@router.post(
    "/plans/{plan_id}/checks",
    status_code=status.HTTP_201_CREATED,
    response_model=CheckPublic,
    responses=problem_responses(409, 422, 500),
)
async def run_check(
    session: SessionDep,
    principal: SubmitterDep,
    checker: CheckerDep,
    limiter: CheckLimiterDep,
    plan_id: str,
    body: CheckCreate | None = None,
) -> CheckPublic:
    """Check a plan against its parents; review decisions carry over from its last check."""
    return await service.run_check(
        session,
        principal,
        plan_id,
        body.parent_ids if body else None,
        checker=checker,
        limiter=limiter,
        allow=body.allow if body else (),
        kind=body.kind if body else None,
        scope=body.scope if body else (),
    )


@router.get("/plans/{plan_id}/checks", response_model=Page[CheckPublic])
def list_plan_checks(session: SessionDep, _: PrincipalDep, page: PageDep, plan_id: str) -> Page[CheckPublic]:
    return service.list_checks(session, plan_id, limit=page.limit, offset=page.offset)


@router.get("/checks", response_model=Page[CheckPublic])
def list_checks(
    session: SessionDep, _: PrincipalDep, page: PageDep, plan_id: str | None = None
) -> Page[CheckPublic]:
    return service.list_checks(session, plan_id, limit=page.limit, offset=page.offset)


@router.get("/checks/{check_id}", response_model=CheckDetail)
def get_check(
    session: SessionDep, _: PrincipalDep, page: PageDep, filters: FilterDep, check_id: RowId
) -> CheckDetail:
    """A check with the versions it ran with and one page of its findings."""
    return service.check_detail(session, check_id, filters, limit=page.limit, offset=page.offset)


@router.get("/checks/{check_id}/findings", response_model=Page[FindingPublic])
def list_findings(
    session: SessionDep, _: PrincipalDep, page: PageDep, filters: FilterDep, check_id: RowId
) -> Page[FindingPublic]:
    return service.list_findings(session, check_id, filters, limit=page.limit, offset=page.offset)
