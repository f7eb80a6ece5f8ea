"""The batch pages: upload a province's plans at once, watch the job, open its dashboard.

Same rules as every page (``api.web.views``): writes go through the service the API calls
(``services.batches.create_job``), errors are pages in Chinese, everything works without
JavaScript — the job page reloads itself with a plain ``<meta http-equiv=refresh>`` while the
job runs, and htmx, when present, swaps only the progress block instead.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session

from api.auth import Role
from api.deps import SessionDep, SettingsDep, require
from api.errors import Problem
from api.jobs import wake
from api.routes.batches import read_uploads, report_response
from api.schemas import BatchStage, FindingReview
from api.services import batches as batch_service
from api.services import reviews as review_service
from api.services.province import province_of_job
from api.web import data
from api.web.views import PREFIX, PageRoute, RowId, ViewerDep, check_csrf, page_words, render, see_other
from rulesengine import labels

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

_ITEMS_SHOWN = 200


def _batches_page(
    request: Request, session: Session, error: str | None = None, status: int = 200
) -> HTMLResponse:
    jobs = batch_service.list_jobs(session, limit=50, offset=0)
    settings = request.app.state.settings
    return render(
        request,
        "batches.html",
        {
            "jobs": jobs,
            "parents": data.parent_choices(session),
            "error": error,
            "JOB_STAGE_ZH": labels.JOB_STAGE_ZH,
            "max_mb": settings.max_batch_bytes // (1024 * 1024),
            "file_mb": settings.max_upload_bytes // (1024 * 1024),
        },
        status=status,
    )


@router.get("/batches")
def batches(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    return _batches_page(request, session)


@router.post("/batches")
def upload_batch(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    parent_ids: Annotated[list[str] | None, Form()] = None,
    allow_region: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Create the job as ``POST /batches`` does, then show its page."""
    try:
        check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        chosen = [f for f in files or [] if f.filename]
        if not chosen:
            return _batches_page(
                request, session, "请选择要上传的文件:规划文件、.meta.yaml、清单或 zip 压缩包", 422
            )
        job = batch_service.create_job(
            session,
            viewer.principal,
            read_uploads(chosen, settings.max_batch_bytes),
            parent_ids=[p for p in parent_ids or [] if p],
            allow=["region"] if allow_region else [],
            comment=comment.strip() or None,
            max_file_bytes=settings.max_upload_bytes,
        )
    except Problem as exc:
        session.rollback()
        return _batches_page(request, session, page_words(exc), exc.status)
    wake(request.app.state)
    return see_other(f"{PREFIX}/batches/{job.id}")


def _job_context(session: Session, batch_id: int, offset: int) -> dict[str, object]:
    job = batch_service.batch_public(session, batch_service.get_job(session, batch_id))
    items = batch_service.list_items(session, batch_id, limit=_ITEMS_SHOWN, offset=offset)
    counts = job.counts
    read = job.total - counts.get("queued", 0)
    # before parents are assigned every read plan may be a county; after, the counties are known
    to_check = counts.get("checked", 0) + counts.get("read", 0)
    return {
        "job": job,
        "items": items,
        "offset": offset,
        "running": job.stage in (BatchStage.reading, BatchStage.checking, BatchStage.across),
        "read": read,
        "to_check": to_check,
        "across": batch_service.list_across(session, batch_id) if job.stage == BatchStage.done else [],
        "JOB_STAGE_ZH": labels.JOB_STAGE_ZH,
        "JOB_ITEM_ZH": labels.JOB_ITEM_ZH,
        "META_SOURCE_ZH": labels.META_SOURCE_ZH,
    }


@router.get("/batches/{batch_id}")
def batch_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    batch_id: RowId,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    return _job_page(request, session, batch_id, offset=offset)


def _job_page(
    request: Request,
    session: Session,
    batch_id: int,
    error: str | None = None,
    status: int = 200,
    offset: int = 0,
) -> HTMLResponse:
    return render(
        request, "batch.html", {**_job_context(session, batch_id, offset), "error": error}, status=status
    )


