"""The audit trail, read-only: there is no route that changes or deletes an entry."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PageDep, PrincipalDep, SessionDep
from api.errors import problem_responses
from api.schemas import AuditEntryPublic, Page
from api.services import reviews as service

router = APIRouter(prefix="/audit", tags=["reviews"], responses=problem_responses(401))


@router.get("", response_model=Page[AuditEntryPublic])
def list_audit(
    session: SessionDep,
    _: PrincipalDep,
    page: PageDep,
    plan_id: str | None = None,
    check_id: int | None = None,
    finding_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> Page[AuditEntryPublic]:
    """Who did what, when, from which status to which, and why; oldest first."""
    return service.list_audit(
        session,
        plan_id=plan_id,
        check_id=check_id,
        finding_id=finding_id,
        actor=actor,
        action=action,
        limit=page.limit,
        offset=page.offset,
    )
