"""The reviewer pages: server-rendered Chinese HTML over the same services as the JSON API.

Why the pages look the way they do in code:

* **One path to the database.** Every write calls the function the API route calls
  (``services.plans.create_plan``, ``services.checks.run_check``,
  ``services.reviews.review_finding``), with the same role check (``api.deps.require``), so the
  transaction, the optimistic lock and the audit entry are the API's. Pages only add reading.
* **Errors are pages, not JSON.** ``PageRoute`` turns a service's ``Problem`` into an HTML
  page in Chinese, a missing session into a redirect to sign-in, and anything unexpected into
  a plain message (logged with its traceback, never shown). Form posts catch the ``Problem``
  themselves, roll the session back and show the message next to the field it names.
* **Works without JavaScript.** Every page is a GET that renders everything; every form posts
  and redirects (post/redirect/get). htmx only makes filters and the review form swap in place.
* **Untrusted text stays text.** Templates autoescape, and nothing from a document is marked
  safe: highlighted quotes are plain segments (``api.web.present.segments``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit
from urllib.parse import quote as quote_url

import anyio
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as FastApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import ROLE_ZH, Principal, Role, authenticate
from api.db import ApiToken, CheckRun, PlanRow
from api.deps import CheckerDep, CheckLimiterDep, RulebookDep, SessionDep, SettingsDep, require
from api.downloads import attachment
from api.errors import Problem
from api.schemas import (
    CheckPublic,
    CorrectionCreate,
    FindingPublic,
    FindingReview,
    PlanMeta,
    ReviewStatus,
    SuggestionAccept,
    TargetProposal,
    TargetPublic,
)
from api.services import catalog as catalog_service
from api.services import checks as check_service
from api.services import plans as plan_service
from api.services import reviews as review_service
from api.services import rules as rule_service
from api.web import data, export, present
from api.web.session import COOKIE_NAME, SessionSigner
from rulesengine import labels
from rulesengine.catalog import Catalog
from rulesengine.model import Category, Severity
from rulesengine.regions import default_index
from rulesengine.report import CheckReport

__all__ = ["PREFIX", "TEMPLATES_DIR", "router"]

log = logging.getLogger("planalign.web")

PREFIX = "/web"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@cache
def _env() -> Environment:
    """The template environment; autoescape is on for every template, whatever its name."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        prefix=PREFIX,
        SEVERITY_ZH=labels.SEVERITY_ZH,
        SEVERITY_ORDER=labels.SEVERITY_ORDER,
        CATEGORY_ZH=labels.CATEGORY_ZH,
        CATEGORY_ORDER=labels.CATEGORY_ORDER,
        STATUS_ZH=labels.REVIEW_ZH,
        STATUS_ORDER=labels.REVIEW_ORDER,
        ACTION_ZH=labels.ACTION_ZH,
        LEVEL_ZH=labels.LEVEL_ZH,
        KIND_ZH=labels.KIND_ZH,
        ROLE_ZH=ROLE_ZH,
        COVERAGE_ZH=labels.COVERAGE_ZH,
        indicator_name=labels.indicator_name,
        value_text=labels.value_text,
        CORRECTION_ZH=labels.CORRECTION_ZH,
        CORRECTION_STATE_ZH=labels.CORRECTION_STATE_ZH,
        COMPARATOR_ZH=labels.COMPARATOR_ZH,
        BASIS_ZH=labels.BASIS_ZH,
        SUGGESTION_ZH=labels.SUGGESTION_ZH,
        SUGGESTION_STATUS_ZH=labels.SUGGESTION_STATUS_ZH,
        FORM_ZH=labels.FORM_ZH,
    )
    env.filters["when"] = _when
    return env


@pass_context
def _when(context: Context, at: datetime | None) -> str:
    """A stored (UTC) time in the server's zone, labelled: 2026-12-06 20:30(北京时间)."""
    return labels.local_time(at, context.get("zone")) if at else ""


# -- who is looking -------------------------------------------------------------------------


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person and the CSRF token their forms carry."""

    principal: Principal
    csrf: str

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role_zh(self) -> str:
        return ROLE_ZH[self.principal.role]

    def can(self, role: str) -> bool:
        return self.principal.role.allows(Role(role))


def _signer(request: Request) -> SessionSigner:
    signer: SessionSigner = request.app.state.web_signer
    return signer


def get_viewer(request: Request, session: SessionDep) -> Viewer:
    cookie = request.cookies.get(COOKIE_NAME)
    signer = _signer(request)
    principal = signer.principal(session, cookie)
    if principal is None or cookie is None:
        raise SignInRequired
    viewer = Viewer(principal, signer.csrf(cookie))
    request.state.web_viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


# Service messages written for API clients name request fields (``comment``, ``parent_ids``,
# ``POST /plans/…``); on a page the same refusal is said in the form's own words.
_PAGE_WORDS = {
    "reason_required": "驳回需要在“意见”中说明理由",
    "no_parents": "没有找到可对照的上级规划:请先上传上级地区(如所在省、市)规划期覆盖本规划的规划,再运行检查",
    "version_required": "请刷新页面后重试",
}


def page_words(exc: Problem) -> str:
    """A service's refusal as a page says it; ``plan_exists`` keeps the id it names."""
    if exc.code == "plan_exists":
        return exc.message_zh.split(";")[0] + ":请换一个编号,或留空由系统生成"
    return _PAGE_WORDS.get(exc.code, exc.message_zh)