@router.get("/batches/{batch_id}/progress")
def batch_progress(request: Request, session: SessionDep, viewer: ViewerDep, batch_id: RowId) -> HTMLResponse:
    """The progress block alone, for htmx to swap in while the job runs; once it has ended, htmx
    is told to reload the whole page, whose file list and findings are then final."""
    context = _job_context(session, batch_id, 0)
    response = render(request, "_batch_progress.html", context)
    if not context["running"] and request.headers.get("HX-Request"):
        response.headers["HX-Refresh"] = "true"
    return response


_DASHBOARD_ROWS = 200

_HEADS = (
    ("region", "县(市、区)"),
    ("city", "所属市"),
    ("open_gaps", "待处理"),
    ("error", "错误"),
    ("warning", "警告"),
    ("info", "提示"),
    ("cross", "跨县"),
)


@router.get("/batches/{batch_id}/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    batch_id: RowId,
    city: Annotated[str, Query(max_length=12)] = "*",
    by: Annotated[str, Query(max_length=100)] = "open_gaps",
    desc: Annotated[str, Query(pattern="^[01]?$")] = "",
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    """Counties as rows, the parents' indicators as columns; sorted and filtered by the model,
    ``_DASHBOARD_ROWS`` rows a page (China's 2,844 counties in one page would be megabytes)."""
    job = batch_service.get_job(session, batch_id)
    report = province_of_job(session, batch_id, request.app.state.settings.zone)
    known = {key for key, _ in _HEADS} | {c.indicator for c in report.columns}
    if by not in known:
        by = "open_gaps"
    descending = None if desc == "" else desc == "1"
    chosen = None if city == "*" else city
    rows = report.view(city=chosen, by=by, descending=descending)
    page = rows[offset : offset + _DASHBOARD_ROWS]
    shown_desc = descending if descending is not None else by not in ("region", "city")

    def page_query(at: int) -> str:
        params = {"by": by, "offset": str(at)}
        if descending is not None:
            params["desc"] = "1" if descending else "0"
        if chosen is not None:
            params["city"] = chosen
        return urlencode(params)

    def sort_query(key: str) -> str:
        """The link of a column's head: by it, and the other way round when it is the order now."""
        params = {"by": key}
        if key == by:
            params["desc"] = "0" if shown_desc else "1"
        if chosen is not None:
            params["city"] = chosen
        return urlencode(params)

    return render(
        request,
        "dashboard.html",
        {
            "job": job,
            "report": report,
            "rows": page,
            "total_rows": len(rows),
            "offset": offset,
            "page_size": _DASHBOARD_ROWS,
            "page_query": page_query,
            "city": chosen,
            "by": by,
            "descending": shown_desc,
            "heads": _HEADS,
            "sort_query": sort_query,
        },
    )


@router.get("/batches/{batch_id}/report.{fmt}")
def batch_report(
    request: Request, session: SessionDep, viewer: ViewerDep, batch_id: RowId, fmt: str
) -> Response:
    """The dashboard as a 对标分析报告 (Word) or Markdown, from the same model as the page."""
    return report_response(session, batch_id, fmt, request.app.state.settings.zone)


@router.post("/batches/{batch_id}/findings/{finding_id}/review")
def review_across(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    batch_id: RowId,
    finding_id: RowId,
    status: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[int, Form(ge=1, le=2**31 - 1)] = 1,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A reviewer's decision on a finding across counties, through the API's own review service."""
    try:
        check_csrf(request, csrf)
        require(Role.reviewer)(viewer.principal)
        body = FindingReview.model_validate(
            {"status": status, "comment": comment.strip() or None, "version": version}
        )
        review_service.review_across(session, viewer.principal, batch_id, finding_id, body, None)
    except ValidationError:
        session.rollback()
        return _job_page(request, session, batch_id, "请选择审核结论:确认、驳回、已整改或重新打开", 422)
    except Problem as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return _job_page(request, session, batch_id, page_words(exc), exc.status)
    return see_other(f"{PREFIX}/batches/{batch_id}#across-{finding_id}")


@router.post("/batches/{batch_id}/cancel")
def cancel_batch(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    batch_id: RowId,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        batch_service.cancel_job(session, viewer.principal, batch_id)
    except Problem as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return _job_page(request, session, batch_id, page_words(exc), exc.status)
    return see_other(f"{PREFIX}/batches/{batch_id}")
