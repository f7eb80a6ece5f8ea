"""Plans: upload (file or JSON text), revise, list, show, delete; reviewers' corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status

from api.deps import (
    AdminDep,
    PageDep,
    PrincipalDep,
    ReviewerDep,
    RowId,
    SessionDep,
    SettingsDep,
    SubmitterDep,
)
from api.errors import problem_responses
from api.schemas import (
    MAX_DB_INT,
    CorrectionCreate,
    CorrectionPublic,
    Page,
    PlanDetail,
    PlanMeta,
    PlanPublic,
    PlanTextCreate,
    RevisionMeta,
    RevisionPublic,
    RevisionTextCreate,
    TargetProposal,
)
from api.services import catalog as catalog_service
from api.services import plans as service
from rulesengine.model import Level

router = APIRouter(prefix="/plans", tags=["plans"], responses=problem_responses(401, 403, 404))

_UPLOAD_ERRORS = problem_responses(400, 409, 413, 422)


def _read(file: UploadFile, limit: int) -> tuple[bytes, str]:
    # Read one byte past the limit: enough to know it is too large without reading it all.
    return file.file.read(limit + 1), file.filename or "upload.txt"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanDetail, responses=_UPLOAD_ERRORS)
def upload_plan(
    session: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    file: Annotated[UploadFile, File(description=".txt, .docx, .pdf or .html")],
    meta: Annotated[PlanMeta, Form()],
) -> PlanDetail:
    """Upload a plan document with its metadata; its targets are extracted and stored."""
    data, name = _read(file, settings.max_upload_bytes)
    doc = service.read_upload(data, name, settings.max_upload_bytes)
    return service.create_plan(session, principal, meta, doc)


@router.post(
    "/text",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanDetail,
    responses=_UPLOAD_ERRORS,
)
def upload_plan_text(
    session: SessionDep, settings: SettingsDep, principal: SubmitterDep, body: PlanTextCreate
) -> PlanDetail:
    """Submit a plan as JSON text instead of a file (read like a UTF-8 .txt upload)."""
    name = body.source_name or f"{body.id or 'plan'}.txt"
    doc = service.read_upload(body.text.encode("utf-8"), name, settings.max_upload_bytes)
    meta = PlanMeta.model_validate(body.model_dump(exclude={"text", "source_name"}))
    return service.create_plan(session, principal, meta, doc)


@router.get("", response_model=Page[PlanPublic], responses=problem_responses(422))
def list_plans(
    session: SessionDep,
    _: PrincipalDep,
    page: PageDep,
    region: Annotated[str | None, Query(description="exactly this region (name or code)")] = None,
    within: Annotated[str | None, Query(description="this region and every region under it")] = None,
    level: Level | None = None,
    period: Annotated[str | None, Query(examples=["2023", "2021-2025"])] = None,
) -> Page[PlanPublic]:
    return service.list_plans(
        session,
        region=region,
        within=within,
        level=level,
        period=period,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{plan_id}", response_model=PlanDetail)
def get_plan(session: SessionDep, _: PrincipalDep, plan_id: str, include_text: bool = False) -> PlanDetail:
    """A plan with its targets (corrections applied), corrections, topics and warnings."""
    return service.plan_detail(session, plan_id, include_text=include_text)


@router.delete("/{plan_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_plan(session: SessionDep, principal: AdminDep, plan_id: str) -> None:
    """Hide a plan from lists and parent searches; its checks and audit trail remain."""
    service.delete_plan(session, principal, plan_id)


@router.post(
    "/{plan_id}/revisions",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanDetail,
    responses=_UPLOAD_ERRORS,
)
def upload_revision(
    session: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    plan_id: str,
    file: Annotated[UploadFile, File()],
    meta: Annotated[RevisionMeta, Form()],
) -> PlanDetail:
    """Upload a revised text; targets are re-extracted, corrections kept. Then re-check."""
    data, name = _read(file, settings.max_upload_bytes)
    doc = service.read_upload(data, name, settings.max_upload_bytes)
    return service.add_revision(session, principal, plan_id, doc, meta.comment)


@router.post(
    "/{plan_id}/revisions/text",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanDetail,
    responses=_UPLOAD_ERRORS,
)
def upload_revision_text(
    session: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    plan_id: str,
    body: RevisionTextCreate,
) -> PlanDetail:
    name = body.source_name or f"{plan_id}.txt"
    doc = service.read_upload(body.text.encode("utf-8"), name, settings.max_upload_bytes)
    return service.add_revision(session, principal, plan_id, doc, body.comment)


@router.get("/{plan_id}/revisions", response_model=list[RevisionPublic])
def list_revisions(session: SessionDep, _: PrincipalDep, plan_id: str) -> list[RevisionPublic]:
    return service.list_revisions(session, plan_id)


@router.post(
    "/{plan_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=CorrectionPublic,
    responses=problem_responses(422),
)
def add_correction(
    session: SessionDep, principal: ReviewerDep, plan_id: str, body: CorrectionCreate
) -> CorrectionPublic:
    """Correct an extracted target (``target_id``) or add one the extractor missed."""
    return service.add_correction(session, principal, plan_id, body)


@router.get("/{plan_id}/corrections", response_model=list[CorrectionPublic])
def list_corrections(session: SessionDep, _: PrincipalDep, plan_id: str) -> list[CorrectionPublic]:
    return service.list_corrections(session, plan_id)


@router.delete(
    "/{plan_id}/corrections/{correction_id}",
    response_model=CorrectionPublic,
    responses=problem_responses(409),
)
def withdraw_correction(
    session: SessionDep,
    principal: ReviewerDep,
    plan_id: str,
    correction_id: RowId,
    comment: Annotated[str | None, Query(max_length=2000)] = None,
) -> CorrectionPublic:
    """Stop applying a correction (kept, marked withdrawn)."""
    return service.withdraw_correction(session, principal, plan_id, correction_id, comment)


@router.get("/{plan_id}/proposal", response_model=TargetProposal, responses=problem_responses(422))
def propose_target(
    session: SessionDep,
    _: PrincipalDep,
    plan_id: str,
    quote: Annotated[str, Query(min_length=1, max_length=2000, description="text selected in the plan")],
    span_start: Annotated[int | None, Query(ge=0, le=MAX_DB_INT)] = None,
) -> TargetProposal:
    """What a selected stretch of the plan's text proposes for a missed target (nothing saved)."""
    service.plan_detail(session, plan_id)  # 404 for a plan that does not exist
    return catalog_service.propose(quote, span_start, catalog_service.current_catalog(session))