def check_csrf(request: Request, sent: str) -> None:
    if not _signer(request).csrf_ok(request.cookies.get(COOKIE_NAME), sent):
        raise Problem(
            403,
            "csrf",
            "表单已过期或来源不明,未保存任何内容:请刷新页面后重试",
            "the form is stale or came from elsewhere; nothing was saved: reload and retry",
        )


# -- rendering -------------------------------------------------------------------------------


def render(request: Request, template: str, context: Mapping[str, Any], *, status: int = 200) -> HTMLResponse:
    """A page with the headers every page gets (no caching, a CSP that allows only our files)."""
    viewer = getattr(request.state, "web_viewer", None)
    zone = request.app.state.settings.zone
    html = _env().get_template(template).render(me=viewer, path=request.url.path, zone=zone, **context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def too_large_page(path: str, max_bytes: int) -> HTMLResponse:
    """The page a browser gets for an upload over the limit, refused before its body is read
    (by ``api.main.BodySizeLimit``: there is no session or form to go back to yet)."""
    limit = f"{max_bytes / (1024 * 1024):.0f} MB"
    message = (
        f"文件过大:上传上限约 {limit},未保存任何内容。请压缩图片或只上传正文后重试。"
        f" / The file is over the upload limit of about {limit}; nothing was saved."
    )
    html = _env().get_template("error.html").render(me=None, path=path, status=413, message=message)
    return HTMLResponse(html, status_code=413, headers=_PAGE_HEADERS)


_HTTP_ZH = {404: "没有这个页面", 405: "此页面不支持该操作", 403: "权限不足"}


def _return_to(request: Request) -> str:
    """Where to go after signing in: this page, or for a form post the page the form was on
    (the post itself cannot be repeated by a redirect, and its URL has no page to show)."""
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith(PREFIX + "/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return f"{PREFIX}/plans"


class PageRoute(APIRoute):
    """An APIRoute whose failures are pages: sign-in redirects, and errors in plain Chinese."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                url = f"{PREFIX}/login?" + urlencode({"next": _return_to(request)})
                if request.headers.get("HX-Request"):
                    return Response(status_code=204, headers={"HX-Redirect": url})
                return see_other(url)
            except Problem as exc:
                return _error_page(request, exc.status, page_words(exc))
            except RequestValidationError:
                return _error_page(request, 422, "请求参数无效:请从页面上的链接或表单进入")
            except StarletteHTTPException as exc:
                return _error_page(request, exc.status_code, _HTTP_ZH.get(exc.status_code, "请求无法处理"))
            except IntegrityError:
                return _error_page(request, 409, "与另一请求同时写入了同一条记录,本次未保存,请重试")
            except OperationalError:
                log.exception("database error on %s", request.url.path)
                return _error_page(request, 503, "数据库暂时不可用,本次未保存,请稍后重试")
            except Exception:
                log.exception("unhandled error on page %s %s", request.method, request.url.path)
                return _error_page(request, 500, "服务器内部错误,本次请求未保存任何内容")

        return route


router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)

_MAX_ID = 2**31 - 1
RowId = Annotated[int, FastApiPath(ge=1, le=_MAX_ID)]
"""A row id in a URL: bounded, so 10**20 is "no such page" rather than a database overflow."""


# -- sign-in ---------------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    """Only our own pages: never an absolute URL or ``//host`` (no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/plans"


@router.get("")
@router.get("/")
def home() -> RedirectResponse:
    return see_other(f"{PREFIX}/plans")


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Trade a token for a session cookie; the same check as the API's bearer header."""
    principal = authenticate(session, token.strip()) if token.strip() else None
    if principal is None:
        message = "请输入令牌" if not token.strip() else "令牌无效或已吊销,请向管理员确认"
        return render(request, "login.html", {"next": _safe_next(next), "error": message}, status=401)
    row = session.get(ApiToken, principal.token_id)
    assert row is not None
    signer = _signer(request)
    response = see_other(_safe_next(next))
    response.set_cookie(
        COOKIE_NAME,
        signer.issue(row),
        max_age=signer.max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, viewer: ViewerDep, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    response = see_other(f"{PREFIX}/login")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


# -- plans -----------------------------------------------------------------------------------


_WHOLE = {"省": "全省", "市": "全市", "区": "全区"}
"""What the whole of a province-level unit is called: 全省, 全市 for 北京市/上海市, 全区 for
an autonomous or special administrative region."""


@cache
def _region_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every region, grouped by province, labelled with its path: the upload form's list."""
    index = default_index()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for province in index.provinces():
        options = [(province.code, f"{province.name}({_WHOLE.get(province.name[-1], '全省')})")]
        for city in index.children(province):
            options.append((city.code, index.path(city).removeprefix(province.name)))
            for county in index.children(city):
                options.append((county.code, index.path(county).removeprefix(province.name)))
        groups.append((province.name, options))
    return groups


def _region_matches(q: str) -> list[tuple[str, list[tuple[str, str]]]]:
    if not q.strip():
        return _region_groups()
    found = {r.code for r in default_index().search(q.strip(), limit=200)}
    groups = [(name, [o for o in options if o[0] in found]) for name, options in _region_groups()]
    return [(name, options) for name, options in groups if options]


_FIELD_ZH = {
    "file": "文件",
    "region": "地区",
    "period": "规划期",
    "title": "标题",
    "issuer": "发文单位",
    "id": "编号",
    "level": "级别",
}


def _meta_error(exc: ValidationError) -> tuple[str, str]:
    """The first problem with the form's fields, in words an analyst reads."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else "form"
    label = _FIELD_ZH.get(field, field)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "string_too_short":
        return field, f"请填写{label}" if ctx.get(
            "min_length"
        ) == 1 else f"{label}至少 {ctx['min_length']} 个字符"
    if kind == "string_too_long":
        return field, f"{label}太长:最多 {ctx.get('max_length')} 个字符"
    if kind == "string_pattern_mismatch":
        return field, f"{label}只能包含英文字母、数字、点、横线和下划线,如 cixi-2023"
    return field, f"{label}无效"


@dataclass
class UploadForm:
    """What the upload form shows again after an error (never the file itself)."""

    region: str = ""
    period: str = ""
    title: str = ""
    issuer: str = ""
    id: str = ""
    error: str | None = None
    field: str | None = None


def _plans_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    form: UploadForm,
    *,
    offset: int = 0,
    status: int = 200,
) -> HTMLResponse:
    page = plan_service.list_plans(
        session, region=None, within=None, level=None, period=None, limit=100, offset=offset
    )
    latest = {}
    for plan in page.items:
        checks = check_service.list_checks(session, plan.id, limit=1, offset=0)
        latest[plan.id] = checks.items[0] if checks.items else None
    return render(
        request,
        "plans.html",
        {
            "page": page,
            "latest": latest,
            "form": form,
            "regions": _region_groups(),
            "max_mb": request.app.state.settings.max_upload_bytes // (1024 * 1024),
            "FIELD_ZH": _FIELD_ZH,
            "offset": offset,
        },
        status=status,
    )


@router.get("/plans")
def plans(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    offset: Annotated[int, Query(ge=0, le=_MAX_ID)] = 0,
) -> HTMLResponse:
    return _plans_page(request, session, viewer, UploadForm(), offset=offset)


@router.get("/regions")
def regions(request: Request, viewer: ViewerDep, q: str = "", region: str = "") -> HTMLResponse:
    """The region list filtered by what was typed (htmx swaps it into the upload form)."""
    return render(request, "_region_select.html", {"regions": _region_matches(q), "selected": region})


@router.post("/plans")
def upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    file: Annotated[UploadFile | None, File()] = None,
    region: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    issuer: Annotated[str, Form()] = "",
    id: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Upload through ``create_plan``, as ``POST /plans`` does; errors come back in the form."""
    form = UploadForm(region=region, period=period.strip(), title=title, issuer=issuer, id=id.strip())

    def fail(field: str | None, message: str, status: int = 422) -> HTMLResponse:
        session.rollback()  # nothing half-written may show up in the list rendered below
        form.field, form.error = field, message
        return _plans_page(request, session, viewer, form, status=status)

    try:
        check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        if file is None or not file.filename:
            return fail("file", "请选择要上传的规划文件(.txt、.docx、.doc、.wps、.pdf、.ofd、.html 或图片)")
        if not region.strip():
            return fail("region", "请从列表中选择规划所属地区")
        try:
            meta = PlanMeta.model_validate(
                {"region": region.strip(), "period": form.period, "title": title.strip(),
                 "issuer": issuer.strip(), "id": form.id or None}
            )  # fmt: skip
        except ValidationError as exc:
            return fail(*_meta_error(exc))
        payload = file.file.read(settings.max_upload_bytes + 1)
        doc = plan_service.read_upload(payload, file.filename, settings.max_upload_bytes)
        created = plan_service.create_plan(session, viewer.principal, meta, doc)
    except Problem as exc:
        field = exc.field if exc.field in _FIELD_ZH else None
        return fail(field, page_words(exc), exc.status)
    return see_other(f"{PREFIX}/plans/{quote(created.id)}")


_MAX_SHOWN_TEXT = 300_000
"""Characters of a plan's text shown on its page; a 20 MB upload must not become a 20 MB page."""


@dataclass
class CorrectionForm:
    """A correction form's fields as typed, shown again after an error (strings, as posted)."""

    action: str = "add"
    target_id: str = ""
    indicator: str = ""
    value: str = ""
    value_max: str = ""
    unit: str = ""
    comparator: str = "eq"
    kind: str = "baseline"
    basis: str = "annual"
    period: str = ""
    quote: str = ""
    span_start: str = ""
    wording: str = ""
    comment: str = ""
    error: str | None = None
    field: str | None = None

    @classmethod
    def of_target(cls, target: TargetPublic, catalog: Catalog) -> CorrectionForm:
        """The edit form of a target: its fields as they are, to be changed."""
        return cls(
            action="edit",
            target_id=str(target.target_id or ""),
            indicator=labels.indicator_name(target.indicator, catalog),
            value=labels.format_number(target.value),
            value_max=labels.format_number(target.value_max) if target.value_max is not None else "",
            unit=target.unit,
            comparator=target.comparator.value,
            kind=target.kind.value,
            basis=target.basis.value,
            period=target.period,
            quote=target.quote,
            span_start=str(target.span_start),
            # words the catalog did not know: what it may learn if the reviewer names them
            wording=catalog_service.wording_of(target.quote) if target.indicator.startswith("other:") else "",
        )

    @classmethod
    def proposed(cls, proposal: TargetProposal, period: str) -> CorrectionForm:
        """The add form filled from what a selection proposes; the reviewer checks every field."""
        return cls(
            indicator=labels.indicator_name(proposal.indicator) if proposal.indicator else "",
            value=labels.format_number(proposal.value) if proposal.value is not None else "",
            value_max=labels.format_number(proposal.value_max) if proposal.value_max is not None else "",
            unit=proposal.unit,
            comparator=proposal.comparator.value,
            kind=proposal.kind.value,
            basis=proposal.basis.value,
            period=period,
            quote=proposal.quote,
            span_start="" if proposal.span_start is None else str(proposal.span_start),
            wording=proposal.wording,
        )


@dataclass
class PlanPageState:
    """What the plan page shows besides the plan: a message, an open form, a proposal."""

    error: str | None = None
    saved: str | None = None
    add: CorrectionForm | None = None
    edits: dict[int, CorrectionForm] = field(default_factory=dict)
    revision_error: str | None = None


_SAVED_ZH = {
    "reject": "已标记为“不是目标”。重新运行对标检查即可看到变化。",
    "edit": "已保存更正。重新运行对标检查即可看到变化。",
    "add": "已补充遗漏的目标。重新运行对标检查即可看到变化。",
    "withdraw": "已撤回更正。",
    "revision": "已上传修订稿;更正已按原文对照到新版本(找不到原文的列为失效)。",
}


def _plan_page(
    request: Request,
    session: Session,
    plan_id: str,
    *,
    error: str | None = None,
    status: int = 200,
    state: PlanPageState | None = None,
) -> HTMLResponse:
    state = state or PlanPageState(error=error)
    plan = plan_service.plan_detail(session, plan_id, include_text=True)
    catalog = catalog_service.current_catalog(session)
    full = plan.text or ""
    text = full[:_MAX_SHOWN_TEXT]
    spans = [
        (t.span_start, t.span_end, labels.indicator_name(t.indicator, catalog), t.origin)
        for t in [*plan.targets, *plan.rejected_targets]
        if text[t.span_start : t.span_end] == t.quote
    ]
    checks = check_service.list_checks(session, plan_id, limit=20, offset=0)
    corrections = {c.id: c for c in plan.corrections}
    edit_forms = {
        t.target_id: state.edits.get(t.target_id) or CorrectionForm.of_target(t, catalog)
        for t in plan.targets
        if t.target_id is not None
    }
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "text_segments": present.segments(text, spans),
            "text_cut": len(full) - len(text),
            "checks": checks,
            "error": state.error,
            "state": state,
            "saved_message": _SAVED_ZH.get(state.saved or "", ""),
            "corrections": corrections,
            "edit_forms": edit_forms,
            "add_form": state.add or CorrectionForm(period=plan.period),
            "lost": [c for c in plan.corrections if c.state == "lost"],
            "indicator_names": sorted({i.name for i in catalog}),
            "name": partial(labels.indicator_name, catalog=catalog),
            "max_mb": request.app.state.settings.max_upload_bytes // (1024 * 1024),
        },
        status=status,
    )


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    plan_id: str,
    saved: str | None = None,
    quote: Annotated[str | None, Query(max_length=2000)] = None,
    start: Annotated[int | None, Query(ge=0, le=_MAX_ID)] = None,
) -> HTMLResponse:
    """The plan, its text with every target marked, and the tools to correct them; with
    ``quote`` (text selected in the page), the add form filled from what it proposes."""
    state = PlanPageState(saved=saved)
    if quote and quote.strip():
        plan = plan_service.plan_detail(session, plan_id)
        proposal = catalog_service.propose(quote, start, catalog_service.current_catalog(session))
        state.add = CorrectionForm.proposed(proposal, plan.period)
    return _plan_page(request, session, plan_id, state=state)


