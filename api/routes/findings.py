"""Findings: read one, review it (optimistic locking), read its audit history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from api.deps import PrincipalDep, ReviewerDep, RowId, SessionDep
from api.errors import problem_responses
from api.schemas import AuditEntryPublic, FindingPublic, FindingReview
from api.services import reviews as service

router = APIRouter(prefix="/findings", tags=["reviews"], responses=problem_responses(401, 403, 404))


@router.get("/{finding_id}", response_model=FindingPublic)
def get_finding(session: SessionDep, _: PrincipalDep, finding_id: RowId, response: Response) -> FindingPublic:
    finding = FindingPublic.model_validate(service.get_finding(session, finding_id))
    response.headers["ETag"] = f'"{finding.version}"'
    return finding


@router.patch(
    "/{finding_id}",
    response_model=FindingPublic,
    responses=problem_responses(400, 409, 422, 428),
)
def review_finding(
    session: SessionDep,
    principal: ReviewerDep,
    finding_id: RowId,
    body: FindingReview,
    response: Response,
    if_match: Annotated[
        str | None, Header(description='the version you reviewed, e.g. "3" (or send `version`)')
    ] = None,
) -> FindingPublic:
    """Set status (confirmed | dismissed | fixed | open) with a comment; dismissing needs one.

    Send the version you saw; if another reviewer changed the finding since, you get 409 with
    both versions and the current state, and nothing is overwritten.
    """
    finding = service.review_finding(session, principal, finding_id, body, service.parse_if_match(if_match))
    response.headers["ETag"] = f'"{finding.version}"'
    return finding


@router.get("/{finding_id}/audit", response_model=list[AuditEntryPublic])
def finding_audit(session: SessionDep, _: PrincipalDep, finding_id: RowId) -> list[AuditEntryPublic]:
    """Every decision on this finding, across the plan's checks (carried over by fingerprint)."""
    return service.finding_history(session, finding_id)
