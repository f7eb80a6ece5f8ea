"""The audit trail, read-only: there is no route that changes or deletes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PageDep, PrincipalDep, SessionDep
from api.errors import problem_responses
from api.schemas import MAX_DB_INT, AuditEntryPublic, Page
from api.services import reviews as service

router = APIRouter(prefix="/audit", tags=["reviews"], responses=problem_responses(401))


@router.get("", response_model=Page[AuditEntryPublic])
def list_audit(
    session: SessionDep,
    _: PrincipalDep,
    page: PageDep,
    plan_id: str | None = None,
    check_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    finding_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
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