_CORRECTION_FIELD_ZH = {
    "indicator": "指标",
    "value": "目标值",
    "value_max": "上限值",
    "unit": "单位",
    "comparator": "比较",
    "kind": "类型",
    "basis": "口径",
    "period": "期间",
    "quote": "原文",
    "wording": "指标名称写法",
    "comment": "理由",
    "target_id": "目标",
}


def _number(text: str, label: str, field_name: str) -> float | None:
    text = text.strip().replace(",", "").replace(",", "").removesuffix("%")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise Problem(
            422,
            "invalid_number",
            f"{label}应为数字,如 10 或 5.5",
            f"{field_name} must be a number",
            field=field_name,
        ) from None


@router.post("/plans/{plan_id}/corrections")
def add_correction(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    plan_id: str,
    action: Annotated[str, Form()] = "add",
    target_id: Annotated[str, Form()] = "",
    indicator: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    value_max: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    comparator: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    quote: Annotated[str, Form()] = "",
    span_start: Annotated[str, Form()] = "",
    wording: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A correction from the plan page, through the API's ``add_correction`` (role, audit,
    catalog suggestion); a refusal comes back in the same form, naming the field."""
    form = CorrectionForm(
        action, target_id, indicator, value, value_max, unit, comparator or "eq", kind or "baseline",
        basis or "annual", period, quote, span_start, wording, comment,
    )  # fmt: skip
    try:
        check_csrf(request, csrf)
        require(Role.reviewer)(viewer.principal)
        if action not in ("add", "edit", "reject"):
            raise Problem(422, "action", "请从页面上的按钮进入", "unknown action", field="action")
        if not comment.strip():
            raise Problem(
                422, "correction_reason", "请写明理由,会记入审核记录", "a reason is required", field="comment"
            )
        body: dict[str, Any] = {"action": action, "comment": comment.strip()}
        if target_id.strip():
            body["target_id"] = int(target_id) if target_id.strip().isdigit() else -1
        if action != "reject":
            for name, raw in (("indicator", indicator), ("unit", unit), ("period", period), ("quote", quote),
                              ("wording", wording)):  # fmt: skip
                if raw.strip():
                    body[name] = raw.strip()
            if action == "add" and not unit.strip():
                body["unit"] = ""
            for name, raw in (("value", value), ("value_max", value_max)):
                number = _number(raw, _CORRECTION_FIELD_ZH[name], name)
                if number is not None:
                    body[name] = number
            for name, raw in (("comparator", comparator), ("kind", kind), ("basis", basis)):
                if raw:
                    body[name] = raw
            if span_start.strip().isdigit():
                body["span_start"] = int(span_start)
        try:
            parsed = CorrectionCreate.model_validate(body)
        except ValidationError as exc:
            err = exc.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "comment"
            label = _CORRECTION_FIELD_ZH.get(name, name)
            raise Problem(422, "invalid", f"{label}无效:请检查后重试", str(err["msg"]), field=name) from None
        if action == "edit":  # only what the reviewer changed; unchanged fields keep the extraction
            parsed = CorrectionCreate.model_validate(
                {k: v for k, v in body.items() if k in ("action", "target_id", "comment", "wording")}
                | _changed(session, parsed)
            )
        plan_service.add_correction(session, viewer.principal, plan_id, parsed)
    except Problem as exc:
        session.rollback()
        form.error, form.field = page_words(exc), exc.field
        state = PlanPageState()
        if exc.status == 403:  # a role or a stale form: said at the top, the forms may not show
            state.error = page_words(exc)
        elif action == "add":
            state.add = form
        elif target_id.isdigit():
            state.edits[int(target_id)] = form
        else:
            state.error = page_words(exc)
        return _plan_page(request, session, plan_id, state=state, status=exc.status)
    return see_other(f"{PREFIX}/plans/{quote_url(plan_id)}?saved={action}#targets")


def _changed(session: Session, body: CorrectionCreate) -> dict[str, Any]:
    """The fields of an edit form that differ from the extracted target: a form posts all its
    fields, and re-sending an unchanged indicator or quote must not count as a correction."""
    from api.db import TargetRow

    row = session.get(TargetRow, body.target_id) if body.target_id else None
    sent = body.model_dump(exclude_unset=True, exclude={"action", "target_id", "comment", "wording"})
    if row is None:
        return sent
    out: dict[str, Any] = {}
    for name, value in sent.items():
        current = getattr(row, name, None)
        if name == "indicator" and value in (row.indicator, labels.indicator_name(row.indicator)):
            continue
        if current is not None and str(getattr(value, "value", value)) == str(current):
            continue
        if isinstance(current, float) and isinstance(value, float) and current == value:
            continue
        out[name] = value
    return out


@router.post("/plans/{plan_id}/corrections/{correction_id}/withdraw")
def withdraw_correction(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    plan_id: str,
    correction_id: RowId,
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    try:
        check_csrf(request, csrf)
        require(Role.reviewer)(viewer.principal)
        plan_service.withdraw_correction(
            session, viewer.principal, plan_id, correction_id, comment.strip() or None
        )
    except Problem as exc:
        session.rollback()
        return _plan_page(request, session, plan_id, error=page_words(exc), status=exc.status)
    return see_other(f"{PREFIX}/plans/{quote_url(plan_id)}?saved=withdraw#targets")


@router.post("/plans/{plan_id}/revisions")
def upload_revision(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    plan_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A revised text through ``add_revision``: re-extracted, corrections followed by quote."""
    try:
        check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        if file is None or not file.filename:
            raise Problem(422, "file", "请选择修订稿文件", "choose the revised file", field="file")
        payload = file.file.read(settings.max_upload_bytes + 1)
        doc = plan_service.read_upload(payload, file.filename, settings.max_upload_bytes)
        plan_service.add_revision(session, viewer.principal, plan_id, doc, comment.strip()[:2000] or None)
    except Problem as exc:
        session.rollback()
        state = PlanPageState(revision_error=page_words(exc))
        return _plan_page(request, session, plan_id, state=state, status=exc.status)
    return see_other(f"{PREFIX}/plans/{quote_url(plan_id)}?saved=revision")


