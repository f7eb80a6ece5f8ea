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
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import anyio
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi import Path as FastApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import ROLE_ZH, Principal, Role, authenticate
from api.db import ApiToken, CheckRun, PlanRow
from api.deps import CheckerDep, CheckLimiterDep, RulebookDep, SessionDep, SettingsDep, require
from api.errors import Problem
from api.schemas import CheckPublic, FindingPublic, FindingReview, PlanMeta, ReviewStatus
from api.services import checks as check_service
from api.services import plans as plan_service
from api.services import reviews as review_service
from api.services import rules as rule_service
from api.web import data, export, present
from api.web.session import COOKIE_NAME, SessionSigner
from rulesengine import labels
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
        beijing_time=labels.beijing_time,
    )
    env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M") if at else ""
    return env


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


def _words(exc: Problem) -> str:
    """A service's refusal as a page says it; ``plan_exists`` keeps the id it names."""
    if exc.code == "plan_exists":
        return exc.message_zh.split(";")[0] + ":请换一个编号,或留空由系统生成"
    return _PAGE_WORDS.get(exc.code, exc.message_zh)


def _check_csrf(request: Request, sent: str) -> None:
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
    html = _env().get_template(template).render(me=viewer, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)


def _redirect(url: str) -> RedirectResponse:
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
                return _redirect(url)
            except Problem as exc:
                return _error_page(request, exc.status, _words(exc))
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
    return _redirect(f"{PREFIX}/plans")


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
    response = _redirect(_safe_next(next))
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
    _check_csrf(request, csrf)
    response = _redirect(f"{PREFIX}/login")
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


# -- plans -----------------------------------------------------------------------------------


@cache
def _region_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every region, grouped by province, labelled with its path: the upload form's list."""
    index = default_index()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for province in index.provinces():
        options = [(province.code, f"{province.name}(全省)")]
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
        _check_csrf(request, csrf)
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
        return fail(field, _words(exc), exc.status)
    return _redirect(f"{PREFIX}/plans/{quote(created.id)}")


_MAX_SHOWN_TEXT = 300_000
"""Characters of a plan's text shown on its page; a 20 MB upload must not become a 20 MB page."""


def _plan_page(
    request: Request, session: Session, plan_id: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    plan = plan_service.plan_detail(session, plan_id, include_text=True)
    full = plan.text or ""
    text = full[:_MAX_SHOWN_TEXT]
    spans = [
        (t.span_start, t.span_end, labels.indicator_name(t.indicator))
        for t in plan.targets
        if text[t.span_start : t.span_end] == t.quote
    ]
    checks = check_service.list_checks(session, plan_id, limit=20, offset=0)
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "text_segments": present.segments(text, spans),
            "text_cut": len(full) - len(text),
            "checks": checks,
            "error": error,
        },
        status=status,
    )


@router.get("/plans/{plan_id}")
def plan_page(request: Request, session: SessionDep, viewer: ViewerDep, plan_id: str) -> HTMLResponse:
    return _plan_page(request, session, plan_id)


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
        _check_csrf(request, csrf)
        require(Role.submitter)(viewer.principal)
        check = await check_service.run_check(
            session, viewer.principal, plan_id, None, checker=checker, limiter=limiter
        )
    except Problem as exc:
        await anyio.to_thread.run_sync(session.rollback)
        return await anyio.to_thread.run_sync(
            partial(_plan_page, request, session, plan_id, error=_words(exc), status=exc.status)
        )
    return _redirect(f"{PREFIX}/checks/{check.id}")


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


def _attachment(name: str, fallback: str) -> str:
    """A download name in Chinese for browsers that read RFC 5987, ASCII for the rest."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


_EXPORTS: dict[str, tuple[str, Callable[[CheckReport], bytes]]] = {
    "md": ("text/markdown; charset=utf-8", lambda r: export.markdown(r).encode("utf-8")),
    "csv": ("text/csv; charset=utf-8", lambda r: export.csv_text(r).encode("utf-8")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.workbook),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", export.document),
}


@router.get("/checks/{check_id}/export.{fmt}")
def export_check(session: SessionDep, viewer: ViewerDep, check_id: RowId, fmt: str) -> Response:
    """The check as Markdown, CSV or Excel, written by the library's report writers."""
    if fmt not in _EXPORTS:
        raise Problem(
            404, "unknown_format", f"不支持的导出格式:{fmt}(可用 md、csv、xlsx、docx)", f"no export as {fmt}"
        )
    view = _check_view(session, check_id)
    cov = data.coverage(view.columns, data.targets_seen(session, view.run, view.columns), view.findings)
    report = export.check_report(view.public, view.columns, view.findings, cov)
    media_type, write = _EXPORTS[fmt]
    name = f"{view.columns[0].region}{view.columns[0].period}-对标检查{check_id}.{fmt}"
    return Response(
        write(report),
        media_type=media_type,
        headers={
            "Content-Disposition": _attachment(name, f"check-{check_id}.{fmt}"),
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
        _check_csrf(request, csrf)
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
            request, session, viewer, finding_id, error=_words(exc), draft=draft, status=exc.status
        )
    return _redirect(f"{PREFIX}/findings/{finding_id}?saved=1")


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
    _check_csrf(request, csrf)
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
