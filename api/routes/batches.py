"""Batches: upload many plans at once (files, zips, .meta.yaml, a mapping table), watch the job,
read its items, its findings across counties, its dashboard and its Word report."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile, status

from api.deps import PageDep, PrincipalDep, ReviewerDep, RowId, SessionDep, SettingsDep, SubmitterDep
from api.downloads import attachment
from api.errors import Problem, problem_responses
from api.jobs import wake
from api.schemas import BatchFindingPublic, BatchItemPublic, BatchItemStage, BatchPublic, FindingReview, Page
from api.services import batches as service
from api.services import reviews as review_service
from api.services.province import province_of_job
from rulesengine.report import province_docx, province_markdown

router = APIRouter(prefix="/batches", tags=["batches"], responses=problem_responses(401, 403, 404))


def read_uploads(files: list[UploadFile], limit: int) -> list[tuple[str, bytes]]:
    """Every uploaded part's name and bytes, within ``limit`` bytes altogether (413 past it)."""
    out: list[tuple[str, bytes]] = []
    left = limit
    for f in files:
        data = f.file.read(left + 1)
        if len(data) > left:
            name = f.filename or "upload"
            raise Problem(
                413,
                "too_large",
                f"上传内容过大:读到 {name} 时超过合计上限 {limit:,} 字节",
                f"the upload is larger than the limit of {limit:,} bytes altogether (reached at {name})",
                field="files",
                max_bytes=limit,
                file=name,
            )
        left -= len(data)
        out.append((f.filename or "upload.txt", data))
    return out


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BatchPublic,
    responses=problem_responses(413, 422),
)
def create_batch(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    files: Annotated[
        list[UploadFile],
        File(
            description="plan documents, .meta.yaml files, a mapping table (.csv/.xlsx), "
            "or .zip archives of them"
        ),
    ],
    parent_ids: Annotated[
        list[str] | None, Form(description="stored plans to check against, besides the upload's own parents")
    ] = None,
    allow: Annotated[list[str] | None, Form(description="parent checks to waive: region, period")] = None,
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> BatchPublic:
    """Store the documents and check them in the background; poll ``GET /batches/{id}``."""
    uploads = read_uploads(files, settings.max_batch_bytes)
    job = service.create_job(
        session,
        principal,
        uploads,
        parent_ids=parent_ids or (),
        allow=allow or (),
        comment=comment,
        max_file_bytes=settings.max_upload_bytes,
    )
    wake(request.app.state)
    return job


@router.post("/{batch_id}/cancel", response_model=BatchPublic, responses=problem_responses(409))
def cancel_batch(session: SessionDep, principal: SubmitterDep, batch_id: RowId) -> BatchPublic:
    """Stop a running job (its submitter or an admin): what is not yet read or checked is not;
    the plans and checks already made stay."""
    return service.cancel_job(session, principal, batch_id)


@router.get("", response_model=Page[BatchPublic])
def list_batches(session: SessionDep, _: PrincipalDep, page: PageDep) -> Page[BatchPublic]:
    return service.list_jobs(session, limit=page.limit, offset=page.offset)


@router.get("/{batch_id}", response_model=BatchPublic)
def get_batch(session: SessionDep, _: PrincipalDep, batch_id: RowId) -> BatchPublic:
    """The job's stage and its items counted by stage."""
    return service.batch_public(session, service.get_job(session, batch_id))


@router.get("/{batch_id}/items", response_model=Page[BatchItemPublic])
def list_batch_items(
    session: SessionDep, _: PrincipalDep, page: PageDep, batch_id: RowId, stage: BatchItemStage | None = None
) -> Page[BatchItemPublic]:
    return service.list_items(
        session, batch_id, stage=stage.value if stage else None, limit=page.limit, offset=page.offset
    )


@router.get("/{batch_id}/findings", response_model=list[BatchFindingPublic])
def list_batch_findings(session: SessionDep, _: PrincipalDep, batch_id: RowId) -> list[BatchFindingPublic]:
    """Findings across the job's plans: decomposition, layered 加码, peers."""
    return service.list_across(session, batch_id)


@router.patch(
    "/{batch_id}/findings/{finding_id}",
    response_model=BatchFindingPublic,
    responses=problem_responses(400, 409, 422, 428),
)
def review_batch_finding(
    session: SessionDep,
    principal: ReviewerDep,
    batch_id: RowId,
    finding_id: RowId,
    body: FindingReview,
    response: Response,
    if_match: Annotated[str | None, Header(description='the version you reviewed, e.g. "1"')] = None,
) -> BatchFindingPublic:
    """Review a finding across counties as a check's finding is reviewed (``PATCH /findings/{id}``)."""
    finding = review_service.review_across(
        session, principal, batch_id, finding_id, body, review_service.parse_if_match(if_match)
    )
    response.headers["ETag"] = f'"{finding.version}"'
    return finding


_REPORTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}


def report_response(session: SessionDep, batch_id: int, fmt: str, zone: tzinfo | None) -> Response:
    """The job's 对标分析报告 as Word or Markdown (one model: the dashboard's)."""
    if fmt not in _REPORTS:
        raise Problem(
            404, "no_such_format", f"没有 .{fmt} 格式的报告(可用:docx、md)", f"no .{fmt} report (docx, md)"
        )
    report = province_of_job(session, batch_id, zone)
    body = province_docx(report) if fmt == "docx" else province_markdown(report).encode("utf-8")
    headers = {
        "Content-Disposition": attachment(f"对标分析报告-批量任务{batch_id}.{fmt}", f"batch-{batch_id}.{fmt}")
    }
    return Response(body, media_type=_REPORTS[fmt], headers=headers)


@router.get(
    "/{batch_id}/report.{fmt}",
    response_class=Response,
    responses={200: {"content": {v: {} for v in _REPORTS.values()}}, **problem_responses(404)},
)
def batch_report(
    session: SessionDep, settings: SettingsDep, _: PrincipalDep, batch_id: RowId, fmt: str
) -> Response:
    """The province dashboard as a 对标分析报告: ``report.docx`` (Word) or ``report.md``."""
    return report_response(session, batch_id, fmt, settings.zone)