@router.post("/plans/{plan_id}/checks")
async def run_check(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    checker: CheckerDep,
    limiter: CheckLimiterDep,
    plan_id: str,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Run a check through ``services.checks.run_check`` (off the event loop, as the API does)."""
    try:
        check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        check = await check_service.run_check(
            session, viewer.principal, plan_id, None, checker=checker, limiter=limiter
        )
    except Problem as exc:
        await anyio.to_thread.run_sync(session.rollback)
        return await anyio.to_thread.run_sync(
            partial(_plan_page, request, session, plan_id, error=page_words(exc), status=exc.status)
        )
    return see_other(f"{PREFIX}/checks/{check.id}")


# -- a check ---------------------------------------------------------------------------------


def _one_of(value: str | None, allowed: type[Severity] | type[Category] | type[ReviewStatus]) -> str:
    return value if value and value in {m.value for m in allowed} else ""


@dataclass(frozen=True)
class CheckView:
    """A check as its pages need it: the public record, its plans and every finding."""

    run: CheckRun
    public: CheckPublic
    plan: PlanRow | None
    columns: list[data.Column]
    findings: list[FindingPublic]

    @property
    def title(self) -> str:
        county = self.columns[0]
        name = self.plan.title if self.plan and self.plan.title else ""
        return f"{county.region} {county.period}" + (f"《{name}》" if name else "")

    def count(self, severity: str | None = None, status: str | None = None) -> int:
        return sum(
            1
            for f in self.findings
            if (severity is None or f.severity.value == severity)
            and (status is None or f.status.value == status)
        )


def _check_view(session: Session, check_id: int) -> CheckView:
    run = check_service.get_check(session, check_id)
    public = check_service.check_public(session, run)
    return CheckView(
        run=run,
        public=public,
        plan=session.get(PlanRow, run.plan_id),
        columns=data.check_columns(session, run, public),
        findings=data.all_findings(session, check_id),
    )


@router.get("/checks/{check_id}")
def check_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    check_id: RowId,
    severity: str | None = None,
    indicator: str | None = None,
    status: str | None = None,
) -> HTMLResponse:
    """Counts at the top, then the findings by category, filtered by the query string."""
    view = _check_view(session, check_id)
    chosen = {
        "severity": _one_of(severity, Severity),
        "status": _one_of(status, ReviewStatus),
        "indicator": indicator if indicator in {f.indicator for f in view.findings} else "",
    }
    filters = check_service.FindingFilter(
        severity=[Severity(chosen["severity"])] if chosen["severity"] else (),
        status=[ReviewStatus(chosen["status"])] if chosen["status"] else (),
        indicator=[chosen["indicator"]] if chosen["indicator"] else (),
    )
    shown = data.all_findings(session, check_id, filters) if any(chosen.values()) else view.findings
    groups = [(c, [f for f in shown if f.category.value == c]) for c in labels.CATEGORY_ORDER]
    indicators = sorted({f.indicator for f in view.findings}, key=labels.indicator_name)
    latest_id = check_service.latest_check_id(session, view.run.plan_id)
    return render(
        request,
        "check.html",
        {
            "changes": data.changes_since_previous(session, view.run, view.findings),
            "view": view,
            "groups": [(c, fs) for c, fs in groups if fs],
            "shown": len(shown),
            "chosen": chosen,
            "indicators": indicators,
            "latest_id": latest_id,
        },
    )


@router.get("/checks/{check_id}/coverage")
def coverage_page(
    request: Request, session: SessionDep, viewer: ViewerDep, check_id: RowId, filled: bool = False
) -> HTMLResponse:
    view = _check_view(session, check_id)
    cov = data.coverage(view.columns, data.targets_seen(session, view.run, view.columns), view.findings)
    latest_id = check_service.latest_check_id(session, view.run.plan_id)
    return render(
        request, "coverage.html", {"view": view, "cov": cov, "filled": filled, "latest_id": latest_id}
    )


_EXPORTS: dict[str, tuple[str, Callable[[CheckReport], bytes]]] = {
    "md": ("text/markdown; charset=utf-8", lambda r: export.markdown(r).encode("utf-8")),
    "csv": ("text/csv; charset=utf-8", lambda r: export.csv_text(r).encode("utf-8")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.workbook),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", export.document),
}


@router.get("/checks/{check_id}/export.{fmt}")
def export_check(
    request: Request, session: SessionDep, viewer: ViewerDep, check_id: RowId, fmt: str
) -> Response:
    """The check as Markdown, CSV or Excel, written by the library's report writers."""
    if fmt not in _EXPORTS:
        raise Problem(
            404, "unknown_format", f"不支持的导出格式:{fmt}(可用 md、csv、xlsx、docx)", f"no export as {fmt}"
        )
    view = _check_view(session, check_id)
    cov = data.coverage(view.columns, data.targets_seen(session, view.run, view.columns), view.findings)
    report = export.check_report(
        view.public, view.columns, view.findings, cov, request.app.state.settings.zone
    )
    media_type, write = _EXPORTS[fmt]
    name = f"{view.columns[0].region}{view.columns[0].period}-对标检查{check_id}.{fmt}"
    return Response(
        write(report),
        media_type=media_type,
        headers={
            "Content-Disposition": attachment(name, f"check-{check_id}.{fmt}"),
            "Cache-Control": "no-store",
        },
    )


# -- a finding -------------------------------------------------------------------------------


def _finding_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    finding_id: int,
    *,
    error: str | None = None,
    draft: Mapping[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    finding = FindingPublic.model_validate(review_service.get_finding(session, finding_id))
    run = check_service.get_check(session, finding.check_id)
    public = check_service.check_public(session, run)
    columns = data.check_columns(session, run, public)
    try:
        rule = rule_service.get_rule(finding.rule_id, request.app.state.rulebook)
    except Problem:
        rule = None  # the rule left the pack after this check ran; the finding still stands
    scenarios: list[present.Scenario] = []
    if rule is not None:
        blocks = [s for name, text in rule.spec_texts.items() for s in present.scenario_blocks(name, text)]
        scenarios = present.pick_scenarios(
            blocks,
            rule_id=rule.id,
            indicator=finding.indicator,
            message=finding.message,
            primary_feature=rule.specs[0] if rule.specs else "",
        )
    sentences: list[str] = []
    if rule is not None and scenarios:
        titles = {r.id: r.title for r in request.app.state.rulebook.rules}
        catalog = catalog_service.current_catalog(session)
        name = partial(labels.indicator_name, catalog=catalog)
        sentences = [
            present.scenario_sentence(sc, rule_titles=titles, name=name, severity=labels.SEVERITY_ZH)
            for sc in scenarios
        ]
    moved = (
        check_service.value_changes(
            [f.model_dump(mode="json") for f in finding.reviewed_facts],
            [f.model_dump(mode="json") for f in finding.facts],
        )
        if finding.reviewed_facts
        and finding.status in (ReviewStatus.dismissed, ReviewStatus.confirmed, ReviewStatus.fixed)
        else []
    )
    plan = session.get(PlanRow, run.plan_id)
    reviewable = (
        public.is_latest
        and finding.status is not ReviewStatus.resolved
        and plan is not None
        and plan.deleted_at is None
    )
    return render(
        request,
        "finding.html",
        {
            "f": finding,
            "check": public,
            "title": f"{columns[0].region} {columns[0].period}",
            "evidence": data.evidence(session, finding, columns),
            "rule": rule,
            "scenarios": scenarios,
            "sentences": sentences,
            "moved": moved,
            "history": review_service.finding_history(session, finding_id),
            "reviewable": reviewable,
            "latest_id": check_service.latest_check_id(session, run.plan_id),
            "error": error,
            "draft": draft or {},
            "saved": saved,
        },
        status=status,
    )


@router.get("/findings/{finding_id}")
def finding_page(
    request: Request, session: SessionDep, viewer: ViewerDep, finding_id: RowId, saved: bool = False
) -> HTMLResponse:
    return _finding_page(request, session, viewer, finding_id, saved=saved)


@router.post("/findings/{finding_id}/review")
def review(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    finding_id: RowId,
    status: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Review through ``review_finding``: the API's optimistic lock, role and audit entry."""
    draft = {"status": status, "comment": comment}
    try:
        check_csrf(request, csrf)
        require(Role.reviewer)(viewer.principal)
        if status not in {"open", "confirmed", "dismissed", "fixed"}:
            raise Problem(422, "status", "请选择审核结论", "choose a decision", field="status")
        body = FindingReview(
            status=ReviewStatus(status),  # type: ignore[arg-type]
            comment=comment.strip() or None,
            version=int(version) if version.isdigit() else None,
        )
        review_service.review_finding(session, viewer.principal, finding_id, body, None)
    except ValidationError:
        session.rollback()
        return _finding_page(
            request, session, viewer, finding_id, error="审核意见过长(最多 4000 字)", draft=draft, status=422
        )
    except Problem as exc:
        session.rollback()
        return _finding_page(
            request, session, viewer, finding_id, error=page_words(exc), draft=draft, status=exc.status
        )
    return see_other(f"{PREFIX}/findings/{finding_id}?saved=1")


# -- the catalog: suggestions from corrections, the overlay ------------------------------------


def _catalog_page(
    request: Request, session: Session, *, error: tuple[int, str] | None = None, status: int = 200
) -> HTMLResponse:
    suggestions = catalog_service.list_suggestions(session)
    return render(
        request,
        "catalog.html",
        {
            "open": [s for s in suggestions if s.status == "open"],
            "decided": [s for s in suggestions if s.status != "open"],
            "overlay": catalog_service.overlay(session),
            "error": error,
            "FORMS": ("growth", "share", "level", "count", "reduction"),
        },
        status=status,
    )


@router.get("/catalog")
def catalog_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    """What reviewers' corrections propose the catalog learn, and what an admin accepted."""
    return _catalog_page(request, session)


@router.post("/catalog/suggestions/{suggestion_id}/{decision}")
def decide_suggestion(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    suggestion_id: RowId,
    decision: str,
    id: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    form: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Accept or decline through the API's services (admin only, audited, one commit)."""
    try:
        check_csrf(request, csrf)
        require(Role.admin)(viewer.principal)
        if decision == "accept":
            try:
                sent = {"id": id, "name": name, "unit": unit, "form": form, "comment": comment}
                body = SuggestionAccept.model_validate({k: v.strip() for k, v in sent.items() if v.strip()})
            except ValidationError as exc:
                err = exc.errors()[0]
                where = str(err["loc"][0]) if err["loc"] else "id"
                raise Problem(
                    422,
                    "invalid",
                    "指标编号只能用小写英文字母、数字和下划线" if where == "id" else f"{where} 无效",
                    str(err["msg"]),
                    field=where,
                ) from None
            catalog_service.accept_suggestion(session, viewer.principal, suggestion_id, body)
        elif decision == "decline":
            if not comment.strip():
                raise Problem(
                    422, "decline_reason", "不采纳需要写明理由", "a reason is required", field="comment"
                )
            catalog_service.decline_suggestion(session, viewer.principal, suggestion_id, comment.strip())
        else:
            raise Problem(404, "not_found", "没有这个页面", "no such page")
    except Problem as exc:
        session.rollback()
        return _catalog_page(request, session, error=(suggestion_id, page_words(exc)), status=exc.status)
    return see_other(f"{PREFIX}/catalog?decided={suggestion_id}")


@router.get("/catalog/overlay.yaml")
def catalog_patch(session: SessionDep, viewer: ViewerDep) -> Response:
    """The overlay as a YAML patch for rules/indicators.yaml, downloaded from the page."""
    return Response(
        catalog_service.overlay_patch(session),
        media_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": attachment("指标目录补丁.yaml", "indicators-overlay.yaml"),
            "Cache-Control": "no-store",
        },
    )


# -- a draft rule's impact (admins) -------------------------------------------------------------

_KIND_OF_CHANGE = {"added": "新增", "removed": "移除", "changed": "改变"}


def _impact_page(request: Request, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, "rule_impact.html", {"KIND_OF_CHANGE": _KIND_OF_CHANGE, **context}, status=status)


@router.get("/rules/impact")
def rule_impact_form(request: Request, viewer: ViewerDep) -> HTMLResponse:
    require(Role.admin)(viewer.principal)
    return _impact_page(request, {"report": None, "error": ""})


@router.post("/rules/impact")
def rule_impact(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    book: RulebookDep,
    file: Annotated[UploadFile | None, File()] = None,
    specs: Annotated[list[UploadFile] | None, File()] = None,
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """A draft rule tried on the stored plans (``rule_service.draft_impact``), never installed."""
    check_csrf(request, csrf)
    require(Role.admin)(viewer.principal)
    if file is None or not file.filename:
        return _impact_page(request, {"report": None, "error": "请选择规则文件"}, status=422)
    limit = rule_service.MAX_RULE_BYTES
    data = file.file.read(limit + 1)
    extra = [(s.filename or "spec.feature", s.file.read(limit + 1)) for s in specs or [] if s.filename]
    if len(data) > limit or any(len(d) > limit for _, d in extra):
        return _impact_page(request, {"report": None, "error": f"文件过大:上限 {limit:,} 字节"}, status=413)
    report = rule_service.draft_impact(session, data, file.filename, extra, book)
    groups: dict[str, list[Any]] = {}
    for change in report.changes:
        groups.setdefault(change.finding.rule_id, []).append(change)
    counts = {k: sum(c.kind == k for c in report.changes) for k in _KIND_OF_CHANGE}
    status = 200 if report.check.valid else 422
    context = {"report": report, "groups": sorted(groups.items()), "counts": counts, "error": ""}
    return _impact_page(request, context, status=status)
